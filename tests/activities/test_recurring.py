"""Recurring problems (每月一题) in the monthly assessment: (type, place) pairs with more than
one case, most first; a merged case is not counted again; a linked or reopened case is a
repeat."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
from temporalio.testing import ActivityEnvironment

from domain.periods import AssessmentKind
from tests.activities.test_reports import compute, ledger, reports  # noqa: F401
from texts.terms import LOCAL_ZONE

NOV = datetime(2026, 11, 10, 9, tzinfo=LOCAL_ZONE)


async def add(pool: asyncpg.Pool, case_id: str, kind: str, village: str, status="open"):
    await pool.execute(
        "INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,"
        " township, village, grid, reported_at, opened_at, policy_name, intake, level, status)"
        " VALUES ($1, $2, $3, 'simple', 'green', 't', '海博湾区', '千里镇', $4, 'g', $5, $5,"
        " 'p', '{}'::jsonb, 'grid', $6)",
        case_id, f"case-{case_id}", kind, village, NOV + timedelta(hours=len(case_id)), status,
    )  # fmt: skip


async def test_the_monthly_report_lists_the_pairs_that_keep_coming_back(
    reports,  # noqa: F811
    ledger,  # noqa: F811
    tmp_path,
):
    for n in range(4):
        await add(ledger, f"W-{n}", "wages", "千里村")
    await add(ledger, "W-dup", "wages", "千里村", status="merged")
    await ledger.execute(
        "INSERT INTO case_links (case_id, other_id, kind, at) VALUES ('W-0', 'W-1', 'related',"
        " now()), ('W-1', 'W-0', 'related', now())"
    )
    for n in range(3):
        await add(ledger, f"N-{n}", "neighbour", "东滩村")
    await add(ledger, "L-0", "land", "东滩村")

    figures = await compute(reports, AssessmentKind.monthly, "2026-11")
    mine = [(r.dispute_type, r.village, r.cases, r.repeats) for r in figures.recurring
            if r.township == "千里镇" and r.village in ("千里村", "东滩村")]  # fmt: skip
    assert mine[:2] == [("wages", "千里村", 4, 2), ("neighbour", "东滩村", 3, 0)]
    assert ("land", "东滩村") not in {(t, v) for t, v, _, _ in mine}  # one case: not recurring
    await ActivityEnvironment().run(reports.write_files, figures)
    summary = (tmp_path / "reports/monthly/2026-11/summary.md").read_text(encoding="utf-8")
    assert "## Recurring problems (problem of the month)" in summary
    assert "| 千里镇 千里村 | 4 | 2 |" in summary


async def test_only_the_monthly_report_lists_them(reports, ledger):  # noqa: F811
    for n in range(3):
        await add(ledger, f"W-{n}", "wages", "千里村")
    daily = await compute(reports, AssessmentKind.daily, "2026-11-10")
    assert daily.recurring == []
