"""What overdue and due soon mean, for every clock a case runs (domain/urgency.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.case_models import CaseFile, CaseStatus, LevelClock, Mediation, Visit
from domain.ladder import Level
from domain.risk import RiskColour
from domain.urgency import Clock, Urgency, deadline, urgency, visit_due, visit_due_at

NOW = datetime(2026, 12, 31, 23, 0, tzinfo=UTC)
H = timedelta(hours=1)


def case(status: CaseStatus = CaseStatus.open, *, level_due=None, overdue_since=None,
         track_due=None, visits=()) -> CaseFile:  # fmt: skip
    return CaseFile(
        case_id="U-1",
        risk=RiskColour.green,
        risk_flags=[],
        units={lv: lv.value for lv in Level},
        status=status,
        level=Level.county,
        opened_at=NOW - 100 * H,
        clock=LevelClock(started_at=NOW - 100 * H, due_at=level_due, overdue_since=overdue_since),
        mediation=Mediation(track="people", started_at=NOW - 50 * H, due_at=track_due, why="w")
        if track_due
        else None,
        follow_up={
            "visits": [Visit(visit="satisfaction", due_at=d, overdue_at=d + 48 * H) for d in visits]
        },
    )


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (case(level_due=NOW + 5 * H), (NOW + 5 * H, Clock.level)),
        # Supervision: no level clock, overdue since the county's deadline passed.
        (case(CaseStatus.supervised, overdue_since=NOW - 48 * H), (NOW - 48 * H, Clock.supervised)),
        # A track's statutory window that ends before the level's.
        (case(level_due=NOW + 5 * H, track_due=NOW - H), (NOW - H, Clock.track)),
        (case(CaseStatus.resolved, visits=[NOW + 2 * H]), (NOW + 50 * H, Clock.visit)),
        (case(CaseStatus.paused, level_due=NOW + 5 * H, track_due=NOW - H), None),
        (case(CaseStatus.closed), None),
        (case(), None),
    ],
)
def test_the_earliest_running_deadline(file, expected):
    due = deadline(file)
    assert (due.at, due.clock) == expected if expected else due is None


@pytest.mark.parametrize(
    ("at", "paused", "expected"),
    [
        (NOW - timedelta(seconds=1), False, Urgency.overdue),
        (NOW, False, Urgency.due_soon),
        (NOW + 23 * H, False, Urgency.due_soon),
        (NOW + 24 * H, False, Urgency.on_time),
        (NOW - 9 * H, True, Urgency.none),
        (None, False, Urgency.none),
    ],
)
def test_overdue_due_soon_on_time(at, paused, expected):
    assert urgency(at, NOW, paused=paused) is expected


def test_a_visit_is_due_a_day_ahead():
    file = case(CaseStatus.resolved, visits=[NOW + 20 * H, NOW + 90 * H])
    assert visit_due_at(file) == NOW + 20 * H
    assert visit_due(NOW + 20 * H, NOW) and not visit_due(NOW + 25 * H, NOW)
    assert visit_due_at(case()) is None
