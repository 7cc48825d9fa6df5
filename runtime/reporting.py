"""The assessment of a period from the ledger, and the terminal report `starter.py report` prints.

The counts come from SQL aggregates (`runtime.report_sql`), read in one snapshot; the rates,
the clearance list and the table are the pure `domain.metrics`. The response windows are the
deadline policy's `[response_window]` (policy.toml unless another file is given).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import asyncpg

from activities.report_texts import figure_names
from domain.metrics import (
    DueCase,
    Metrics,
    Period,
    TableWords,
    counts_of_scopes,
    due_cases,
    metrics_of,
    parse_period,
    render_table,
    scopes_of,
    year_earlier,
)
from domain.periods import LOCAL_TZ, PeriodKind
from domain.policy import ResponseWindow, parse_policy
from runtime import config
from runtime.report_sql import count_units, fetch_due, fetch_units
from texts import Lang, texts
from texts.terms import label


def response_windows(path: Path = config.DEFAULT_POLICY) -> ResponseWindow:
    """The `[response_window]` of the policy file at `path`."""
    return parse_policy(path.read_text(encoding="utf-8"), source=str(path)).response_window


async def assess(
    pool: asyncpg.Pool,
    period: Period,
    as_of: datetime,
    *,
    township: str | None = None,
    soon: bool = False,
    windows: ResponseWindow | None = None,
) -> tuple[list[Metrics], list[DueCase]]:
    """The figures of each township (or only `township`) and its county for `period`, and the
    clearance list as of `as_of` (with `soon`: also cases due within 24 hours)."""
    windows = windows or ResponseWindow()
    year_ago = year_earlier(period) if period.kind is PeriodKind.month else None
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        # One snapshot: every count and the clearance list as of the same moment.
        counts = await count_units(conn, period, windows, year_ago)
        # The due-soon count is a figure of every assessment; only the daily one lists them.
        due = due_cases(await fetch_due(conn, as_of, soon=True), as_of, soon=True)
        units = await fetch_units(conn)
    scopes = scopes_of(units, township)
    by_scope = counts_of_scopes(counts, scopes)
    metrics = [metrics_of(by_scope[s], s, period, as_of, due) for s in scopes]
    if not soon:
        due = [d for d in due if d.state == "overdue"]
    if township is not None:
        due = [d for d in due if d.township == township]
    return metrics, due


def render_due(due: list[DueCase], lang: Lang | str = Lang.en) -> str:
    """The clearance list as text lines: overdue first, then due soon."""
    _ = texts("cli", lang)
    if not due:
        return _("no overdue cases") + "\n"
    lines = []
    for d in due:
        when = d.due_at.astimezone(LOCAL_TZ).strftime("%Y-%m-%d %H:%M") if d.due_at else "—"
        if d.hours is None:
            what = "—"
        elif d.state == "overdue":
            what = _("overdue by {hours:g} h").format(hours=d.hours)
        else:
            what = _("due in {hours:g} h").format(hours=d.hours)
        where = f"{d.township} / {d.village} / {d.grid}"
        state = f"{label('level', d.level, lang)} ({label('status', d.status, lang)})"
        due_at = _("due {at}").format(at=when)
        lines.append(f"{d.case_id}  {where}  {state}  {due_at}  {what}")
    return "\n".join(lines) + "\n"


async def print_report(
    pool: asyncpg.Pool,
    period: str,
    township: str | None,
    as_of: datetime,
    windows: ResponseWindow | None = None,
    lang: Lang | str = Lang.en,
) -> str:
    """What `starter.py report --period P [--township T]` prints: the figures of each township
    (or one) and the county for the period, then the cases overdue as of `as_of`.

    Raises ValueError (with the reason) for a period label that cannot be parsed."""
    parsed = parse_period(period)
    windows = windows or response_windows()
    metrics, due = await assess(pool, parsed, as_of, township=township, windows=windows)
    overdue = [d for d in due if d.state == "overdue"]
    _ = texts("cli", lang)
    heading = _("overdue as of {at} UTC+8: {count}").format(
        at=f"{as_of.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}", count=len(overdue)
    )
    words = TableWords(
        names=figure_names(lang),
        unit=_("unit"),
        county=_(" (county)"),
        title=_("period {period}, as of {as_of} UTC+8"),
        empty=_("no units to report"),
    )
    return render_table(metrics, words) + f"\n{heading}\n" + render_due(overdue, lang)
