"""The assessment cycle on a real dev server: schedules created idempotently, a triggered run
producing its files and rows, and a run by hand for a named period.

The time-skipping test server does not implement Schedules (CreateSchedule is
"unimplemented"), so these tests run on the dev server, started once for the module.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from pydantic import ValidationError
from temporalio.client import ScheduleActionExecutionStartWorkflow, ScheduleOverlapPolicy
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.reports import ReportActivities
from domain.assessment_models import AssessmentInput
from domain.naming import assessment_schedule_id, assessment_workflow_id
from domain.periods import AssessmentKind, default_period
from service.schedules import ensure_schedules
from tests import ledger_stories as ls
from tests.ledger_stories import Ledger
from workflows.assessment import AssessmentWorkflow

SCHEDULE_IDS = [assessment_schedule_id(kind) for kind in AssessmentKind]


@pytest.fixture
async def no_schedules(dev_env: WorkflowEnvironment) -> None:
    for schedule_id in SCHEDULE_IDS:
        try:
            await dev_env.client.get_schedule_handle(schedule_id).delete()
        except RPCError:
            pass  # not there: nothing to delete


@pytest.fixture
async def reports_worker(
    dev_env: WorkflowEnvironment, clean_pool: asyncpg.Pool, tmp_path: Path
) -> AsyncIterator[Worker]:
    """A worker for assessments on its own task queue, writing under `tmp_path/reports`."""
    await clean_pool.execute("TRUNCATE assessments")
    reports = ReportActivities(clean_pool, tmp_path / "reports")
    async with Worker(
        dev_env.client,
        task_queue=f"assess-{uuid.uuid4().hex[:8]}",
        workflows=[AssessmentWorkflow],
        activities=[reports.compute, reports.write_files, reports.record],
    ) as worker:
        yield worker


async def test_ensuring_the_schedules_twice_creates_three_then_updates_them(dev_env, no_schedules):
    client = dev_env.client

    first = await ensure_schedules(client, "queue-a")
    second = await ensure_schedules(client, "queue-b")

    assert [(o.schedule_id, o.action) for o in first] == [(i, "created") for i in SCHEDULE_IDS]
    assert [o.action for o in second] == ["updated"] * 3
    listed = [s.id async for s in await client.list_schedules()]
    assert sorted(i for i in listed if i.startswith("assessment-")) == sorted(SCHEDULE_IDS)
    monthly = await client.get_schedule_handle("assessment-monthly").describe()
    assert monthly.schedule.action.workflow == "AssessmentWorkflow"
    assert monthly.schedule.action.id == "assessment-monthly"
    assert monthly.schedule.action.task_queue == "queue-b"  # the update took effect
    assert monthly.schedule.policy.overlap is ScheduleOverlapPolicy.SKIP
    calendar = monthly.schedule.spec.calendars[0]
    # 09:00 on the 1st in Beijing is 01:00 UTC.
    assert (calendar.day_of_month[0].start, calendar.hour[0].start) == (1, 1)


async def test_updating_keeps_a_pause_set_by_hand(dev_env, no_schedules):
    client = dev_env.client
    await ensure_schedules(client, "queue-a")
    await client.get_schedule_handle("assessment-weekly").pause(note="holiday week")

    await ensure_schedules(client, "queue-a")

    state = (await client.get_schedule_handle("assessment-weekly").describe()).schedule.state
    assert (state.paused, state.note) == (True, "holiday week")


async def test_a_triggered_daily_run_writes_the_clearance_list(
    dev_env, no_schedules, reports_worker, clean_pool, tmp_path
):
    now = datetime.now(UTC)
    late = ls.case(
        "LATE-1", now - timedelta(days=2), "open", "grid", due_at=now - timedelta(hours=3)
    )
    await ls.insert(clean_pool, Ledger.of([late], []))
    await ensure_schedules(dev_env.client, reports_worker.task_queue)
    await ensure_schedules(dev_env.client, reports_worker.task_queue)
    schedule = dev_env.client.get_schedule_handle("assessment-daily")

    await schedule.trigger()

    started = None
    for _ in range(100):
        actions = (await schedule.describe()).info.recent_actions
        if actions:
            started = actions[-1].action
            break
        await asyncio.sleep(0.1)
    assert isinstance(started, ScheduleActionExecutionStartWorkflow)
    assert started.workflow_id.startswith(assessment_workflow_id(AssessmentKind.daily))
    handle = dev_env.client.get_workflow_handle_for(
        AssessmentWorkflow.run, started.workflow_id, run_id=started.first_execution_run_id
    )
    result = await asyncio.wait_for(handle.result(), timeout=60)

    today = {default_period(AssessmentKind.daily, t).label for t in (now, datetime.now(UTC))}
    assert result.period in today
    assert result.townships == 1
    folder = tmp_path / "reports" / "daily" / result.period
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["metrics.csv", "overdue.csv", f"{ls.HAIBEI}.png", "summary.md", "report.html"]
    )
    assert "| LATE-1 | " in (folder / "summary.md").read_text(encoding="utf-8")
    assert '<td class="id">LATE-1</td>' in (folder / "report.html").read_text(encoding="utf-8")
    rows = await clean_pool.fetch("SELECT scope_unit, overdue, files FROM assessments")
    assert sorted((r["scope_unit"], r["overdue"], len(r["files"])) for r in rows) == [
        (ls.HAIBEI, 1, 5),
        (ls.COUNTY, 1, 5),
    ]


async def test_a_run_by_hand_for_a_named_month_assesses_that_month(
    dev_env, reports_worker, clean_pool, tmp_path
):
    await ls.insert(clean_pool, ls.november())

    result = await dev_env.client.execute_workflow(
        AssessmentWorkflow.run,
        AssessmentInput(kind=AssessmentKind.monthly, period="2026-11"),
        id=assessment_workflow_id(AssessmentKind.monthly, f"2026-11-{uuid.uuid4().hex[:6]}"),
        task_queue=reports_worker.task_queue,
    )

    assert (result.period, result.townships, len(result.files)) == ("2026-11", 2, 6)
    received = await clean_pool.fetchval(
        "SELECT received FROM assessments WHERE kind = 'monthly' AND period = '2026-11'"
        " AND scope_unit = $1",
        ls.HAIBEI,
    )
    assert received == ls.EXPECTED["received"]
    assert (tmp_path / "reports/monthly/2026-11/summary.md").exists()


@pytest.mark.parametrize(
    ("kind", "period"),
    [(AssessmentKind.monthly, "2026-11-23"), (AssessmentKind.weekly, "2026-W99")],
)
def test_a_run_for_an_impossible_or_mismatched_period_is_refused_before_it_starts(kind, period):
    with pytest.raises(ValidationError, match=period):
        AssessmentInput(kind=kind, period=period)
