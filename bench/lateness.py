"""Deadline lateness: from a case's due time to its `deadline_passed` event in the ledger.

    .venv/bin/python bench/lateness.py [--burst 1000] [--spread 5000] [--spread-minutes 10]

Two runs on one dev server with a real worker and PostgreSQL (started here):
- burst: `--burst` cases whose grid deadlines fall within the same minute (all started
  together on a 2-minute grid budget);
- spread: `--spread` cases whose deadlines are spread over `--spread-minutes` (started at an
  even pace over that time on the same budget).
Lateness is `case_events.recorded_at` of `deadline_passed` minus its `due_at`: how late the
ledger learns a deadline passed. The warnings at 50 % and 80 % fire too, as in life. Targets:
burst p99 ≤ 10 s, spread p99 ≤ 2 s.
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

from bench.cases import policy_with, start_cases
from bench.servers import Servers, servers

#: Two minutes at the grid; the next levels are far away, so each case passes one deadline.
BUDGETS = {"grid": "2m", "village": "7d", "township": "7d", "county": "7d"}

_LATENESS = """
SELECT extract(epoch FROM e.recorded_at - (e.data ->> 'due_at')::timestamptz) AS late
  FROM case_events e
 WHERE e.case_id LIKE $1 AND e.kind = 'deadline_passed'
"""


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def wait_for_deadlines(s: Servers, tag: str, n: int, limit: float) -> list[float]:
    async with asyncio.timeout(limit):
        while True:
            rows = await s.pool.fetch(_LATENESS, f"{tag}-%")
            if len(rows) >= n:
                return [float(r["late"]) for r in rows]
            await asyncio.sleep(1)


async def run(s: Servers, n: int, over_seconds: float) -> list[float]:
    tag = f"LT-{uuid.uuid4().hex[:6]}"
    policy = policy_with(BUDGETS, "bench-lateness")
    ids = [f"{tag}-{i:05d}" for i in range(n)]
    began = time.monotonic()
    if over_seconds <= 0:
        await start_cases(s.client, s.task_queue, ids, policy)
    else:  # an even pace, so that the deadlines spread over the same span
        batch = max(1, n // int(over_seconds))
        for i in range(0, n, batch):
            await start_cases(s.client, s.task_queue, ids[i : i + batch], policy)
            pause = began + (i + batch) * over_seconds / n - time.monotonic()
            if pause > 0:
                await asyncio.sleep(pause)
    started = time.monotonic() - began
    print(f"  {n} cases started in {started:.1f} s", flush=True)
    return await wait_for_deadlines(s, tag, n, limit=over_seconds + 1800)


def report(name: str, late: list[float], target: float) -> bool:
    p50, p99 = quantile(late, 0.5), quantile(late, 0.99)
    ok = p99 <= target
    print(
        f"{name}: {len(late)} deadlines; lateness median {statistics.median(late):.2f} s, "
        f"p50 {p50:.2f} s, p99 {p99:.2f} s, max {max(late):.2f} s "
        f"(target p99 ≤ {target:g} s: {'met' if ok else 'MISSED'})",
        flush=True,
    )
    return ok


async def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--burst", type=int, default=1000)
    args.add_argument("--spread", type=int, default=5000)
    args.add_argument("--spread-minutes", type=float, default=10)
    opts = args.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    ok = True
    async with servers(time_skipping=False) as s:
        if opts.burst:
            print(f"burst: {opts.burst} cases due within the same minute", flush=True)
            ok &= report("burst", await run(s, opts.burst, 0), 10)
        if opts.spread:
            print(
                f"spread: {opts.spread} cases due over {opts.spread_minutes:g} minutes", flush=True
            )
            late = await run(s, opts.spread, opts.spread_minutes * 60)
            ok &= report("spread", late, 2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
