"""A case left to climb on the demo policy: its notices reach a webhook in order, each once.

The real CaseWorkflow on the time-skipping server writes the outbox; the real dispatcher sends
to a real HTTP receiver on 127.0.0.1 while the case climbs.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import asyncpg

from domain.case_models import CaseStatus
from domain.naming import workflow_id_for
from domain.policy import parse_policy
from runtime import config
from tests import factories
from tests.notify.helpers import FAST, dispatcher, until
from tests.notify.receiver import Receiver
from workflows.case import CaseWorkflow

DEMO = parse_policy((config.ROOT / "policies/demo.toml").read_text(), source="demo.toml")


async def test_a_case_left_to_climb_delivers_warnings_deadlines_and_supervision_once_in_order(
    time_env, case_worker, clean_pool: asyncpg.Pool
):
    await factories.load_roster(clean_pool)
    policy = DEMO.model_copy(update={"calendar": factories.CALENDAR.for_years([2026, 2027])})
    receiver = Receiver().start()
    d = dispatcher(clean_pool, receiver.url, FAST)
    stop = asyncio.Event()
    sending = asyncio.create_task(d.run(stop))
    try:
        case = factories.case_start("E2E-1", policy=policy)
        handle = await time_env.client.start_workflow(
            CaseWorkflow.run, case, id=workflow_id_for("E2E-1"), task_queue=case_worker.task_queue
        )
        for _ in range(60):  # demo budgets: 2m + 2m + 3m + 5m, then supervision
            await time_env.sleep(timedelta(minutes=1))
            view = await handle.query(CaseWorkflow.view)
            if view.status is CaseStatus.supervised:
                break
        assert view.status is CaseStatus.supervised

        async def all_delivered() -> bool:
            return not await clean_pool.fetchval(
                "SELECT count(*) FROM outbox WHERE delivered_at IS NULL"
            )

        await until(all_delivered, within_s=30, what="every notification delivered")
        await asyncio.sleep(0.3)  # a duplicate would arrive now
    finally:
        stop.set()
        await sending
        await d.aclose()
        receiver.stop()

    bodies = receiver.bodies()
    outbox = await clean_pool.fetch("SELECT message_id, attempts FROM outbox")
    assert Counter(b["id"] for b in bodies) == Counter(str(r["message_id"]) for r in outbox)
    assert all(r["attempts"] == 1 for r in outbox)
    kinds = {b["event"] for b in bodies}
    assert {"warning", "deadline_passed", "supervised"} <= kinds, kinds
    for who in {(b["recipient"]["role"], b["recipient"]["unit"]) for b in bodies}:
        seqs = [b["seq"] for b in bodies if (b["recipient"]["role"], b["recipient"]["unit"]) == who]
        assert seqs == sorted(seqs), (who, seqs)
    # The handler's story, as the grid worker read it.
    grid = [b["event"] for b in bodies if b["recipient"]["unit"] == "G-07"]
    assert grid[0] == "assigned" and "warning" in grid and "deadline_passed" in grid
    supervised = next(b for b in bodies if b["event"] == "supervised")
    assert "请立即报告进展" in supervised["text"]  # Chinese: the dispatcher's default
