"""A day's duty round on a real worker: ten grids owe a report, nine file (some zero), the
tenth is reminded at the cut-off and its village told an hour later; a zero report filed after
a case from the grid came in is flagged. The day is two days after the test server's clock,
so nothing depends on today's date or weekday."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from temporalio.testing import WorkflowEnvironment

from domain.report_duties import (
    DutyPolicy,
    DutyRoundInput,
    ReportKind,
    ReportRequest,
    duties_on,
    figures_of,
)
from ledger import report_duties as ledger
from ledger.tokens import Person
from service.report_duties import DutyRefused, duty_list, file_report
from workflows.duty_round import DutyRoundWorkflow

GRIDS = [f"网格{i}" for i in range(1, 11)]


def policy() -> DutyPolicy:
    return DutyPolicy.model_validate(
        {
            "name": "round-test",
            "cutoff": "16:00",
            "escalate_after": "1h",
            "units": [{"unit": g, "reports_to": "一村", "every": "daily"} for g in GRIDS],
        }
    )


def person(unit: str) -> Person:
    return Person(token_id="t", name="网格员", unit=unit, role="grid_worker", level="grid")


async def add_case(pool: asyncpg.Pool, case_id: str, grid: str, opened) -> None:
    """A case row of the grid, taken in at `opened` (all a flag looks at)."""
    await pool.execute(
        "INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,"
        " township, village, grid, reported_at, opened_at, policy_name, intake, level)"
        " VALUES ($1, $2, 'neighbour', 'simple', 'green', '漏水', '县', '镇', '一村', $3, $4,"
        " $4, 'p', '{}'::jsonb, 'grid')",
        case_id, f"case-{case_id}", grid, opened,
    )  # fmt: skip


@pytest.fixture
async def duty_pool(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    await clean_pool.execute("TRUNCATE duty_reports, duty_notices, duty_policy")
    return clean_pool


async def test_nine_grids_file_the_tenth_is_reminded_then_its_village_told(
    time_env: WorkflowEnvironment, case_worker, duty_pool: asyncpg.Pool
):
    p = policy()
    await ledger.set_policy(duty_pool, p, await time_env.get_current_time())
    day = p.local_day(await time_env.get_current_time()) + timedelta(days=2)
    duties = duties_on(p, day)
    before = duties[0].cutoff_at - timedelta(hours=3)
    # Nine file before the cut-off: six zero reports, three naming their matters.
    for i, grid in enumerate(GRIDS[:9]):
        kind = ReportKind.zero if i < 6 else ReportKind.matters
        request = ReportRequest(kind=kind, cases=[] if i < 6 else [f"C-{i}"], day=day)
        await file_report(duty_pool, person(grid), request, before)
    result = await time_env.client.execute_workflow(
        DutyRoundWorkflow.run,
        DutyRoundInput(policy=p, day=day),
        id=f"duty-round-{uuid.uuid4().hex[:6]}",
        task_queue=case_worker.task_queue,
    )
    assert (result.owed, result.reminded, result.escalated) == (10, [GRIDS[9]], [GRIDS[9]])
    notices = await ledger.notices(duty_pool, day, day)
    assert [(n["kind"], n["recipient_unit"]) for n in notices] == [
        ("reminder", GRIDS[9]),
        ("escalation", "一村"),
    ]
    # Both are queued for the dispatcher (tests/notify/test_duty_delivery.py sends them).
    queued = await duty_pool.fetch(
        "SELECT recipient_role, recipient_unit FROM outbox WHERE duty_key LIKE $1 ORDER BY id",
        f"{day.isoformat()}/%",
    )
    assert [tuple(r) for r in queued] == [("reporting_unit", GRIDS[9]), ("supervisor", "一村")]
    # The reminder went out at the cut-off, the escalation an hour later (server time).
    second = timedelta(seconds=1)
    assert abs(notices[0]["created_at"] - duties[0].cutoff_at) < second
    assert abs(notices[1]["created_at"] - duties[0].escalate_at) < second
    listed = await duty_list(duty_pool, day, None, duties[0].escalate_at, p)
    assert [d["state"] for d in listed] == ["zero"] * 6 + ["filed"] * 3 + ["missing"]
    assert listed[9]["reminded_at"] and listed[9]["escalated_at"]
    rows = await ledger.rows(duty_pool, day, day)
    figures = figures_of([(d, r.filing if (r := rows.get((d.unit, d.day))) else None)
                          for d in duties], duties[0].escalate_at)  # fmt: skip
    assert figures.on_time_rate == pytest.approx(0.9)


async def test_a_unit_filing_between_the_reminder_and_the_escalation_is_not_escalated(
    time_env: WorkflowEnvironment, case_worker, duty_pool: asyncpg.Pool
):
    p = policy().model_copy(update={"units": policy().units[:1]})
    await ledger.set_policy(duty_pool, p, await time_env.get_current_time())
    day = p.local_day(await time_env.get_current_time()) + timedelta(days=2)
    (duty,) = duties_on(p, day)
    handle = await time_env.client.start_workflow(
        DutyRoundWorkflow.run,
        DutyRoundInput(policy=p, day=day),
        id=f"duty-round-{uuid.uuid4().hex[:6]}",
        task_queue=case_worker.task_queue,
    )
    for _ in range(400):  # until the reminder is written: move the server's clock on
        if await ledger.notices(duty_pool, day, day):
            break
        await time_env.sleep(timedelta(minutes=15))
    assert await time_env.get_current_time() < duty.escalate_at
    late = duty.cutoff_at + timedelta(minutes=10)
    answer = await file_report(duty_pool, person(GRIDS[0]), ReportRequest(day=day), late)
    assert answer["state"] == "late"
    result = await handle.result()
    assert (result.reminded, result.escalated) == ([GRIDS[0]], [])


async def test_a_zero_report_after_a_case_from_the_grid_came_in_is_flagged(
    duty_pool: asyncpg.Pool,
):
    p = policy()
    await ledger.set_policy(duty_pool, p, datetime(2026, 12, 1, tzinfo=UTC))
    noon = datetime(2026, 12, 6, 12, tzinfo=p.zone)
    await add_case(duty_pool, "F-1", GRIDS[0], noon - timedelta(hours=3))  # this morning
    await add_case(duty_pool, "F-2", GRIDS[1], noon - timedelta(days=1))  # yesterday
    await add_case(duty_pool, "F-3", GRIDS[2], noon + timedelta(hours=1))  # after the report
    answers = [await file_report(duty_pool, person(g), ReportRequest(), noon) for g in GRIDS[:3]]
    assert [a["state"] for a in answers] == ["flagged", "zero", "zero"]
    assert answers[0]["flag_cases"] == ["F-1"]
    # A report naming its matters is never flagged.
    matters = ReportRequest(kind="matters", cases=["F-1"])
    await duty_pool.execute("DELETE FROM duty_reports")
    assert (await file_report(duty_pool, person(GRIDS[0]), matters, noon))["state"] == "filed"


async def test_filing_twice_keeps_the_first_report(duty_pool: asyncpg.Pool):
    p = policy()
    await ledger.set_policy(duty_pool, p, datetime(2026, 12, 1, tzinfo=UTC))
    noon = datetime(2026, 12, 6, 12, tzinfo=p.zone)
    first = await file_report(duty_pool, person(GRIDS[0]), ReportRequest(), noon)
    again = ReportRequest(kind="matters", cases=["X"])
    second = await file_report(duty_pool, person(GRIDS[0]), again, noon + timedelta(hours=1))
    assert (first["already"], second["already"]) == (False, True)
    assert (second["kind"], second["filed_at"]) == ("zero", first["filed_at"])


async def test_a_refused_filing_writes_nothing(duty_pool: asyncpg.Pool):
    p = policy()
    await ledger.set_policy(duty_pool, p, datetime(2026, 12, 1, tzinfo=UTC))
    noon = datetime(2026, 12, 6, 12, tzinfo=p.zone)
    with pytest.raises(DutyRefused):
        await file_report(duty_pool, person("别处"), ReportRequest(unit=GRIDS[0]), noon)
    assert await ledger.rows(duty_pool, noon.date(), noon.date()) == {}
