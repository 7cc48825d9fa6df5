"""The reconciler: a case whose workflow was terminated outside the engine is marked in the
ledger and its supervisor told, once, by the pass its schedule starts; a running case and a
closed one are left alone."""

from __future__ import annotations

import asyncio

import asyncpg

from activities.reconcile import ReconcileActivities
from domain.naming import RECONCILE_SCHEDULE_ID, workflow_id_for
from domain.reconcile_models import ReconcileInput
from ledger import halted
from service.schedules import ensure_reconcile_schedule
from tests import factories
from worker import build_worker
from workflows.case import CaseWorkflow


async def _registered(pool: asyncpg.Pool, case_id: str) -> None:
    for _ in range(100):
        if await pool.fetchval("SELECT status FROM cases WHERE case_id = $1", case_id):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{case_id} never reached the ledger")


async def test_a_terminated_case_is_marked_and_its_supervisor_told_once(
    dev_env, clean_pool, tmp_path
):
    client = dev_env.client
    async with build_worker(client, clean_pool, task_queue="reconcile-q",
                            reports_dir=tmp_path) as worker:  # fmt: skip
        for case_id in ("REC-KILLED", "REC-RUNNING"):
            await client.start_workflow(
                CaseWorkflow.run, factories.case_start(case_id), id=workflow_id_for(case_id),
                task_queue=worker.task_queue,
            )  # fmt: skip
            await _registered(clean_pool, case_id)
        await client.get_workflow_handle(workflow_id_for("REC-KILLED")).terminate("by hand")

        await ensure_reconcile_schedule(client, worker.task_queue)
        schedule = client.get_schedule_handle(RECONCILE_SCHEDULE_ID)
        marks: list[dict] = []
        # Triggered, not waited for (the schedule's own pass comes every 30 s).
        for _ in range(60):
            await schedule.trigger()
            await asyncio.sleep(1)
            marks = await halted.marked(clean_pool, "REC-KILLED")
            if marks:
                break
        await schedule.delete()
    assert [m["status"] for m in marks] == ["terminated"]
    assert await halted.marked(clean_pool, "REC-RUNNING") == []
    told = await clean_pool.fetch(
        "SELECT seq, recipient_role, recipient_unit, message FROM outbox"
        " WHERE case_id = 'REC-KILLED' AND seq < 0"
    )
    assert [(r["seq"], r["recipient_role"], r["recipient_unit"]) for r in told] == [
        (-1, "supervisor", "Diamond Square Community")  # a grid case: the village's supervisor
    ]
    assert "REC-KILLED" in told[0]["message"]

    # Another pass finds it again and marks nothing more.
    again = await ReconcileActivities(clean_pool, client).reconcile(ReconcileInput())
    assert again.marked == []
    assert len(await halted.marked(clean_pool, "REC-KILLED")) == 1


def test_the_schedule_action_type_is_the_reconciler():
    from service.schedules import RECONCILE_EVERY, reconcile_schedule

    schedule = reconcile_schedule("q")
    assert schedule.action.workflow == "ReconcileWorkflow"
    assert schedule.spec.intervals[0].every == RECONCILE_EVERY
    assert RECONCILE_EVERY.total_seconds() <= 30  # a pass at least twice a minute
