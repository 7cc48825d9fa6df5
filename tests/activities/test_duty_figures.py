"""Report-duty figures (零报告) in the daily and monthly assessment: on time, zero share,
flagged, counted from `duty_reports` against the duty policy in force."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from domain.periods import AssessmentKind
from domain.report_duties import DutyPolicy, ReportKind, duties_on
from ledger import report_duties as duty_ledger
from tests.activities.test_reports import compute, ledger, reports  # noqa: F401

POLICY = DutyPolicy.model_validate(
    {
        "name": "figures-test",
        "cutoff": "16:00",
        "escalate_after": "1h",
        "units": [{"unit": f"G-{i}", "reports_to": "V", "every": "daily"} for i in range(10)],
    }
)


@pytest.fixture
async def duties_filed(ledger: asyncpg.Pool) -> asyncpg.Pool:  # noqa: F811
    """Every day of November 2026: G-0..G-8 file at noon (G-0..G-5 zero), G-9 never; on the
    29th G-8 files zero after the cut-off, and G-0's zero report is flagged."""
    pool = ledger
    await pool.execute("TRUNCATE duty_reports, duty_notices, duty_policy")
    await duty_ledger.set_policy(pool, POLICY, datetime(2026, 10, 1, tzinfo=UTC))
    for day in range(1, 31):
        for duty in duties_on(POLICY, datetime(2026, 11, day).date())[:9]:
            i = int(duty.unit.split("-")[1])
            at = duty.cutoff_at - timedelta(hours=4)
            if day == 29 and i == 8:
                at = duty.cutoff_at + timedelta(minutes=30)
            zero = i < 6 or (day == 29 and i == 8)
            await duty_ledger.file_report(
                pool, duty, kind=ReportKind.zero if zero else ReportKind.matters,
                cases=[] if zero else ["X"], note=None, filed_by={}, filed_at=at,
                flag_cases=["F"] if (day == 29 and i == 0) else [],
            )  # fmt: skip
    return pool


async def test_the_daily_report_counts_yesterdays_duties(reports, duties_filed, tmp_path):  # noqa: F811
    figures = await compute(reports, AssessmentKind.daily, "2026-11-30")
    d = figures.duties
    assert d.first == d.last == date(2026, 11, 29)
    assert (d.owed, d.on_time, d.late, d.missing, d.zero, d.flagged) == (10, 8, 1, 1, 7, 1)
    assert d.on_time_rate == pytest.approx(0.8)
    await ActivityEnvironment().run(reports.write_files, figures)
    summary = (tmp_path / "reports/daily/2026-11-30/summary.md").read_text(encoding="utf-8")
    assert "## Report duties (zero reports)" in summary
    assert "| On time | 8 (80%) |" in summary
    assert "| Zero reports flagged: a case was found | 1 |" in summary
    html = (tmp_path / "reports/daily/2026-11-30/report.html").read_text(encoding="utf-8")
    assert 'id="duties"' in html


async def test_the_monthly_report_counts_each_day_whose_cutoff_has_passed(reports, duties_filed):  # noqa: F811
    # As of noon on the 30th: that day's 16:00 cut-off is still ahead, so it owes nothing yet.
    figures = await compute(reports, AssessmentKind.monthly, "2026-11")
    d = figures.duties
    assert (d.first, d.last) == (date(2026, 11, 1), date(2026, 11, 30))
    assert (d.owed, d.on_time, d.late, d.missing, d.flagged) == (290, 260, 1, 29, 1)
    assert d.zero == 29 * 6 + 1
    assert d.zero_share == pytest.approx((29 * 6 + 1) / 261)
