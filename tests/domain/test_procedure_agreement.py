"""Every statutory window of the project read from one place. A dispute case started now runs
labour arbitration, court-referred mediation and judicial confirmation on the tables it carries
in its start; the policy's figures below are what a case started before (without them) still
runs by, and a policy file may no longer set them (domain/policy.py): they equal the tables',
so an old case and a new one keep the same law."""

from __future__ import annotations

import pytest

from domain.confirmation import DEFAULT_CONFIRMATION
from domain.mediation_policy import DEFAULT_MEDIATION, Track
from runtime.procedures import load_tables

TABLES = load_tables()
M, LABOUR = DEFAULT_MEDIATION, "labour_arbitration"


def length(procedure: str, window: str) -> str:
    return TABLES[procedure].windows[window].length


def extension(procedure: str, window: str) -> str:
    rule = TABLES[procedure].windows[window].extension
    assert rule is not None
    return rule.by


@pytest.mark.parametrize(
    ("case_figure", "table_figure"),
    [
        (M.limits[Track.labour_mediation], length(LABOUR, "labour_mediation")),
        (M.limits[Track.labour_arbitration], length(LABOUR, "award")),
        (M.extensions[Track.labour_arbitration].cap, extension(LABOUR, "award")),
        (M.arbitration_accept, length(LABOUR, "accept")),
        (M.arbitration_appeal, length(LABOUR, "sue")),
        (M.arbitration_appeal, length(LABOUR, "worker_sue")),
        (M.limits[Track.judicial_pre_filing], length("court", "pre_filing")),
        (M.limits[Track.judicial_post_filing], length("court", "entrusted")),
        (M.limits[Track.judicial_simplified], length("court", "entrusted_simplified")),
        (DEFAULT_CONFIRMATION.apply_within, length("judicial_confirmation", "apply")),
        (DEFAULT_CONFIRMATION.accept, length("judicial_confirmation", "court_accept")),
        (DEFAULT_CONFIRMATION.decide, length("judicial_confirmation", "court_decide")),
        (DEFAULT_CONFIRMATION.decide_extension, extension("judicial_confirmation", "court_decide")),
    ],
)  # fmt: skip
def test_the_cases_statutory_figures_equal_the_tables(case_figure, table_figure):
    assert case_figure == table_figure
