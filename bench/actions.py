"""Billable Temporal actions per case along three paths, against the minimum each path needs.

    .venv/bin/python bench/actions.py

Runs each path once on the time-skipping test server with a real worker and PostgreSQL
(started here), then counts the billable actions in the case's history by kind: the start,
activities, timers, search-attribute upserts, updates, signals, child workflows, markers.
The minimum is reasoned per path (printed with the counts): one start; one ledger write per
step that records something; one timer per distinct wake-up the case waits for; one upsert
per step that changes a search attribute; one update per action a person takes; handler
assignment folded into the write (so the minimum counts no assignment activity).
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle

from bench.cases import default_policy, sample_intake
from bench.servers import Servers, servers
from domain.actions import Actor, OutcomeInput, VisitInput
from domain.case_models import CaseStatus
from domain.intake_models import CaseIntake
from domain.naming import workflow_id_for
from service.intake import case_start
from workflows.case import CaseWorkflow

BILLED = {
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: "start",
    EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED: "activity",
    EventType.EVENT_TYPE_TIMER_STARTED: "timer",
    EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: "upsert",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED: "update",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED: "signal",
    EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED: "child",
    EventType.EVENT_TYPE_MARKER_RECORDED: "marker",
    EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW: "continue_as_new",
}

#: The minimum of each path, by kind, with the reasoning printed beside it.
MINIMUM = {
    "left alone to the county": (
        {"start": 1, "activity": 13, "timer": 13, "upsert": 13},
        "opening: 1 write + 1 upsert; at each of 4 levels: 3 timers (yellow, red, deadline), "
        "3 writes (yellow, red, deadline+climb or supervision), 3 upserts (warning, warning, "
        "level or status); then 1 timer for the mediation track's limit the supervised case "
        "still waits on",
    ),
    "resolved at the village, two visits": (
        {"start": 1, "activity": 5, "timer": 4, "upsert": 4, "update": 4},
        "opening: 1 write, 1 upsert, 1 timer; failed at the grid: 1 update, 1 write, 1 upsert, "
        "1 timer; resolved: 1 update, 1 write, 1 upsert, 1 timer (visit); satisfaction visit: "
        "1 update, 1 write, 1 timer (next visit); performance visit: 1 update, 1 write, 1 upsert "
        "(closed)",
    ),
    "resolved at the grid, two visits": (
        {"start": 1, "activity": 4, "timer": 3, "upsert": 3, "update": 3},
        "opening: 1 write, 1 upsert, 1 timer; resolved: 1 update, 1 write, 1 upsert, 1 timer; "
        "satisfaction visit: 1 update, 1 write, 1 timer; performance visit: 1 update, 1 write, "
        "1 upsert",
    ),
}


def actors(pool_rows: list, intake: CaseIntake) -> dict[str, Actor]:
    loc = intake.location
    units = {"grid": loc.grid, "village": loc.village, "township": loc.township}
    found = {}
    for r in pool_rows:
        if r["unit"] == units.get(r["level"]) and r["level"] not in found:
            found[r["level"]] = Actor(name=r["name"], role=r["role"], unit=r["unit"])
    return found


async def settled(handle: WorkflowHandle) -> None:
    """Once the case has its first handler: a person acts on a case that is there."""
    for _ in range(500):
        view = await handle.query(CaseWorkflow.view)
        if any(e.kind == "assigned" for e in view.events):
            return
        await asyncio.sleep(0.02)
    raise RuntimeError(f"case {view.case_id} never settled")


#: Per path: history events, history bytes (protobuf, payloads encrypted), the start event's
#: bytes, and the ledger's rows (case_events, outbox) — docs/scaling.md's sizes.
SIZES: dict[str, tuple[int, int, int, int, int, int]] = {}

#: The case's rows in the ledger, in bytes as stored (without indexes).
_LEDGER_BYTES = """
SELECT (SELECT coalesce(sum(pg_column_size(e.*)), 0) FROM case_events e WHERE e.case_id = $1)
     + (SELECT coalesce(sum(pg_column_size(o.*)), 0) FROM outbox o WHERE o.case_id = $1)
     + (SELECT coalesce(sum(pg_column_size(c.*)), 0) FROM cases c WHERE c.case_id = $1)
"""


async def count(handle: WorkflowHandle) -> Counter:
    history = await handle.fetch_history()
    events = list(history.events)
    case_id = handle.id.removeprefix("case-")
    pool = _POOL[0]
    SIZES[case_id] = (
        len(events),
        sum(e.ByteSize() for e in events),
        events[0].ByteSize(),
        await pool.fetchval("SELECT count(*) FROM case_events WHERE case_id = $1", case_id),
        await pool.fetchval("SELECT count(*) FROM outbox WHERE case_id = $1", case_id),
        await pool.fetchval(_LEDGER_BYTES, case_id),
    )
    return Counter(BILLED[e.event_type] for e in events if e.event_type in BILLED)


_POOL: list = []


async def run_path(s: Servers, name: str, policy, people) -> Counter:
    case_id = f"BENCH-{abs(hash(name)) % 100000:05d}"
    intake = sample_intake(case_id)
    handle = await s.client.start_workflow(
        CaseWorkflow.run,
        # As intake starts it (service.intake.case_start): a labour dispute would carry its
        # arbitration table; this neighbour dispute carries none.
        case_start(intake, policy, None),
        id=workflow_id_for(case_id),
        task_queue=s.task_queue,
    )
    grid = people["grid"]
    await settled(handle)
    if name == "left alone to the county":
        for _ in range(60):
            await s.env.sleep(timedelta(days=1))
            if (await handle.query(CaseWorkflow.view)).status is CaseStatus.supervised:
                break
        return await count(handle)
    if name == "resolved at the village, two visits":
        await handle.execute_update(
            CaseWorkflow.outcome,
            OutcomeInput(outcome="failed", actor=grid, reason="the respondent will not meet"),
        )
        resolver = people["village"]
    else:
        resolver = grid
    await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=resolver)
    )
    await s.env.sleep(timedelta(days=1, hours=1))
    await handle.execute_update(
        CaseWorkflow.visit, VisitInput(actor=grid, visit="satisfaction", result="satisfied")
    )
    await s.env.sleep(timedelta(days=29))
    await handle.execute_update(
        CaseWorkflow.visit, VisitInput(actor=grid, visit="performance", result="satisfied")
    )
    await handle.result()
    return await count(handle)


async def main() -> int:
    policy = default_policy()
    worst = 0.0
    async with servers(time_skipping=True) as s:
        _POOL.append(s.pool)
        rows = await s.pool.fetch("SELECT level, unit, name, role FROM roster ORDER BY name")
        people = actors(rows, sample_intake("X"))
        print(f"policy {policy.name}; sample case: {sample_intake('X').title}\n")
        for name, (minimum, why) in MINIMUM.items():
            counts = await run_path(s, name, policy, people)
            total, least = sum(counts.values()), sum(minimum.values())
            worst = max(worst, total / least)
            by_kind = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            least_kind = ", ".join(f"{k} {v}" for k, v in sorted(minimum.items()))
            print(f"{name}:")
            print(f"  measured  {total:3d}  ({by_kind})")
            print(f"  minimum   {least:3d}  ({least_kind})")
            print(f"  ratio     {total / least:.2f}  (target ≤ 1.20)")
            print(f"  why the minimum: {why}")
            events, size, start, rows_, outbox, ledger = SIZES[
                f"BENCH-{abs(hash(name)) % 100000:05d}"
            ]
            print(
                f"  history   {events} events, {size:,} bytes (the start {start:,}); "
                f"ledger {rows_} event rows, {outbox} notifications, {ledger:,} bytes\n"
            )
    print(f"worst ratio {worst:.2f}: {'within' if worst <= 1.2 else 'OVER'} the +20 % target")
    return 0 if worst <= 1.2 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
