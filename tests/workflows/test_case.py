"""CaseWorkflow's ladder on the time-skipping server, with a real worker and real PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import asyncpg
import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from domain.case_models import CaseStatus, OutcomeInput
from domain.naming import workflow_id_for
from tests import factories
from tests.factories import COUNTY, GRID, TOWNSHIP, VILLAGE
from workflows.case import CaseWorkflow


async def start(
    env: WorkflowEnvironment,
    worker: Worker,
    case_id: str | None = None,
    *,
    history_limit: int | None = None,
    **kw,
) -> WorkflowHandle:
    case_id = case_id or f"T-{uuid.uuid4().hex[:8]}"
    case = factories.case_start(case_id, **kw)
    if history_limit is not None:
        case = case.model_copy(update={"history_limit": history_limit})
    handle = await env.client.start_workflow(
        CaseWorkflow.run, case, id=workflow_id_for(case_id), task_queue=worker.task_queue
    )
    return handle


async def ledger_kinds(pool: asyncpg.Pool, case_id: str) -> list[str]:
    rows = await pool.fetch("SELECT kind FROM case_events WHERE case_id = $1 ORDER BY seq", case_id)
    return [r["kind"] for r in rows]


async def view_when(handle: WorkflowHandle, ready, tries: int = 200):
    """The case's view once `ready(view)` holds (activities run in real time)."""
    for _ in range(tries):
        view = await handle.query(CaseWorkflow.view)
        if ready(view):
            return view
        await asyncio.sleep(0.02)
    raise AssertionError(f"case never reached the expected state: {view.events}")


def settled(view) -> bool:
    """Opened and handed to its first handler."""
    return any(e.kind in ("assigned", "escalated") for e in view.events)


#: Events of other stories running beside the ladder: warnings, the mediation track's clock.
BESIDE_THE_LADDER = frozenset({"warning", "mediation_track", "track_lapsed"})


def kinds(view) -> list[str]:
    return [e.kind for e in view.events if e.kind not in BESIDE_THE_LADDER]


async def test_case_left_alone_climbs_to_the_county_and_is_supervised(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker)

    await time_env.sleep(timedelta(days=40))  # general budgets: 1d + 2d + 4d + 10 working days

    view = await handle.query(CaseWorkflow.view)
    assert view.status is CaseStatus.supervised
    assert view.level.value == "county"
    assert view.due_at is None
    assert kinds(view) == [
        "opened", "assigned",
        "deadline_passed", "escalated",  # grid -> village
        "deadline_passed", "escalated",  # village -> township
        "deadline_passed", "escalated",  # township -> county
        "deadline_passed", "supervised",
    ]  # fmt: skip
    escalations = [e for e in view.events if e.kind == "escalated"]
    assert [e.level.value for e in escalations] == ["village", "township", "county"]
    assert {e.data["trigger"] for e in escalations} == {"deadline"}
    ledger = await ledger_kinds(clean_pool, view.case_id)
    assert ledger == [e.kind for e in view.events]
    assert view.mediation.history == ["peoples", "judicial_pre_filing"]  # 30 days each
    row = await clean_pool.fetchrow(
        "SELECT status, level, last_seq FROM cases WHERE case_id = $1", view.case_id
    )
    assert dict(row) == {"status": "supervised", "level": "county", "last_seq": len(ledger)}
    # Overdue in the ledger since the county's deadline passed, though no level clock runs.
    urgent = await clean_pool.fetchrow(
        "SELECT deadline, deadline_clock FROM cases WHERE case_id = $1", view.case_id
    )
    assert (urgent["deadline"], urgent["deadline_clock"]) == (view.overdue_since, "supervised")


async def test_each_level_deadline_follows_the_policy_copied_into_the_case(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, complexity="simple")
    await time_env.sleep(timedelta(hours=7))  # simple grid budget is 6h

    view = await handle.query(CaseWorkflow.view)
    assert view.level.value == "village"
    escalated = next(e for e in view.events if e.kind == "escalated")
    assert view.due_at - escalated.at == timedelta(hours=6)  # simple village budget
    assert view.budget == "6h"


async def test_resolved_outcome_closes_the_case_at_its_level(time_env, case_worker, clean_pool):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker, policy=factories.NO_VISITS)

    view = await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID, level="grid")
    )
    result = await handle.result()

    assert view.status is CaseStatus.closed
    assert (result.status, result.level.value) == (CaseStatus.closed, "grid")
    assert view.assignee is not None and view.assignee.name == "赵网格员"
    assert await ledger_kinds(clean_pool, result.case_id) == [
        "opened", "mediation_track", "assigned", "resolved", "closed",
    ]  # fmt: skip
    resolved = await clean_pool.fetchrow(
        "SELECT data FROM case_events WHERE case_id = $1 AND kind = 'resolved'", result.case_id
    )
    assert resolved["data"]["on_time"] is True


async def test_an_agreement_opens_the_confirmation_window_which_may_lapse(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, policy=factories.NO_VISITS)
    view = await handle.execute_update(
        CaseWorkflow.outcome,
        OutcomeInput(outcome="resolved", actor=GRID, agreement="repair by 12-01"),
    )
    assert view.status is CaseStatus.resolved and view.confirmation.outcome is None

    result = await handle.result()  # time skips: the reminder, then the window closes

    final = await handle.query(CaseWorkflow.view)
    assert result.status is CaseStatus.closed
    assert [e.kind for e in final.events][-3:] == [
        "confirmation_reminder", "confirmation_lapsed", "closed",
    ]  # fmt: skip
    assert final.confirmation.outcome == "lapsed"
    assert final.events[-4].kind == "confirmation_window"
    assert final.events[-5].data["agreement"] == "repair by 12-01"


async def test_failed_outcome_escalates_at_once_with_its_reason(time_env, case_worker, clean_pool):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker)

    view = await handle.execute_update(
        CaseWorkflow.outcome,
        OutcomeInput(outcome="failed", actor=GRID, reason="respondent refuses to meet"),
    )

    assert view.level.value == "village"
    assert view.assignee is not None and view.assignee.name == "钱调解员"
    failed = next(e for e in view.events if e.kind == "failed")
    assert failed.data["reason"] == "respondent refuses to meet"
    assert failed.level.value == "grid"
    assert view.events[-1].data["trigger"] == "failed"


async def test_outcome_meant_for_an_earlier_level_is_refused_and_not_recorded(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="failed", actor=GRID, reason="no contact")
    )
    before = await handle.query(CaseWorkflow.view)

    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.outcome,
            OutcomeInput(outcome="resolved", actor=VILLAGE, level="grid"),
        )

    assert "at the village level now, not grid" in str(caught.value.cause)
    after = await handle.query(CaseWorkflow.view)
    assert after.events == before.events
    assert len(await ledger_kinds(clean_pool, before.case_id)) == len(before.events)


async def test_outcome_on_a_finished_case_is_refused(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker, policy=factories.NO_VISITS)
    await handle.execute_update(CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID))
    await handle.result()

    # The workflow has completed: the server refuses the update before any code of ours runs.
    with pytest.raises((WorkflowUpdateFailedError, RPCError)):
        await handle.execute_update(
            CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID)
        )
    assert await ledger_kinds(clean_pool, handle.id.removeprefix("case-")) == [
        "opened", "mediation_track", "assigned", "resolved", "closed",
    ]  # fmt: skip


async def test_red_case_opens_at_the_township_and_is_reported_to_the_county_and_the_police(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker, risk_flags=["group_dispute"])

    view = await view_when(handle, settled)

    assert view.risk.value == "red"
    assert [e.level.value for e in view.events] == ["township"] * 4
    assert [e.kind for e in view.events][-1] == "lead_assigned"
    assert view.assignee is not None and view.assignee.unit == "Haibei Street"
    assert view.assignee.name == "孙主任"  # a lead is never the handler
    assert view.lead is not None and view.lead.name == "郑书记"  # red: the party secretary
    assert view.budget == "1d"  # policy.toml: red cases get one day at the township
    outbox = await clean_pool.fetch(
        "SELECT recipient_role, recipient_unit FROM outbox WHERE case_id = $1 AND seq = 1",
        view.case_id,
    )
    assert sorted(tuple(r) for r in outbox) == [
        ("police_station", "Haibei Street"),  # Art. 25
        ("supervisor", "Haibowan District"),
    ]
    lead = await clean_pool.fetch(
        "SELECT recipient_role, recipient_name FROM outbox WHERE case_id = $1 AND seq = $2",
        view.case_id,
        view.events[-1].seq,
    )
    assert [tuple(r) for r in lead] == [("secretary", "郑书记")]


async def test_unit_missing_from_the_roster_leaves_the_case_unassigned_and_says_so(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)  # no roster loaded

    view = await view_when(handle, settled)

    assert view.assignee is None
    assert (
        "no handler on the roster" in next(e for e in view.events if e.kind == "assigned").summary
    )


async def test_failure_at_the_county_keeps_the_case_open_under_supervision(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, policy=factories.NO_VISITS)
    for level in ("grid", "village", "township", "county"):
        view = await handle.execute_update(
            CaseWorkflow.outcome,
            OutcomeInput(
                outcome="failed",
                actor=factories.HANDLERS[level],
                level=level,
                reason=f"stuck at {level}",
            ),
        )

    assert view.status is CaseStatus.supervised
    assert view.level.value == "county"
    final = await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=COUNTY, level="county")
    )
    assert final.status is CaseStatus.closed
    assert final.events[-2].kind == "resolved" and final.events[-2].data["on_time"] is False


async def test_a_handler_of_another_unit_is_refused_and_nothing_is_recorded(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    before = await view_when(handle, settled)

    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=TOWNSHIP)
        )

    message = str(caught.value.cause)
    assert "孙主任" in message and "not responsible" in message and "G-07" in message
    assert (await handle.query(CaseWorkflow.view)).events == before.events
