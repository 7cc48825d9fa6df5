"""CaseWorkflow on the time-skipping server, with a real worker and real PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta

import asyncpg
import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.case_models import Actor, CaseStatus, OutcomeInput
from domain.naming import workflow_id_for
from tests import factories
from workflows.case import CaseWorkflow

HANDLER = Actor(name="赵网格员", role="grid_worker", unit="G-07")


async def start(
    env: WorkflowEnvironment, worker: Worker, case_id: str | None = None, **kw
) -> WorkflowHandle:
    case_id = case_id or f"T-{uuid.uuid4().hex[:8]}"
    return await env.client.start_workflow(
        CaseWorkflow.run,
        factories.case_start(case_id, **kw),
        id=workflow_id_for(case_id),
        task_queue=worker.task_queue,
    )


async def ledger_kinds(pool: asyncpg.Pool, case_id: str) -> list[str]:
    rows = await pool.fetch("SELECT kind FROM case_events WHERE case_id = $1 ORDER BY seq", case_id)
    return [r["kind"] for r in rows]


async def test_case_left_alone_climbs_to_the_county_and_is_supervised(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker)

    await time_env.sleep(timedelta(days=40))  # general budgets: 1 + 2 + 4 + 15 days

    view = await handle.query(CaseWorkflow.view)
    assert view.status is CaseStatus.supervised
    assert view.level.value == "county"
    assert view.due_at is None
    kinds = [e.kind for e in view.events]
    assert kinds == [
        "opened",
        "assigned",
        "deadline_passed",
        "escalated",  # grid -> village
        "deadline_passed",
        "escalated",  # village -> township
        "deadline_passed",
        "escalated",  # township -> county
        "deadline_passed",
        "supervised",
    ]
    assert [e.level.value for e in view.events if e.kind == "escalated"] == [
        "village",
        "township",
        "county",
    ]
    assert await ledger_kinds(clean_pool, view.case_id) == kinds
    row = await clean_pool.fetchrow(
        "SELECT status, level, last_seq FROM cases WHERE case_id = $1", view.case_id
    )
    assert dict(row) == {"status": "supervised", "level": "county", "last_seq": len(kinds)}


async def test_each_level_deadline_follows_the_policy_copied_into_the_case(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, complexity="simple")
    await time_env.sleep(timedelta(hours=7))  # simple grid budget is 6h

    view = await handle.query(CaseWorkflow.view)
    assert view.level.value == "village"
    escalated = next(e for e in view.events if e.kind == "escalated")
    assert view.due_at - escalated.at == timedelta(hours=6)  # simple village budget


async def test_resolved_outcome_closes_the_case_at_its_level(time_env, case_worker, clean_pool):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker)

    view = await handle.execute_update(
        CaseWorkflow.report_outcome,
        OutcomeInput(outcome="resolved", actor=HANDLER, level="grid", agreement="repair by 12-01"),
    )
    result = await handle.result()

    assert view.status is CaseStatus.resolved
    assert (result.status, result.level.value) == (CaseStatus.resolved, "grid")
    assert view.assignee is not None and view.assignee.name == "赵网格员"
    assert await ledger_kinds(clean_pool, result.case_id) == ["opened", "assigned", "resolved"]
    agreement = await clean_pool.fetchval(
        "SELECT data->>'agreement' FROM case_events WHERE case_id = $1 AND kind = 'resolved'",
        result.case_id,
    )
    assert agreement == "repair by 12-01"


async def test_failed_outcome_escalates_at_once_with_its_reason(time_env, case_worker, clean_pool):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker)

    view = await handle.execute_update(
        CaseWorkflow.report_outcome,
        OutcomeInput(outcome="failed", actor=HANDLER, reason="respondent refuses to meet"),
    )

    assert view.level.value == "village"
    assert view.assignee is not None and view.assignee.name == "钱调解员"
    failed = next(e for e in view.events if e.kind == "failed")
    assert failed.data["reason"] == "respondent refuses to meet"
    assert failed.level.value == "grid"


async def test_outcome_meant_for_an_earlier_level_is_refused_and_not_recorded(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    await handle.execute_update(
        CaseWorkflow.report_outcome,
        OutcomeInput(outcome="failed", actor=HANDLER, reason="no contact"),
    )
    before = await handle.query(CaseWorkflow.view)

    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.report_outcome,
            OutcomeInput(outcome="resolved", actor=HANDLER, level="grid"),
        )

    assert "at the village level now, not grid" in str(caught.value.cause)
    after = await handle.query(CaseWorkflow.view)
    assert after.events == before.events
    assert len(await ledger_kinds(clean_pool, before.case_id)) == len(before.events)


async def test_outcome_on_a_resolved_case_is_refused(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker)
    await handle.execute_update(
        CaseWorkflow.report_outcome, OutcomeInput(outcome="resolved", actor=HANDLER)
    )
    await handle.result()

    # The workflow has completed: the server refuses the update before any code of ours runs.
    with pytest.raises((WorkflowUpdateFailedError, RPCError)):
        await handle.execute_update(
            CaseWorkflow.report_outcome, OutcomeInput(outcome="resolved", actor=HANDLER)
        )
    assert await ledger_kinds(clean_pool, handle.id.removeprefix("case-")) == [
        "opened",
        "assigned",
        "resolved",
    ]


async def test_red_case_opens_at_the_township(time_env, case_worker, clean_pool):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker, risk_flags=["group_dispute"])

    view = await handle.execute_update(
        CaseWorkflow.report_outcome,
        OutcomeInput(outcome="resolved", actor=HANDLER, level="township"),
    )

    assert view.risk.value == "red"
    assert [e.level.value for e in view.events] == ["township"] * 3
    assert view.assignee is not None and view.assignee.unit == "Haibei Street"


async def test_unit_missing_from_the_roster_leaves_the_case_unassigned_and_says_so(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)  # no roster loaded

    view = await handle.query(CaseWorkflow.view)
    for _ in range(50):
        if len(view.events) >= 2:
            break
        view = await handle.query(CaseWorkflow.view)

    assert view.assignee is None
    assert "no handler on the roster" in view.events[1].summary


async def test_failure_at_the_county_keeps_the_case_open_under_supervision(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    for level in ("grid", "village", "township", "county"):
        view = await handle.execute_update(
            CaseWorkflow.report_outcome,
            OutcomeInput(outcome="failed", actor=HANDLER, level=level, reason=f"stuck at {level}"),
        )

    assert view.status is CaseStatus.supervised
    assert view.level.value == "county"
    final = await handle.execute_update(
        CaseWorkflow.report_outcome, OutcomeInput(outcome="resolved", actor=HANDLER, level="county")
    )
    assert final.status is CaseStatus.resolved
