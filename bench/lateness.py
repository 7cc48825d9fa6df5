"""Deadline lateness: from a case's due time to its `deadline_passed` event in the ledger.

    .venv/bin/python bench/lateness.py [--burst 1000] [--spread 5000] [--spread-minutes 10]
    .venv/bin/python bench/lateness.py --open 20000 --burst 1000 --spread 0
    .venv/bin/python bench/lateness.py --burst 0 --spread 1000 --spread-minutes 2 \
        --slots 10,sdk --pollers 5 --rounds 2        # worker settings A/B in one run

Two runs on one dev server with a real worker and PostgreSQL (started here):
- burst: `--burst` cases whose grid deadlines fall within the same minute (all started
  together on a 2-minute grid budget);
- spread: `--spread` cases whose deadlines are spread over `--spread-minutes` (started at an
  even pace over that time on the same budget).
Lateness is `case_events.recorded_at` of `deadline_passed` minus its `due_at`: how late the
ledger learns a deadline passed. The warnings at 50 % and 80 % fire too, as in life. Targets:
burst p99 ≤ 10 s, spread p99 ≤ 2 s.

With `--open N` the burst falls due with N cases open, and its cases are no longer in the
worker's cache: N − (cache + 1,000) cases of the default policy (days at each level) are
opened first, then the burst's cases on a `--burst-minutes` grid budget with warnings at 70 %
and 85 %, then cache + 1,000 more (`--cache`, the worker's default), which push the burst's
cases out of the cache. Each burst case is then replayed by its yellow warning, the first
wake-up after the eviction: that warning's lateness is printed beside the deadline's, both
measured from when it was due (the ledger's `recorded_at`).

With several `--slots` or `--pollers` (comma lists; `sdk` for the SDK's default slots), the
spread runs once per setting and round, each on a fresh worker of its own task queue on the
same servers, the order flipped every round so that drift favours none; printed: each
run's percentiles, then each setting's median p99 and its ratio to the first setting's.
Only ratios within one run compare settings on a shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import structlog

from bench.cases import default_policy, policy_with, start_cases
from bench.servers import Servers, servers, worker_on
from domain.policy import Warnings
from runtime.config import worker_cache_size
from worker import WORKFLOW_TASK_POLLERS, WORKFLOW_TASK_SLOTS

#: Two minutes at the grid; the next levels are far away, so each case passes one deadline.
BUDGETS = {"grid": "2m", "village": "7d", "township": "7d", "county": "7d"}

_LATENESS = """
SELECT extract(epoch FROM e.recorded_at - (e.data ->> 'due_at')::timestamptz) AS late
  FROM case_events e
 WHERE e.case_id LIKE $1 AND e.kind = 'deadline_passed'
"""


#: When a warning was due: the deadline less the rest of the budget (a calendar budget).
_WARNING_LATENESS = """
SELECT extract(epoch FROM e.recorded_at - ((e.data ->> 'due_at')::timestamptz
                 - (1 - (e.data ->> 'fraction')::float) * $2 * interval '1 second')) AS late
  FROM case_events e
 WHERE e.case_id LIKE $1 AND e.kind = 'warning' AND e.data ->> 'colour' = 'yellow'
"""


async def open_cases(s: Servers, tag: str, first: int, n: int) -> None:
    """`n` cases that stay open for days, started and in the ledger."""
    ids = [f"{tag}-{i:06d}" for i in range(first, first + n)]
    for i in range(0, n, 1000):
        await start_cases(s.client, s.task_queue, ids[i : i + 1000], default_policy())
    query = "SELECT count(*) FROM cases WHERE case_id LIKE $1"
    async with asyncio.timeout(3600):
        while await s.pool.fetchval(query, f"{tag}-%") < first + n:  # noqa: ASYNC110 - ledger
            await asyncio.sleep(2)


async def run_evicted(s: Servers, n: int, open_: int, minutes: float, cache: int):
    """The burst with `open_` cases open and its own cases evicted: (warnings, deadlines)."""
    tag, fill = f"LT-{uuid.uuid4().hex[:6]}", f"OPEN-{uuid.uuid4().hex[:6]}"
    after = cache + 1000
    before = max(0, open_ - n - after)
    began = time.monotonic()
    await open_cases(s, fill, 0, before)
    print(f"  {before} cases open in {time.monotonic() - began:.0f} s", flush=True)
    budget = f"{minutes:g}m"
    policy = policy_with({**BUDGETS, "grid": budget}, "bench-lateness-evicted").model_copy(
        update={"warnings": Warnings(yellow=0.7, red=0.85)}
    )
    burst_start = time.monotonic()
    await start_cases(s.client, s.task_queue, [f"{tag}-{i:05d}" for i in range(n)], policy)
    await open_cases(s, fill, before, after)
    filled = time.monotonic() - burst_start
    print(
        f"  burst of {n} started, then {after} more cases open in {filled:.0f} s "
        f"(the yellow warnings fall due {0.7 * minutes * 60:.0f} s after the burst's start)",
        flush=True,
    )
    if filled > 0.7 * minutes * 60:
        print("  the filling outlasted the yellow warning: raise --burst-minutes", flush=True)
    deadlines = await wait_for_deadlines(s, tag, n, limit=minutes * 60 + 1800)
    rows = await s.pool.fetch(_WARNING_LATENESS, f"{tag}-%", minutes * 60)
    return [float(r["late"]) for r in rows], deadlines


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


def report(name: str, late: list[float], target: float, what: str = "deadlines") -> bool:
    p50, p99 = quantile(late, 0.5), quantile(late, 0.99)
    ok = p99 <= target
    print(
        f"{name}: {len(late)} {what}; lateness median {statistics.median(late):.2f} s, "
        f"p50 {p50:.2f} s, p99 {p99:.2f} s, max {max(late):.2f} s; p99 / target "
        f"{p99 / target:.2f} (target p99 ≤ {target:g} s: {'met' if ok else 'MISSED'}); "
        f"load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return ok


def settings_of(slots: str, pollers: str) -> list[dict[str, int | None]]:
    """Every combination of the `--slots` and `--pollers` lists, as build_worker's options."""
    return [
        {"workflow_task_slots": None if sl == "sdk" else int(sl), "workflow_task_pollers": int(po)}
        for sl in slots.split(",")
        for po in pollers.split(",")
    ]


def named(setting: dict[str, int | None]) -> str:
    slots = setting["workflow_task_slots"]
    return f"slots {slots or 'sdk'}, pollers {setting['workflow_task_pollers']}"


async def compare(s: Servers, opts: argparse.Namespace) -> bool:
    """The spread once per worker setting and round (order flipped each round)."""
    settings = settings_of(opts.slots, opts.pollers)
    p99s: dict[str, list[float]] = {named(x): [] for x in settings}
    ok = True
    for round_no in range(opts.rounds):
        order = settings if round_no % 2 == 0 else settings[::-1]
        for setting in order:
            print(f"round {round_no + 1}, {named(setting)}:", flush=True)
            async with worker_on(s, **setting) as w:
                late = await run(w, opts.spread, opts.spread_minutes * 60)
            ok &= report(f"  spread ({named(setting)})", late, 2)
            p99s[named(setting)].append(quantile(late, 0.99))
    first = statistics.median(p99s[named(settings[0])])
    for name, values in p99s.items():
        p99 = statistics.median(values)
        print(
            f"{name}: median p99 {p99:.2f} s over {len(values)} round(s); ratio to "
            f"{named(settings[0])}: {p99 / first:.2f}; p99 / 2 s target {p99 / 2:.2f}",
            flush=True,
        )
    return ok


async def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--burst", type=int, default=1000)
    args.add_argument("--spread", type=int, default=5000)
    args.add_argument("--spread-minutes", type=float, default=10)
    args.add_argument("--open", type=int, default=0, help="cases open when the burst falls due")
    args.add_argument("--burst-minutes", type=float, default=10)
    args.add_argument("--cache", type=int, default=worker_cache_size())
    args.add_argument("--slots", default=str(WORKFLOW_TASK_SLOTS or "sdk"), help="e.g. 10,sdk")
    args.add_argument("--pollers", default=str(WORKFLOW_TASK_POLLERS), help="e.g. 5,2")
    args.add_argument("--rounds", type=int, default=1, help="spread rounds per setting")
    opts = args.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    ok = True
    async with servers(time_skipping=False) as s:
        if opts.burst and opts.open:
            print(
                f"burst: {opts.burst} cases due within the same minute, {opts.open} open, "
                f"the burst's cases out of the worker's cache ({opts.cache})",
                flush=True,
            )
            warned, late = await run_evicted(
                s, opts.burst, opts.open, opts.burst_minutes, opts.cache
            )
            report("yellow warnings (first wake after eviction)", warned, 10, "warnings")
            ok &= report("burst", late, 10) and max(late) <= 30
        elif opts.burst:
            print(f"burst: {opts.burst} cases due within the same minute", flush=True)
            ok &= report("burst", await run(s, opts.burst, 0), 10)
        production = [{"workflow_task_slots": WORKFLOW_TASK_SLOTS,
                       "workflow_task_pollers": WORKFLOW_TASK_POLLERS}]  # fmt: skip
        if opts.spread and (settings_of(opts.slots, opts.pollers) != production or opts.rounds > 1):
            print(
                f"spread A/B: {opts.spread} cases due over {opts.spread_minutes:g} minutes, "
                f"{opts.rounds} round(s) per setting",
                flush=True,
            )
            ok &= await compare(s, opts)
        elif opts.spread:
            print(
                f"spread: {opts.spread} cases due over {opts.spread_minutes:g} minutes", flush=True
            )
            late = await run(s, opts.spread, opts.spread_minutes * 60)
            ok &= report("spread", late, 2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
