"""Reading the ledger for the metrics, and the terminal report `starter.py report` prints.

The SQL fetches only the rows a period needs — cases opened in it, cases with an event in it,
and cases still open (for the overdue list) — with each such case's whole history, because
first-attempt success and level stints depend on what happened before the period. The figures
themselves are computed by the pure `domain.metrics`.
"""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.metrics import (
    FINISHED,
    CaseRow,
    DueCase,
    EventRow,
    Ledger,
    Metrics,
    Period,
    compute_metrics,
    due_cases,
    parse_period,
    render_table,
    scopes_of,
)
from domain.periods import LOCAL_TZ

_CASES = """
SELECT case_id, county, township, village, grid, status, level, opened_at, due_at
  FROM cases c
 WHERE (c.opened_at >= $1 AND c.opened_at < $2)
    OR c.status <> ALL($3::text[])
    OR EXISTS (SELECT 1 FROM case_events e
                WHERE e.case_id = c.case_id AND e.at >= $1 AND e.at < $2)
"""

_EVENTS = """
SELECT case_id, seq, at, kind, level, actor, data
  FROM case_events
 WHERE case_id = ANY($1::text[])
"""

# Every township that ever had a case gets a row, even in a month it had none.
_UNITS = "SELECT DISTINCT county, township FROM cases"


async def fetch_ledger(pool: asyncpg.Pool, period: Period) -> Ledger:
    """The cases and events the figures of `period` depend on, for every unit."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        # One snapshot: a case and its events are read as of the same moment.
        case_rows = await conn.fetch(_CASES, period.start, period.end, sorted(FINISHED))
        cases = [CaseRow(**dict(r)) for r in case_rows]
        event_rows = await conn.fetch(_EVENTS, [c.case_id for c in cases])
    events = [EventRow(**dict(r)) for r in event_rows]
    return Ledger.of(cases, events)


async def fetch_units(pool: asyncpg.Pool) -> list[tuple[str, str]]:
    """Every `(county, township)` the ledger knows."""
    return [(r["county"], r["township"]) for r in await pool.fetch(_UNITS)]


async def assess(
    pool: asyncpg.Pool,
    period: Period,
    as_of: datetime,
    *,
    township: str | None = None,
    soon: bool = False,
) -> tuple[list[Metrics], list[DueCase]]:
    """The figures of each township (or only `township`) and its county for `period`, and the
    clearance list as of `as_of` (with `soon`: also cases due within 24 hours)."""
    ledger = await fetch_ledger(pool, period)
    scopes = scopes_of(await fetch_units(pool), township)
    metrics = [compute_metrics(ledger, scope, period, as_of) for scope in scopes]
    due = due_cases(ledger, as_of, soon=soon)
    if township is not None:
        due = [d for d in due if d.township == township]
    return metrics, due


def render_due(due: list[DueCase]) -> str:
    """The clearance list as text lines: overdue first, then due soon."""
    if not due:
        return "no overdue cases\n"
    lines = []
    for d in due:
        when = d.due_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if d.due_at else "—"
        hours = "—" if d.hours is None else f"{d.hours:g} h"
        what = "overdue by" if d.state == "overdue" else "due in"
        lines.append(
            f"{d.case_id}  {d.township} / {d.village} / {d.grid}  {d.level} ({d.status})"
            f"  due {when}  {what} {hours}"
        )
    return "\n".join(lines) + "\n"


async def print_report(
    pool: asyncpg.Pool, period: str, township: str | None, as_of: datetime
) -> str:
    """What `starter.py report --period P [--township T]` prints: the figures of each township
    (or one) and the county for the period, then the cases overdue as of `as_of`.

    Raises ValueError (with the reason) for a period label that cannot be parsed."""
    parsed = parse_period(period)
    metrics, due = await assess(pool, parsed, as_of, township=township)
    overdue = [d for d in due if d.state == "overdue"]
    return (
        render_table(metrics)
        + f"\noverdue as of {as_of.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M} UTC+8: {len(overdue)}\n"
        + render_due(overdue)
    )
