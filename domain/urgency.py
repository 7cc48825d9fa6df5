"""What "overdue" and "due soon" mean, once, for every clock a case has.

A case runs several clocks: its level's (the ladder's deadline), a mediation track's statutory
window (三调联动), the steps of judicial confirmation (司法确认), its return visits (回访), and,
once the county's deadline passed, supervision (督办: overdue since that deadline). The case's
*deadline* is the earliest of the running ones; it is overdue once that moment has passed and
due soon within `DUE_SOON` of it. A paused case's clocks are stopped: never overdue.

The workflow computes the deadline at every step and writes it to the ledger with the case's
snapshot (`cases.deadline`, `cases.deadline_clock`, `cases.visit_due_at`); the worklist's SQL,
the API, the page and the command line all compare it with `now` through the rules here. Pure:
no I/O, no clock (`now` comes from the caller).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.case_models import CaseFile, CaseStatus

#: Due soon: the deadline falls within this window (the 临期 tab).
DUE_SOON = timedelta(hours=24)
#: A return visit belongs in the visits queue (回访) this long before it is due.
VISIT_AHEAD = timedelta(hours=24)


class Clock(StrEnum):
    """Which clock sets the case's deadline (`cases.deadline_clock`)."""

    level = "level"
    supervised = "supervised"
    track = "track"
    confirmation = "confirmation"
    visit = "visit"


class Urgency(StrEnum):
    overdue = "overdue"
    due_soon = "due_soon"
    on_time = "on_time"
    #: No clock running (or stopped: paused).
    none = "none"


@dataclass(frozen=True)
class Deadline:
    at: datetime
    clock: Clock


def deadline(f: CaseFile) -> Deadline | None:
    """The earliest deadline of the clocks the case has running (None: none runs)."""
    if f.status is CaseStatus.paused:
        return None
    running: list[Deadline] = []
    if f.status is CaseStatus.supervised and f.clock.overdue_since is not None:
        running.append(Deadline(f.clock.overdue_since, Clock.supervised))
    if f.status is CaseStatus.open and f.clock.due_at is not None:
        running.append(Deadline(f.clock.due_at, Clock.level))
    on_ladder = f.status in (CaseStatus.open, CaseStatus.supervised)
    m = f.mediation
    if on_ladder and m is not None and m.due_at is not None and not m.award_final:
        running.append(Deadline(m.due_at, Clock.track))
    c = f.confirmation
    if c is not None and c.outcome is None:
        step = c.apply_by if c.applied_at is None else c.accept_by if c.accepted_at is None \
            else c.decide_by  # fmt: skip
        if step is not None:
            running.append(Deadline(step, Clock.confirmation))
    if f.status is CaseStatus.resolved:
        running += [Deadline(v.overdue_at, Clock.visit) for v in pending_visits(f)]
    return min(running, key=lambda d: d.at, default=None)


def pending_visits(f: CaseFile):
    return [v for v in f.follow_up.visits if v.result is None]


def visit_due_at(f: CaseFile) -> datetime | None:
    """When the case's next return visit is due (None: no visit pending)."""
    if f.status is not CaseStatus.resolved:
        return None
    return min((v.due_at for v in pending_visits(f)), default=None)


def urgency(at: datetime | None, now: datetime, *, paused: bool = False) -> Urgency:
    """Overdue, due soon or on time: a deadline as of `now`."""
    if at is None or paused:
        return Urgency.none
    if at < now:
        return Urgency.overdue
    return Urgency.due_soon if at < now + DUE_SOON else Urgency.on_time


def visit_due(at: datetime | None, now: datetime) -> bool:
    """Whether a return visit due at `at` belongs in the visits queue as of `now`."""
    return at is not None and at <= now + VISIT_AHEAD
