"""The daily clearing list of a campaign window (专项行动清单): the cases still on the ladder
that entered the campaign, supervised first, then soonest due; finished ones drop off."""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg
from temporalio.testing import ActivityEnvironment

from domain.periods import AssessmentKind
from tests import ledger_stories as ls
from tests.activities.test_reports import compute, ledger, reports  # noqa: F401

TITLE = "根治欠薪冬季专项行动"


async def add(pool: asyncpg.Pool, case_id: str, *, status: str, due_at: datetime | None) -> None:
    await pool.execute(
        "INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,"
        " township, village, grid, reported_at, opened_at, policy_name, intake, level, status,"
        " due_at)"
        " VALUES ($1, $2, 'wages', 'general', 'yellow', 't', '海博湾区', '千里镇', '千里村', 'g',"
        " $3, $3, 'p', '{}'::jsonb, 'grid', $4, $5)",
        case_id, f"case-{case_id}", ls.AS_OF - timedelta(days=3), status, due_at,
    )  # fmt: skip


async def entered(pool: asyncpg.Pool, case_id: str, **case) -> None:
    await add(pool, case_id, **case)
    data = {"campaign": "winter-wages-2026", "title": TITLE, "from": "green", "to": "yellow"}
    await pool.execute(
        "INSERT INTO case_events (case_id, seq, at, kind, level, summary, data)"
        " VALUES ($1, 1, $2, 'campaign_entered', 'grid', 's', $3::jsonb)",
        case_id, ls.AS_OF - timedelta(days=3), data,
    )  # fmt: skip


async def test_the_daily_report_lists_each_campaigns_open_cases(
    reports,  # noqa: F811
    ledger,  # noqa: F811
    tmp_path,
):
    await entered(ledger, "C-late", status="open", due_at=ls.AS_OF + timedelta(hours=30))
    await entered(ledger, "C-soon", status="open", due_at=ls.AS_OF + timedelta(hours=5))
    await entered(ledger, "C-sup", status="supervised", due_at=None)
    await entered(ledger, "C-done", status="closed", due_at=None)
    await add(ledger, "C-other", status="open", due_at=ls.AS_OF + timedelta(hours=1))

    figures = await compute(reports, AssessmentKind.daily, "2026-11-30")

    assert [c.case_id for c in figures.campaigns] == ["C-sup", "C-soon", "C-late"]
    assert {c.campaign_title for c in figures.campaigns} == {TITLE}
    assert figures.campaigns[1].hours == 5
    await ActivityEnvironment().run(reports.write_files, figures)
    summary = (tmp_path / "reports/daily/2026-11-30/summary.md").read_text(encoding="utf-8")
    assert f"## Campaign {TITLE}: open cases (3)" in summary
    assert "C-done" not in summary.split("## Campaign")[1]


async def test_only_the_daily_report_lists_them(reports, ledger):  # noqa: F811
    await entered(ledger, "C-open", status="open", due_at=ls.AS_OF + timedelta(hours=5))
    monthly = await compute(reports, AssessmentKind.monthly, "2026-11")
    assert monthly.campaigns == []
