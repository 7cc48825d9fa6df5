"""A worker's memory by open cases: its resident set size as cases open and stay open.

    .venv/bin/python bench/memory.py [--cases 20000] [--points 4] [--cache N]

Starts an embedded PostgreSQL and a Temporal dev server (temporary folders), then `worker.py`
as its own process, configured by the environment as in production (`DISPUTE_WORKER_CACHE`
from `--cache`, or its default). Cases of the first sample on the default policy (days at
each level, so every case stays open) are started in `--points` equal waves; after each wave,
once the ledger holds every case started so far (each has run its first step on the worker,
so the worker holds it), the worker's RSS (`/proc/PID/status`, VmRSS) is read. Printed: RSS at
each point, the bytes per open case between the first and the last point (the slope), and
the RSS at the last point against the 1 GiB target. Each wave also prints the worker's CPU
time per first step (`/proc/PID/stat`) and the first steps a second that makes on a core of
the worker's own: the per-worker rate docs/scaling.md divides an intake rate by, which the
wall-clock rate on a shared machine only bounds from below.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import structlog

from bench.cases import default_policy, start_cases
from bench.servers import CONVERTER, postgres_at, temporal
from domain.naming import TASK_QUEUE
from runtime.config import ROOT

MIB = 1024 * 1024


def rss(pid: int) -> int:
    """The process's resident set size in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def worker_env(database_url: str, temporal_address: str, cache: int | None) -> dict[str, str]:
    """The environment a production worker would get: the servers, the run's payload key,
    metrics off."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "TEMPORAL_ADDRESS": temporal_address,
        "DISPUTE_PAYLOAD_KEYS": CONVERTER.payload_codec.ring.as_text(),  # type: ignore[union-attr]
        "DISPUTE_WORKER_METRICS_PORT": "off",
    }
    if cache is not None:
        env["DISPUTE_WORKER_CACHE"] = str(cache)
    return env


def spawn_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    """`worker.py` as production runs it; its log to `log` (read when it fails)."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, str(ROOT / "worker.py")], env=env, cwd=ROOT, stdout=out, stderr=out
        )


async def wait_registered(pool, tag: str, n: int, limit: float = 3600) -> float:
    """Seconds until the ledger holds `n` cases of `tag`."""
    began = time.monotonic()
    query = "SELECT count(*) FROM cases WHERE case_id LIKE $1"
    async with asyncio.timeout(limit):
        while await pool.fetchval(query, f"{tag}-%") < n:  # noqa: ASYNC110 - polling the ledger
            await asyncio.sleep(1)
    return time.monotonic() - began


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system, /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def settle(pid: int, seconds: float = 5) -> int:
    """RSS once the worker has been idle a moment (its last tasks done)."""
    await asyncio.sleep(seconds)
    return rss(pid)


async def main() -> int:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--cases", type=int, default=20_000)
    args.add_argument("--points", type=int, default=4)
    args.add_argument("--cache", type=int, help="DISPUTE_WORKER_CACHE (default: the worker's)")
    opts = args.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    policy = default_policy()
    tag = f"MEM-{uuid.uuid4().hex[:6]}"
    async with postgres_at() as (url, pool), temporal(time_skipping=False) as env:
        address = env.client.service_client.config.target_host
        log = Path(tempfile.mkdtemp(prefix="bench-memory-")) / "worker.log"
        worker = spawn_worker(worker_env(url, address, opts.cache), log)
        try:
            # The worker is ready once it has migrated and polls; an empty ledger write proves
            # nothing, so wait for its first case instead.
            await asyncio.sleep(3)
            if worker.poll() is not None:
                raise SystemExit(f"worker exited:\n{log.read_text()[-3000:]}")
            points = [(0, await settle(worker.pid, 2))]
            idle = points[0][1] / MIB
            print(f"worker pid {worker.pid}: {idle:.0f} MiB with no case open", flush=True)
            wave = opts.cases // opts.points
            started = 0
            for _ in range(opts.points):
                ids = [f"{tag}-{i:06d}" for i in range(started, started + wave)]
                began, cpu_before = time.monotonic(), cpu_seconds(worker.pid)
                await start_cases(env.client, TASK_QUEUE, ids, policy)
                starting = time.monotonic() - began
                started += wave
                waited = await wait_registered(pool, tag, started)
                per_step = (cpu_seconds(worker.pid) - cpu_before) / wave
                size = await settle(worker.pid)
                points.append((started, size))
                print(
                    f"  {started:>6} open: worker RSS {size / MIB:7.0f} MiB "
                    f"(wave of {wave} started in {starting:.0f} s, "
                    f"in the ledger {waited:.0f} s later: {wave / (starting + waited):.0f} "
                    f"first steps a second; worker CPU {1000 * per_step:.1f} ms a first step, "
                    f"{1 / per_step:.0f} a second on a core of its own; "
                    f"load average {os.getloadavg()[0]:.1f})",
                    flush=True,
                )
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
    (n0, r0), (n1, r1) = points[1], points[-1]
    slope = (r1 - r0) / (n1 - n0) if n1 > n0 else (r1 - points[0][1]) / max(n1, 1)
    ok = r1 < 1024 * MIB
    print(
        f"memory: {slope / 1024:.1f} KiB per open case (from {n0} to {n1}); "
        f"{r1 / MIB:.0f} MiB at {n1} open cases (target < 1024 MiB: {'met' if ok else 'MISSED'}; "
        f"ratio {r1 / (1024 * MIB):.2f})",
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
