"""Time left, or how long overdue, as of the moment a person reads the case.

A workflow query cannot see the time it is read at (`workflow.now()` there is the time of
the case's last step), so whoever shows a case — the command line, the API — puts the
clock in here. Pure: `now` comes from the caller.
"""

from __future__ import annotations

from datetime import datetime

from domain.case_models import CaseStatus, CaseView


def as_of(view: CaseView, now: datetime) -> CaseView:
    """`view` with `remaining_seconds` and `overdue_seconds` counted at `now`, in whole
    seconds: time left at the level (frozen while paused, negative once past), and for a
    case under supervision how long since its county deadline passed."""
    remaining = overdue = None
    if view.due_at is not None:
        remaining = round((view.due_at - (view.paused_since or now)).total_seconds())
    if view.status is CaseStatus.supervised and view.overdue_since is not None:
        overdue = round((now - view.overdue_since).total_seconds())
    return view.model_copy(update={"remaining_seconds": remaining, "overdue_seconds": overdue})
