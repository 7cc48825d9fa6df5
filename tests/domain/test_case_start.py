"""A case's start carries the procedure tables it runs (CaseStart.arbitration, .confirmation,
.court): written compactly, read back the same, and absent from a start made before."""

from __future__ import annotations

import pytest

from domain.case_models import CaseStart
from tests import factories


@pytest.mark.parametrize(
    ("fields", "tables"),
    [
        ({"dispute_type": "wages"}, {"arbitration", "confirmation"}),
        ({"complexity": "complex"}, {"confirmation", "court"}),
    ],
)
def test_a_start_carries_the_tables_its_dispute_can_reach_and_reads_them_back(fields, tables):
    start = factories.case_start("T-1", **fields)
    carried = {name for name in ("arbitration", "confirmation", "court") if getattr(start, name)}
    assert carried == tables
    text = start.model_dump_json()
    assert CaseStart.model_validate_json(text) == start
    # Defaults left out: a table's empty lists are not written.
    assert '"paused_by":[]' not in text and '"pauses":{}' not in text


def test_a_start_from_before_the_tables_decodes_without_them():
    start = factories.case_start("T-2", complexity="complex")
    old = start.model_dump(mode="json", exclude={"arbitration", "confirmation", "court"})
    back = CaseStart.model_validate(old)
    assert (back.arbitration, back.confirmation, back.court) == (None, None, None)
