"""Report activities against real PostgreSQL: figures through SQL, files on disk, upserts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.reports import ReportActivities
from domain.assessment_models import AssessmentFigures, ComputeRequest, RecordRequest
from domain.metrics import Ledger
from domain.periods import AssessmentKind
from runtime.reporting import print_report
from tests import ledger_stories as ls


@pytest.fixture
async def ledger(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    """The November stories in the ledger, and no assessments yet."""
    await clean_pool.execute("TRUNCATE assessments")
    await ls.insert(clean_pool, ls.november())
    return clean_pool


@pytest.fixture
def reports(ledger: asyncpg.Pool, tmp_path: Path) -> ReportActivities:
    return ReportActivities(ledger, tmp_path / "reports")


async def compute(
    reports: ReportActivities, kind: AssessmentKind = AssessmentKind.monthly, period="2026-11"
) -> AssessmentFigures:
    request = ComputeRequest(kind=kind, period=period, as_of=ls.AS_OF)
    return await ActivityEnvironment().run(reports.compute, request)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


async def test_figures_computed_from_the_database_are_exact(reports):
    figures = await compute(reports)

    assert [(m.scope_level.value, m.scope_unit) for m in figures.metrics] == [
        ("township", ls.HAIBEI),
        ("township", ls.QIANLI),
        ("county", ls.COUNTY),
    ]
    haibei = figures.metrics[0].model_dump()
    assert {name: haibei[name] for name in ls.EXPECTED} == ls.EXPECTED
    assert [(d.case_id, d.state) for d in figures.due] == [("D", "overdue"), ("G", "overdue")]


async def test_only_the_daily_lists_cases_due_within_24_hours(reports):
    figures = await compute(reports, AssessmentKind.daily, "2026-11-30")

    assert [(d.case_id, d.state, d.hours) for d in figures.due][-1] == ("I", "due_soon", 5.0)
    assert figures.metrics[0].received == 0  # nothing opened on 30 November


async def test_files_hold_a_row_per_township_and_the_county(reports, tmp_path):
    figures = await compute(reports)

    files = await ActivityEnvironment().run(reports.write_files, figures)

    folder = tmp_path / "reports" / "monthly" / "2026-11"
    names = ["metrics.csv", "overdue.csv", f"{ls.HAIBEI}.png", f"{ls.QIANLI}.png", "summary.md"]
    assert files == [f"monthly/2026-11/{name}" for name in names]
    rows = read_csv(folder / "metrics.csv")
    assert [(r["scope_level"], r["scope_unit"], r["received"]) for r in rows] == [
        ("township", ls.HAIBEI, "6"),
        ("township", ls.QIANLI, "1"),
        ("county", ls.COUNTY, "7"),
    ]
    assert float(rows[0]["on_time_rate"]) == 7 / 9
    assert rows[1]["resolved"] == "0" and rows[1]["grid_village_share"] == ""  # no rate
    assert [r["case_id"] for r in read_csv(folder / "overdue.csv")] == ["D", "G"]
    assert (folder / f"{ls.HAIBEI}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = (folder / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith(f"# Monthly assessment 2026-11 — {ls.COUNTY}")
    assert f"| {ls.HAIBEI} | 6 | 5 | 80.0% | 66.7% | 40.0% | 77.8% | 50.0% |" in summary
    assert "## Overdue cases (2)" in summary and "| D | Haibei Street |" in summary
    assert "due within 24 hours" not in summary


async def test_the_daily_summary_has_the_clearance_list(reports, tmp_path):
    figures = await compute(reports, AssessmentKind.daily, "2026-11-30")

    await ActivityEnvironment().run(reports.write_files, figures)

    summary = (tmp_path / "reports/daily/2026-11-30/summary.md").read_text(encoding="utf-8")
    assert "## Clearance list: due within 24 hours (1)" in summary
    assert "| I | Haibei Street | Diamond Square Community | G-07 | grid | open |" in summary


async def test_writing_files_again_replaces_them_and_leaves_no_temporary_files(reports, tmp_path):
    figures = await compute(reports)
    env = ActivityEnvironment()

    first = await env.run(reports.write_files, figures)
    second = await env.run(reports.write_files, figures)

    assert first == second
    written = sorted(p.name for p in (tmp_path / "reports/monthly/2026-11").iterdir())
    assert written == sorted(Path(f).name for f in first)


async def test_recording_twice_upserts_one_row_per_unit(reports, ledger):
    figures = await compute(reports)
    env = ActivityEnvironment()
    request = RecordRequest(figures=figures, files=["monthly/2026-11/metrics.csv"])

    assert await env.run(reports.record, request) == 3
    await ls.insert(ledger, Ledger.of([ls.case("K", ls.at(11, 20), "open", "grid")], []))
    assert await env.run(reports.record, RecordRequest(figures=await compute(reports), files=[]))

    rows = await ledger.fetch(
        "SELECT scope_level, scope_unit, received, on_time_rate, reopen_rate, overdue, files,"
        " jsonb_array_length(due_cases) AS due FROM assessments"
        " ORDER BY scope_level DESC, scope_unit"
    )
    assert [tuple(r.values()) for r in rows] == [
        ("township", ls.HAIBEI, 7, 7 / 9, 1 / 5, 1, [], 1),
        ("township", ls.QIANLI, 1, None, None, 1, [], 1),
        ("county", ls.COUNTY, 8, 7 / 9, 1 / 5, 2, [], 2),
    ]


async def test_the_terminal_report_shows_one_township_against_its_county(ledger):
    text = await print_report(ledger, "2026-11", ls.HAIBEI, ls.AS_OF)

    units = [line.split("  ")[0].strip() for line in text.splitlines()[3:5]]
    assert units == [ls.HAIBEI, f"{ls.COUNTY} (county)"]
    assert ls.QIANLI not in text
    assert "overdue as of 2026-11-30 12:00 UTC+8: 1" in text
    assert text.splitlines()[-1].startswith("D  Haibei Street")


async def test_the_terminal_report_refuses_a_period_it_cannot_read(ledger):
    with pytest.raises(ValueError, match="2026-13"):
        await print_report(ledger, "2026-13", None, ls.AS_OF)


async def test_the_daily_summary_lists_dead_notifications_and_the_monthly_does_not(
    reports, ledger, tmp_path
):
    dead_id = await ledger.fetchval(
        "INSERT INTO outbox (case_id, seq, recipient_role, recipient_unit, recipient_name,"
        " message, dead_at, attempts, last_error)"
        " VALUES ('I', 1, 'grid_worker', 'G-07', '赵网格员', 'm', now(), 12, 'HTTP 503: down')"
        " RETURNING id"
    )
    await ledger.execute(
        "INSERT INTO outbox (case_id, seq, recipient_role, recipient_unit, message)"
        " VALUES ('I', 1, 'supervisor', 'X', 'still pending')"
    )
    daily = await compute(reports, AssessmentKind.daily, "2026-11-30")
    monthly = await compute(reports)

    assert [(n.id, n.case_id, n.attempts) for n in daily.dead_notifications] == [(dead_id, "I", 12)]
    assert monthly.dead_notifications == []
    await ActivityEnvironment().run(reports.write_files, daily)
    summary = (tmp_path / "reports/daily/2026-11-30/summary.md").read_text(encoding="utf-8")
    assert "## Notifications not delivered (1)" in summary
    assert f"| {dead_id} | I | 1 |" in summary and "grid_worker@G-07 (赵网格员)" in summary
    assert "HTTP 503: down |" in summary
