"""Case lifecycle throughput against a minimal workflow with the same timers and one write
activity per step (bench/minimal.py), interleaved A/B on one dev server.

    .venv/bin/python bench/throughput.py [--cases 200] [--rounds 2] [--level-seconds 4]

A: N cases left alone on a policy whose every level lasts `--level-seconds`, timed from the
first start until the ledger shows all N under county supervision. B: N `MinimalCase`
workflows with the case's clock and semantics (bench/minimal.py), timed from the first
start until the database holds every one's last write. Both workers run in this process
with the same options (slots, sandbox with the workflow's module imported once). Each round
runs A then B; printed per pair: the ratio of throughputs (cases per second) and the ratio of
this process's CPU time (the worker, its activities and the client; not the servers); then
the medians. Target: A/B throughput ≥ 0.9.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import structlog
from temporalio.worker import Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from bench.cases import policy_with, start_cases
from bench.minimal import CREATE, MinimalCase, MinimalStart, MinimalWrites
from bench.servers import Servers, servers
from worker import ACTIVITY_SLOTS, WORKFLOW_TASK_SLOTS


async def wait_for(what, poll: float = 0.25, limit: float = 1800) -> None:
    """Poll `what` until it holds; TimeoutError after `limit` seconds."""
    async with asyncio.timeout(limit):
        while not await what():  # noqa: ASYNC110 (a ledger count, not an event we own)
            await asyncio.sleep(poll)


async def run_cases(s: Servers, n: int, level_seconds: float) -> tuple[float, float]:
    """Seconds until every case is supervised, and this process's CPU seconds meanwhile."""
    tag = f"TP-{uuid.uuid4().hex[:6]}"
    ids = [f"{tag}-{i:05d}" for i in range(n)]
    budget = f"{level_seconds:g}s"
    policy = policy_with(dict.fromkeys(("grid", "village", "township", "county"), budget), "bench")
    began, cpu = time.monotonic(), time.process_time()
    await start_cases(s.client, s.task_queue, ids, policy)

    async def all_supervised() -> bool:
        done = await s.pool.fetchval(
            "SELECT count(*) FROM cases WHERE case_id LIKE $1 AND status = 'supervised'",
            f"{tag}-%",
        )
        return done == n

    await wait_for(all_supervised)
    took, cpu = time.monotonic() - began, time.process_time() - cpu
    # The cases now wait on their mediation track for 30 days: end them so rounds are alike.
    await asyncio.gather(
        *(s.client.get_workflow_handle(f"case-{c}").terminate("benchmark round over") for c in ids)
    )
    return took, cpu


async def run_minimal(s: Servers, n: int, level_seconds: float, queue: str) -> tuple[float, float]:
    """Seconds until every workflow's last write, and this process's CPU seconds meanwhile."""
    tag = f"MIN-{uuid.uuid4().hex[:6]}"
    began, cpu = time.monotonic(), time.process_time()
    gate = asyncio.Semaphore(32)

    async def one(i: int):
        async with gate:
            return await s.client.start_workflow(
                MinimalCase.run,
                MinimalStart(case_id=f"{tag}-{i:05d}", level_seconds=level_seconds),
                id=f"{tag}-{i:05d}",
                task_queue=queue,
            )

    await asyncio.gather(*(one(i) for i in range(n)))

    async def all_written() -> bool:
        done = await s.pool.fetchval(
            "SELECT count(*) FROM bench_steps WHERE case_id LIKE $1 AND last", f"{tag}-%"
        )
        return done == n

    # Timed as the cases are: until the ledger holds every workflow's last write.
    await wait_for(all_written)
    return time.monotonic() - began, time.process_time() - cpu


async def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--cases", type=int, default=200)
    args.add_argument("--rounds", type=int, default=2)
    args.add_argument("--level-seconds", type=float, default=4.0)
    opts = args.parse_args()
    # Both sides log nothing below a warning: the run measures Temporal and the ledger.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    ratios, cpu_ratios = [], []
    async with servers(time_skipping=False) as s:
        await s.pool.execute(CREATE)
        queue = f"minimal-{uuid.uuid4().hex[:6]}"
        minimal = Worker(
            s.client,
            task_queue=queue,
            workflows=[MinimalCase],
            activities=[MinimalWrites(s.pool).write_step],
            # As the case's worker (worker.build_worker): its module imported once, same slots.
            workflow_runner=SandboxedWorkflowRunner(
                restrictions=SandboxRestrictions.default.with_passthrough_modules("bench")
            ),
            max_concurrent_workflow_tasks=WORKFLOW_TASK_SLOTS,
            max_concurrent_activities=ACTIVITY_SLOTS,
        )
        async with minimal:
            for r in range(1, opts.rounds + 1):
                a, cpu_a = await run_cases(s, opts.cases, opts.level_seconds)
                b, cpu_b = await run_minimal(s, opts.cases, opts.level_seconds, queue)
                ratio = (opts.cases / a) / (opts.cases / b)
                ratios.append(ratio)
                cpu_ratios.append(cpu_a / cpu_b)
                print(
                    f"round {r}: cases {opts.cases / a:6.1f}/s ({a:5.1f} s, CPU {cpu_a:5.1f} s), "
                    f"minimal {opts.cases / b:6.1f}/s ({b:5.1f} s, CPU {cpu_b:5.1f} s), "
                    f"throughput ratio {ratio:.2f}, CPU ratio {cpu_a / cpu_b:.2f}",
                    flush=True,
                )
    median = statistics.median(ratios)
    print(
        f"median throughput ratio case/minimal: {median:.2f} (target ≥ 0.90); "
        f"median CPU ratio case/minimal: {statistics.median(cpu_ratios):.2f}"
    )
    return 0 if median >= 0.9 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
