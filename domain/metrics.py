"""Governance metrics, computed from the ledger's rows: what a township is judged on monthly.

Every figure is a pure function of `cases` and `case_events` rows already fetched (docs/events.md
is the vocabulary, docs/metrics.md the definitions), so each is unit-tested without a database.
A rate is None when its denominator is 0: "no cases" is not "0%". Pure: no I/O, no clock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel

from domain.ladder import Level
from domain.ledger_rows import CaseRow, EventRow, Ledger, Scope
from domain.periods import LOCAL_TZ, Period, parse_period

__all__ = ["LOCAL_TZ", "CaseRow", "DueCase", "EventRow", "Ledger", "Metrics", "Period", "Scope"]
__all__ += ["compute_metrics", "due_cases", "parse_period", "rate", "render_table", "scopes_of"]

#: Statuses after which a case can no longer be overdue.
FINISHED = frozenset({"resolved", "closed", "withdrawn", "referred"})
#: A level's stay (stint) ends with one of these; `escalated` also ends a stint still open.
STINT_ENDS = frozenset({"resolved", "failed", "withdrawn", "refused", "deadline_passed"})
#: A resolution after one of these was not the first attempt.
SETBACKS = frozenset({"failed", "escalated", "reopened"})
RESPONSE_WINDOW = timedelta(hours=24)
#: Events with an actor that are not a handler's response: the intake itself, and the
#: applicant's own withdrawal (a case withdrawn in its first hour was not responded to).
NOT_A_RESPONSE = frozenset({"opened", "withdrawn"})
DUE_SOON_WINDOW = timedelta(hours=24)


class Metrics(BaseModel):
    """The figures of one unit for one period; definitions in docs/metrics.md."""

    period: str
    scope_level: Level
    scope_unit: str
    as_of: datetime
    received: int
    resolved: int
    resolved_grid_village: int
    grid_village_share: float | None
    ended: int
    ended_resolved: int
    mediation_success_rate: float | None
    first_attempt_resolved: int
    first_attempt_rate: float | None
    stints_ended: int
    stints_on_time: int
    on_time_rate: float | None
    paused_hours: float
    responded: int
    response_rate: float | None
    visits_rated: int
    visits_satisfied: int
    satisfaction_rate: float | None
    reopened: int
    reopen_rate: float | None
    overdue: int
    due_soon: int


class DueCase(BaseModel):
    """A case on the clearance list: overdue (or supervised), or due within 24 hours."""

    case_id: str
    county: str
    township: str
    village: str
    grid: str
    level: str
    status: str
    state: Literal["overdue", "due_soon"]
    due_at: datetime | None
    #: Hours past due for an overdue case (None when no due time is known), hours left otherwise.
    hours: float | None


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


# -- the definitions ----------------------------------------------------------------------------


def count_received(ledger: Ledger, period: Period) -> int:
    return sum(period.contains(c.opened_at) for c in ledger.cases)


def count_resolved(ledger: Ledger, period: Period) -> tuple[int, int]:
    """(resolved events, those settled at the grid or village level)."""
    resolved = ledger.events("resolved", period)
    low = sum(e.level in (Level.grid.value, Level.village.value) for e in resolved)
    return len(resolved), low


def count_endings(ledger: Ledger, period: Period) -> tuple[int, int]:
    """(cases closed in the period, those whose last closing outcome there was `resolved`)."""
    ended = succeeded = 0
    for case in ledger.cases:
        closings = [
            e
            for e in ledger.events_of(case.case_id)
            if e.kind == "closed" and period.contains(e.at)
        ]
        if closings:
            ended += 1
            succeeded += closings[-1].data.get("outcome") == "resolved"
    return ended, succeeded


def count_first_attempt(ledger: Ledger, period: Period) -> int:
    """Resolutions in the period with no failure, escalation or reopening before them."""
    count = 0
    for case in ledger.cases:
        setback = False
        for event in ledger.events_of(case.case_id):
            if event.kind in SETBACKS:
                setback = True
            elif event.kind == "resolved" and not setback and period.contains(event.at):
                count += 1
    return count


def count_stints(ledger: Ledger, period: Period) -> tuple[int, int]:
    """(level stints that ended in the period, those that ended without `deadline_passed`).

    A stint starts when a level takes the case (`assigned`, `escalated`) and ends at its first
    ending event; an escalation ends a stint still open (a pull-up before any failure)."""
    ended = on_time = 0
    for case in ledger.cases:
        open_stint = False
        for event in ledger.events_of(case.case_id):
            ending = event.kind in STINT_ENDS or event.kind == "escalated"
            if open_stint and ending and period.contains(event.at):
                ended += 1
                on_time += event.kind != "deadline_passed"
            if ending:
                open_stint = False
            if event.kind in ("assigned", "escalated"):
                open_stint = True
    return ended, on_time


def paused_hours(ledger: Ledger, period: Period) -> float:
    """Hours of stopped clock, counted in the period in which the clock resumed."""
    seconds = sum(
        float(e.data.get("paused_seconds") or 0) for e in ledger.events("resumed", period)
    )
    return seconds / 3600


def count_responded(ledger: Ledger, period: Period) -> int:
    """Cases received in the period that a person acted on within 24 hours of opening."""
    count = 0
    for case in ledger.cases:
        if not period.contains(case.opened_at):
            continue
        limit = case.opened_at + RESPONSE_WINDOW
        count += any(
            e.actor is not None and e.kind not in NOT_A_RESPONSE and case.opened_at <= e.at <= limit
            for e in ledger.events_of(case.case_id)
        )
    return count


def count_visits(ledger: Ledger, period: Period) -> tuple[int, int]:
    """(return visits with a result other than `unreachable`, those `satisfied`)."""
    results = [e.data.get("result") for e in ledger.events("visit_done", period)]
    rated = [r for r in results if r is not None and r != "unreachable"]
    return len(rated), sum(r == "satisfied" for r in rated)


def due_cases(ledger: Ledger, as_of: datetime, *, soon: bool = False) -> list[DueCase]:
    """Open cases past their due time, or under supervision, as of `as_of` (most overdue
    first); with `soon`, also those due within 24 hours (soonest first). A paused case is never
    overdue: its clock is stopped and its due time moves on when it resumes."""
    overdue: list[DueCase] = []
    coming: list[DueCase] = []
    for case in ledger.cases:
        if case.status in FINISHED or case.status == "paused":
            continue
        since = case.due_at
        if case.status == "supervised" and since is None:
            marks = [e.at for e in ledger.events_of(case.case_id) if e.kind == "supervised"]
            since = marks[-1] if marks else None
        row = {
            "case_id": case.case_id,
            "county": case.county,
            "township": case.township,
            "village": case.village,
            "grid": case.grid,
            "level": case.level,
            "status": case.status,
            "due_at": case.due_at,
        }
        if case.status == "supervised" or (case.due_at is not None and case.due_at < as_of):
            hours = round((as_of - since).total_seconds() / 3600, 1) if since else None
            overdue.append(DueCase(**row, state="overdue", hours=hours))
        elif soon and case.due_at is not None and case.due_at < as_of + DUE_SOON_WINDOW:
            left = round((case.due_at - as_of).total_seconds() / 3600, 1)
            coming.append(DueCase(**row, state="due_soon", hours=left))
    overdue.sort(key=lambda d: (-(d.hours or 0), d.case_id))
    coming.sort(key=lambda d: (d.hours or 0, d.case_id))
    return overdue + coming


def compute_metrics(ledger: Ledger, scope: Scope, period: Period, as_of: datetime) -> Metrics:
    """Every figure of `scope` for `period`; the overdue count is as of `as_of`."""
    mine = ledger.within(scope)
    received = count_received(mine, period)
    resolved, low = count_resolved(mine, period)
    ended, succeeded = count_endings(mine, period)
    first = count_first_attempt(mine, period)
    stints, on_time = count_stints(mine, period)
    responded = count_responded(mine, period)
    rated, satisfied = count_visits(mine, period)
    reopened = len(mine.events("reopened", period))
    due = due_cases(mine, as_of, soon=True)
    return Metrics(
        period=period.label,
        scope_level=scope.level,
        scope_unit=scope.unit,
        as_of=as_of,
        received=received,
        resolved=resolved,
        resolved_grid_village=low,
        grid_village_share=rate(low, resolved),
        ended=ended,
        ended_resolved=succeeded,
        mediation_success_rate=rate(succeeded, ended),
        first_attempt_resolved=first,
        first_attempt_rate=rate(first, resolved),
        stints_ended=stints,
        stints_on_time=on_time,
        on_time_rate=rate(on_time, stints),
        paused_hours=round(paused_hours(mine, period), 2),
        responded=responded,
        response_rate=rate(responded, received),
        visits_rated=rated,
        visits_satisfied=satisfied,
        satisfaction_rate=rate(satisfied, rated),
        reopened=reopened,
        reopen_rate=rate(reopened, resolved),
        overdue=sum(d.state == "overdue" for d in due),
        due_soon=sum(d.state == "due_soon" for d in due),
    )


def scopes_of(units: Iterable[tuple[str, str]], township: str | None = None) -> list[Scope]:
    """The rows of an assessment from the ledger's `(county, township)` pairs: each township
    (or only `township`, even one with no cases yet), then its county as the reference row."""
    pairs = set(units)
    townships = sorted({t for _, t in pairs})
    if township is not None:
        # Its own county as the reference; every county when the township is not known yet.
        pairs = {p for p in pairs if p[1] == township} or pairs
        townships = [township]
    counties = sorted({c for c, _ in pairs})
    return [Scope(level=Level.township, unit=t) for t in townships] + [
        Scope(level=Level.county, unit=c) for c in counties
    ]


# -- the terminal table -------------------------------------------------------------------------

#: (header, Metrics field, is a rate)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("received", "received", False),
    ("resolved", "resolved", False),
    ("grid+village", "grid_village_share", True),
    ("mediation", "mediation_success_rate", True),
    ("1st attempt", "first_attempt_rate", True),
    ("on time", "on_time_rate", True),
    ("response", "response_rate", True),
    ("satisfied", "satisfaction_rate", True),
    ("reopened", "reopen_rate", True),
    ("paused h", "paused_hours", False),
    ("overdue", "overdue", False),
)


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def cell(metrics: Metrics, name: str, is_rate: bool) -> str:
    value = getattr(metrics, name)
    if is_rate:
        return percent(value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _width(text: str) -> int:
    # Chinese names take two terminal columns per character.
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, *, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap


def render_table(metrics_list: Sequence[Metrics]) -> str:
    """The figures as an aligned text table, one row per unit, for the terminal."""
    if not metrics_list:
        return "no units to report\n"
    head = ["unit", *(h for h, _, _ in COLUMNS)]
    rows = [
        [m.scope_unit + (" (county)" if m.scope_level is Level.county else "")]
        + [cell(m, name, is_rate) for _, name, is_rate in COLUMNS]
        for m in metrics_list
    ]
    widths = [max(_width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(_pad(v, w, right=i > 0) for i, (v, w) in enumerate(zip(r, widths, strict=True)))
        for r in [head, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    first = metrics_list[0]
    title = f"period {first.period}, as of {first.as_of.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} UTC+8"
    return "\n".join([title, *lines]) + "\n"
