"""After resolution: return visits (回访), overdue visits, retries, reopening and closing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.actions import OutcomeInput, VisitInput
from domain.case_models import CaseStatus
from domain.policy import ReturnVisits
from tests import factories
from tests.factories import GRID, TOWNSHIP, VILLAGE
from tests.workflows.test_case import settled, start, view_when
from workflows.case import CaseWorkflow


async def resolved_case(time_env, case_worker, *, at_village: bool = False, **kw):
    handle = await start(time_env, case_worker, **kw)
    await view_when(handle, settled)
    actor = GRID
    if at_village:
        await handle.execute_update(
            CaseWorkflow.outcome, OutcomeInput(outcome="failed", actor=GRID, reason="no")
        )
        actor = VILLAGE
    await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=actor, agreement="x")
    )
    return handle


def visit(name: str, result: str) -> VisitInput:
    return VisitInput(actor=GRID, visit=name, result=result)


async def test_resolution_schedules_the_two_visits_and_both_satisfied_closes_the_case(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await resolved_case(time_env, case_worker)

    view = await handle.query(CaseWorkflow.view)
    scheduled = [e for e in view.events if e.kind == "visit_scheduled"]
    await handle.execute_update(CaseWorkflow.visit, visit("satisfaction", "satisfied"))
    await handle.execute_update(CaseWorkflow.visit, visit("performance", "satisfied"))
    result = await handle.result()

    assert view.status is CaseStatus.resolved
    assert [e.data["visit"] for e in scheduled] == ["satisfaction", "performance"]
    resolved_at = next(e.at for e in view.events if e.kind == "resolved")
    assert [v.due_at - resolved_at for v in view.visits] == [timedelta(days=1), timedelta(days=30)]
    assert scheduled[0].data["assignee"]["name"] == "赵网格员"
    assert result.status is CaseStatus.closed


async def test_overdue_visit_is_flagged_to_the_village(time_env, case_worker, clean_pool):
    handle = await resolved_case(time_env, case_worker)

    await time_env.sleep(timedelta(days=4))  # due after 1 day, 2 days to do it

    view = await handle.query(CaseWorkflow.view)
    overdue = [e for e in view.events if e.kind == "visit_overdue"]
    assert [e.data["visit"] for e in overdue] == ["satisfaction"]
    rows = await clean_pool.fetch(
        "SELECT recipient_role, recipient_unit FROM outbox WHERE case_id = $1 AND seq = $2",
        view.case_id,
        overdue[0].seq,
    )
    assert [tuple(r) for r in rows] == [("supervisor", "Diamond Square Community")]
    assert view.status is CaseStatus.resolved  # still waiting: never closed silently


async def test_unreachable_applicant_is_tried_again(time_env, case_worker, clean_pool):
    handle = await resolved_case(time_env, case_worker)

    view = await handle.execute_update(CaseWorkflow.visit, visit("satisfaction", "unreachable"))

    again = next(v for v in view.visits if v.visit == "satisfaction")
    assert (again.attempt, again.result) == (2, None)
    assert view.events[-1].data["attempt"] == 1


async def test_dissatisfied_applicant_reopens_the_case_at_the_level_that_resolved_it(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await resolved_case(time_env, case_worker, at_village=True)

    view = await handle.execute_update(CaseWorkflow.visit, visit("satisfaction", "dissatisfied"))

    reopened = next(e for e in view.events if e.kind == "reopened")
    assert (reopened.data["from_level"], reopened.data["to_level"]) == ("village", "village")
    assert view.status is CaseStatus.open and view.level.value == "village"
    assert view.events[-1].kind == "assigned" and view.assignee.name == "钱调解员"
    assert view.visits == [next(v for v in view.visits if v.result == "dissatisfied")]
    count = await clean_pool.fetchval(
        "SELECT count(*) FROM case_events WHERE case_id = $1 AND kind = 'reopened'", view.case_id
    )
    assert count == 1


async def test_reopen_one_level_above_when_the_policy_says_so(time_env, case_worker, clean_pool):
    policy = factories.DEFAULT_POLICY.model_copy(
        update={"return_visits": ReturnVisits(reopen_at="above")}
    )
    handle = await resolved_case(time_env, case_worker, policy=policy)

    view = await handle.execute_update(
        CaseWorkflow.visit, visit("satisfaction", "agreement_broken")
    )

    assert view.level.value == "village"


async def test_bad_result_after_the_reopen_window_is_recorded_without_reopening(
    time_env, case_worker, clean_pool
):
    policy = factories.DEFAULT_POLICY.model_copy(
        update={"return_visits": ReturnVisits(reopen_window="10d")}
    )
    handle = await resolved_case(time_env, case_worker, policy=policy)
    await handle.execute_update(CaseWorkflow.visit, visit("satisfaction", "satisfied"))
    await time_env.sleep(timedelta(days=31))

    await handle.execute_update(CaseWorkflow.visit, visit("performance", "flared_up"))
    result = await handle.result()

    assert result.status is CaseStatus.closed
    kinds = [e.kind for e in (await handle.query(CaseWorkflow.view)).events]
    assert "reopened" not in kinds and kinds[-1] == "closed"


async def test_visit_by_someone_outside_the_grid_is_refused(time_env, case_worker, clean_pool):
    handle = await resolved_case(time_env, case_worker)

    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.visit,
            VisitInput(actor=TOWNSHIP, visit="satisfaction", result="satisfied"),
        )

    assert "visits belong to grid G-07" in str(caught.value.cause)
