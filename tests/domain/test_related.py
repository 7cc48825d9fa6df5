"""Look-alike rules at intake, in the ledger and inside one file: fixed dates, nothing from
today."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.intake_models import CaseIntake
from domain.related import (
    CLOSED_WINDOW,
    PLACE_WINDOW,
    SeenInFile,
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


ELSEWHERE = {**GOOD["location"], "village": "West Village"}
PHONE = [{"name": "甲", "role": "applicant", "phone": "13800000001"}]


@pytest.mark.parametrize(
    ("second", "alike"),
    [
        ({"parties": PHONE, "location": ELSEWHERE, "dispute_type": "land"}, True),  # a phone
        ({}, True),  # the same village and type, the same day
        ({"reported_at": "2026-11-27T09:30:00+08:00"}, True),  # 7 days later: still
        ({"reported_at": "2026-11-27T09:31:00+08:00"}, False),  # a minute more: no
        ({"dispute_type": "land"}, False),  # another type, no shared party
        ({"location": ELSEWHERE}, False),  # another village, no shared party
    ],
)
def test_a_record_looks_like_an_earlier_one_of_the_same_file(second, alike):
    seen = SeenInFile()
    assert seen.alike(intake(case_id="F-1", parties=PHONE)) == []
    seen.add(intake(case_id="F-1", parties=PHONE))
    assert seen.alike(intake(case_id="F-2", **second)) == (["F-1"] if alike else [])


def test_the_files_look_alikes_come_newest_first_and_never_the_record_itself():
    seen = SeenInFile()
    for n, day in ((1, "20"), (2, "22"), (3, "21")):
        seen.add(intake(case_id=f"F-{n}", reported_at=f"2026-11-{day}T09:30:00+08:00"))
    assert seen.alike(intake(case_id="F-2")) == ["F-3", "F-1"]


def test_a_crowded_place_gives_the_newest_ten_of_its_window_ties_by_case_id():
    # 40 records of one village and type, many reported at the same instant, some outside the
    # week: the window's slice gives what comparing the record with every earlier one gives.
    seen, times = SeenInFile(), []
    for n in range(40):
        day, hour = 10 + (n * 7) % 15, 9 + n % 3
        at = f"2026-11-{day:02d}T{hour:02d}:30:00+08:00"
        seen.add(intake(case_id=f"F-{n:02d}", reported_at=at))
        times.append((f"F-{n:02d}", datetime.fromisoformat(at)))
    probe = intake(case_id="F-99", reported_at="2026-11-20T10:30:00+08:00")
    within = [(c, t) for c, t in times if abs(t - probe.reported_at) <= PLACE_WINDOW]
    expected = [c for c, _ in sorted(within, key=lambda ct: (-ct[1].timestamp(), ct[0]))][:10]
    assert len(within) > 10 and seen.alike(probe) == expected
