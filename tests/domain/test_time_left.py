"""Time left and how long overdue, counted as of the moment a person reads the case."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.case_models import CaseStatus, CaseView
from domain.time_left import as_of
from tests import factories

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def view(**fields) -> CaseView:
    base = {
        "case_id": "T-1", "workflow_id": "case-T-1", "title": "t", "dispute_type": "neighbour",
        "complexity": "simple", "risk": "green", "location": factories.LOCATION,
        "status": CaseStatus.open, "level": "grid", "assignee": None, "due_at": None,
        "remaining_seconds": 21_599.5, "budget": "6h", "deadline_moved_by": [],
        "extended_seconds": 0, "paused_since": None, "pause_reason": None,
        "paused_total_seconds": 0, "warnings_raised": [], "transfer": None, "visits": [],
        "opened_at": NOW - timedelta(days=1), "closed_at": None, "policy": "p", "runs": 1,
        "events": [],
    }  # fmt: skip
    return CaseView.model_validate({**base, **fields})


@pytest.mark.parametrize(
    ("fields", "remaining", "overdue"),
    [
        # the query's figure was as of the last step: time has moved on since
        ({"due_at": NOW + timedelta(hours=2)}, 7200, None),
        ({"due_at": NOW - timedelta(minutes=30)}, -1800, None),
        # paused: frozen at what was left when the clock stopped
        ({"due_at": NOW + timedelta(hours=5), "paused_since": NOW - timedelta(hours=1)},
         6 * 3600, None),
        # under supervision: no deadline, overdue since the county's passed
        ({"status": CaseStatus.supervised, "overdue_since": NOW - timedelta(days=2)},
         None, 2 * 86400),
        ({"status": CaseStatus.closed}, None, None),
    ],
)  # fmt: skip
def test_time_left_and_overdue_are_counted_when_read(fields, remaining, overdue):
    read = as_of(view(**fields), NOW)

    assert (read.remaining_seconds, read.overdue_seconds) == (remaining, overdue)
