"""The terminal report `starter.py report` prints: the figures table and the clearance list.

Then the 信访 figures, the tracks' and the days per track, a table each.
The counts come from SQL aggregates (`ledger.reports`), read in one snapshot; the rates,
the clearance list and the table are the pure `domain.metrics`. The response windows are the
deadline policy's `[response_window]` (policy.toml unless another file is given).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

import asyncpg

from activities.report_texts import figure_names, more_tables
from domain.metrics import (
    DueCase,
    TableWords,
    parse_period,
    render_table,
)
from domain.periods import LOCAL_TZ
from domain.policy import ResponseWindow
from ledger.reports import assess
from runtime.config import response_windows
from texts import Lang, texts
from texts.terms import label


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
    tables = [render_table(metrics, words)]
    for table in more_tables(lang):
        # The same rows again under the table's heading: 信访, the tracks, days per track.
        columns = [(f.name, f.field, f.is_rate) for f in table.figures]
        titled = dataclasses.replace(words, title=table.heading, names={})
        tables.append(render_table(metrics, titled, columns))
    return "\n".join(tables) + f"\n{heading}\n" + render_due(overdue, lang)


async def write_report_files(
    pool: asyncpg.Pool, period: str, as_of: datetime, reports_dir, lang: Lang | str
) -> list[str]:
    """The period's report files (CSVs, charts, summary, report.html) under `reports_dir`, as
    the scheduled assessment writes them, for any period, the current one included; their
    paths relative to `reports_dir`."""
    from activities.reports import ReportActivities
    from domain.assessment_models import ComputeRequest
    from domain.periods import AssessmentKind

    kind = {"month": AssessmentKind.monthly, "week": AssessmentKind.weekly,
            "day": AssessmentKind.daily}[parse_period(period).kind.value]  # fmt: skip
    reports = ReportActivities(pool, reports_dir, lang=Lang(lang))
    figures = await reports.compute(ComputeRequest(kind=kind, period=period, as_of=as_of))
    return await reports.write_files(figures)
