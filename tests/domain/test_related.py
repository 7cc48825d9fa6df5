"""Look-alike rules at intake and the link check: fixed dates, nothing from today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.intake_models import CaseIntake
from domain.related import (
    CLOSED_WINDOW,
    PLACE_WINDOW,
    identifiers,
    similar_query,
)
from tests.intake_strategies import GOOD


def intake(**changes) -> CaseIntake:
    return CaseIntake.model_validate({**GOOD, "case_id": "S-1", **changes})


@pytest.mark.parametrize(
    ("parties", "found"),
    [
        ([{"name": "甲", "role": "applicant"}], []),
        ([{"name": "甲", "role": "applicant", "phone": "138"}], [{"phone": "138"}]),
        ([{"name": "甲", "role": "applicant", "phone": "138", "id_number": "110"},
          {"name": "乙", "role": "respondent", "phone": "139"}],
         [{"phone": "138"}, {"id_number": "110"}, {"phone": "139"}]),
    ],
)  # fmt: skip
def test_the_identifiers_searched_are_the_parties_phones_and_ids(parties, found):
    assert identifiers(intake(parties=parties)) == found


def test_the_place_window_is_around_the_report_and_the_closed_window_before_now():
    now = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
    record = intake()
    q = similar_query(record, now)
    assert (q.reported_from, q.reported_to) == (
        record.reported_at - PLACE_WINDOW,
        record.reported_at + PLACE_WINDOW,
    )
    assert q.closed_since == now - CLOSED_WINDOW == now - timedelta(days=90)
    assert (q.village, q.dispute_type, q.case_id) == (
        record.location.village,
        record.dispute_type.value,
        "S-1",
    )
