"""Benchmark: the month report and handler assignment on a county-sized ledger.

Builds, in an embedded PostgreSQL of its own (a temporary folder, deleted at the end), a ledger
of 100,000 cases and 1,000,000 case events over thirteen months (bulk COPY), then times:

- the month report (`cli.report.assess`): the county (every township and the county
  row) and one township, each run several times (median);
- the same report through the code of `--old-ref` (the Python path that decoded every event),
  once, in a subprocess over the same database, unless `--skip-old`;
- handler assignment (`roster.assign_handler`'s query) now and at `--old-ref`, median of many.

Run: `.venv/bin/python bench/report.py` (about two minutes; `--cases 10000` for a quick look).
Prints timings and the old/new ratios; the target is under 2 s for the month report.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import io
import random
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench.ledger_db import bench_database, binary_jsonb  # noqa: E402
from cli.report import assess  # noqa: E402
from domain.case_models import LEAD_ROLES  # noqa: E402
from domain.periods import LOCAL_TZ, parse_period  # noqa: E402
from runtime import db  # noqa: E402

#: The last commit before the figures moved into SQL (issue 9): the "old path".
OLD_REF = "d858cc0"
PERIOD = "2026-11"
AS_OF = datetime(2026, 12, 1, 9, 0, tzinfo=LOCAL_TZ)
EVENTS_PER_CASE = 10
TOWNSHIPS = [f"Township {n:02d}" for n in range(1, 21)]
VILLAGES_PER_TOWNSHIP, GRIDS_PER_VILLAGE, WORKERS_PER_GRID = 5, 2, 3
FIRST = datetime(2025, 11, 1, tzinfo=LOCAL_TZ)
#: Only cases opened this recently are still open.
OPEN_FOR = timedelta(days=30)
LAST = datetime(2026, 12, 1, tzinfo=LOCAL_TZ)

HANDLER_ROLE = "grid_worker"
APPLICANT = {"name": "申请人", "role": "applicant"}
SATISFIED = {"visit": "satisfaction", "result": "satisfied", "solved": True,
             "satisfaction": "satisfied"}  # fmt: skip
UNHAPPY = {"visit": "satisfaction", "result": "dissatisfied", "solved": False,
           "satisfaction": "dissatisfied"}  # fmt: skip

# Stories: (final status, final level, [(hours after opening, kind, level, by handler?, data)]).
# Each is padded to EVENTS_PER_CASE with yellow warnings right after the assignment.
STORIES: list[tuple[float, str, str, list[tuple[float, str, str, bool, dict[str, Any]]]]] = [
    (0.40, "closed", "grid", [
        (0, "assigned", "grid", False, {}), (3, "contacted", "grid", True, {}),
        (20, "resolved", "grid", True, {"agreement": "ok"}),
        (44, "visit_done", "grid", True, SATISFIED),
        (740, "visit_done", "grid", True, {"visit": "performance", "result": "satisfied"}),
        (740, "closed", "grid", False, {"outcome": "resolved"})]),
    (0.20, "closed", "village", [
        (0, "assigned", "grid", False, {}), (30, "failed", "grid", True, {"reason": "no"}),
        (30, "escalated", "village", False, {"trigger": "failed"}),
        (60, "resolved", "village", True, {"agreement": "ok"}),
        (84, "visit_done", "village", True, UNHAPPY),
        (800, "closed", "village", False, {"outcome": "resolved"})]),
    (0.10, "referred", "township", [
        (0, "assigned", "grid", False, {}), (24, "deadline_passed", "grid", False, {}),
        (24, "escalated", "village", False, {"trigger": "deadline"}),
        (30, "contacted", "village", True, {}),
        (70, "escalated", "township", False, {"trigger": "deadline"}),
        (200, "closed", "township", False, {"outcome": "referred"})]),
    (0.08, "withdrawn", "grid", [
        (0, "assigned", "grid", False, {}), (2, "contacted", "grid", True, {}),
        (5, "withdrawn", "grid", False, {"reason": "settled"}),
        (5, "closed", "grid", False, {"outcome": "withdrawn"})]),
    (0.12, "resolved", "grid", [
        (0, "assigned", "grid", False, {}), (1, "contacted", "grid", True, {}),
        (2, "paused", "grid", True, {"reason": "appraisal"}),
        (50, "resumed", "grid", False, {"paused_seconds": 172800}),
        (60, "resolved", "grid", True, {"agreement": "ok"})]),
    (0.10, "open", "grid", [
        (0, "assigned", "grid", False, {}), (5, "contacted", "grid", True, {})]),
]  # fmt: skip


def units() -> list[tuple[str, str, str]]:
    """(township, village, grid) of every grid."""
    return [
        (t, f"{t} V{v}", f"{t[-2:]}-G{v}{g}")
        for t in TOWNSHIPS
        for v in range(VILLAGES_PER_TOWNSHIP)
        for g in range(GRIDS_PER_VILLAGE)
    ]


def build(cases: int, seed: int = 9) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """Rows of `cases`, `case_events` and `roster`, EVENTS_PER_CASE events a case, newest
    case first: a prefix of the rows is the recent part of the ledger, holding every case
    still open (only cases of the last OPEN_FOR days are), as a county's ledger grows by
    finished history while its open work stays the same."""
    rng = random.Random(seed)
    grids = units()
    weights = [s[0] for s in STORIES]
    span = (LAST - FIRST).total_seconds()
    case_rows, event_rows = [], []
    for n in range(cases):
        township, village, grid = rng.choice(grids)
        opened = (LAST - timedelta(seconds=span * (n + rng.random()) / cases)).astimezone(UTC)
        _, status, level, steps = rng.choices(STORIES, weights)[0]
        while status == "open" and opened < LAST - OPEN_FOR:
            _, status, level, steps = rng.choices(STORIES, weights)[0]
        worker = {"name": f"{grid} worker {rng.randrange(WORKERS_PER_GRID)}", "unit": grid,
                  "role": HANDLER_ROLE}  # fmt: skip
        case_id = f"B-{n:06d}"
        due = opened + timedelta(hours=rng.choice((24, 48, 96)))
        case_rows.append(
            (case_id, f"case-{case_id}", "neighbour", "general", "green", f"case {n}", "Bench",
             township, village, grid, opened, opened, "bench", {}, status, level, worker,
             due if status == "open" else None, EVENTS_PER_CASE)
        )  # fmt: skip
        padding = EVENTS_PER_CASE - 1 - len(steps)
        timeline = [(0.0, "opened", steps[0][2], False, {"risk": "green"}), steps[0]]
        timeline += [(0.5, "warning", steps[0][2], False, {"colour": "yellow"})] * padding
        timeline += steps[1:]
        for seq, (hours, kind, lv, by_handler, data) in enumerate(timeline, start=1):
            actor = APPLICANT if kind == "withdrawn" else worker if by_handler else None
            at = opened + timedelta(hours=hours)
            event_rows.append((case_id, seq, at, kind, lv, kind, actor, data))
    roster = [
        ("grid", grid, f"{grid} worker {w}", HANDLER_ROLE, True)
        for _, _, grid in grids
        for w in range(WORKERS_PER_GRID)
    ]
    return case_rows, event_rows, roster


CASE_COLUMNS = ["case_id", "workflow_id", "dispute_type", "complexity", "risk", "title", "county",
                "township", "village", "grid", "reported_at", "opened_at", "policy_name",
                "intake", "status", "level", "assignee", "due_at", "last_seq"]  # fmt: skip
EVENT_COLUMNS = ["case_id", "seq", "at", "kind", "level", "summary", "actor", "data"]


async def load(
    url: str, case_rows: list[tuple], event_rows: list[tuple], roster: list[tuple]
) -> None:
    """COPY the rows in; then ANALYZE, as a database that has lived with them would be."""
    started = time.perf_counter()
    conn = await asyncpg.connect(url)
    try:
        await binary_jsonb(conn)
        await conn.copy_records_to_table("cases", records=case_rows, columns=CASE_COLUMNS)
        await conn.copy_records_to_table("case_events", records=event_rows, columns=EVENT_COLUMNS)
        if roster:
            await conn.copy_records_to_table(
                "roster", records=roster, columns=["level", "unit", "name", "role", "active"]
            )
        await conn.execute("ANALYZE")
        total = await conn.fetchval("SELECT count(*) FROM cases")
    finally:
        await conn.close()
    print(
        f"ledger now {total:,} cases: copied {len(case_rows):,} cases and"
        f" {len(event_rows):,} events in {time.perf_counter() - started:.1f} s"
    )


async def timed(runs: int, make) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        await make()
        times.append(time.perf_counter() - started)
    return times


def old_tree(ref: str, into: Path) -> Path:
    """The `domain`, `runtime` and `activities` folders as they were at `ref`."""
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "domain", "runtime", "activities"],
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


_OLD_REPORT = """
import asyncio, sys, time
from datetime import datetime
import asyncpg
from runtime import db
from cli.report import assess
from domain.periods import parse_period

async def main():
    pool = await db.create_pool(sys.argv[1])
    started = time.perf_counter()
    await assess(pool, parse_period(sys.argv[2]), datetime.fromisoformat(sys.argv[3]))
    print(time.perf_counter() - started)
    await pool.close()

asyncio.run(main())
"""


def old_report_seconds(tree: Path, url: str) -> float:
    """One run of the old report path, in a subprocess whose imports come from `tree`."""
    done = subprocess.run(
        [sys.executable, "-c", _OLD_REPORT, url, PERIOD, AS_OF.isoformat()],
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
    )
    return float(done.stdout.strip().splitlines()[-1])


def roster_module(tree: Path) -> Path:
    """Where a tree keeps `_PICK`: ledger/roster.py since the layers were split (ea1a6d0),
    activities/roster.py before."""
    moved = tree / "ledger/roster.py"
    return moved if moved.exists() else tree / "activities/roster.py"


def pick_query(path: Path) -> str:
    """The `_PICK` SQL of a roster module, read without importing it."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "_PICK":
            return ast.literal_eval(node.value)
    raise SystemExit(f"no _PICK in {path}")


async def bench_pick(pool: asyncpg.Pool, query: str, runs: int) -> list[float]:
    grids = [g for _, _, g in units()]
    rng = random.Random(1)
    # A handler, as `pick_handler` asks: today's query also takes the role wanted (none: a
    # handler) and the lead roles it passes over; the old one took only the level and unit.
    extra = (None, sorted(LEAD_ROLES))
    async with pool.acquire() as conn:
        stmt = await conn.prepare(query)
        given = extra[: len(stmt.get_parameters()) - 2]
        return await timed(runs, lambda: stmt.fetchrow("grid", rng.choice(grids), *given))


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:8.1f} ms (median of {len(values)})"


async def run(url: str, args: argparse.Namespace, old: Path | None) -> None:
    """Load the ledger into the database at `url`, then time both paths."""
    pool = await db.create_pool(url, max_size=4)
    try:
        await db.migrate(pool)
        case_rows, event_rows, roster = build(args.cases)
        # The newest tenth first (every open case is in it): handler assignment is timed on
        # it and again once the rest of the history is in.
        tenth = len(case_rows) // 10
        await load(url, case_rows[:tenth], event_rows[: tenth * EVENTS_PER_CASE], roster)
        picks = {"new": roster_module(ROOT)}
        if old is not None:
            picks[f"old ({args.old_ref})"] = roster_module(old)
        small = {n: await bench_pick(pool, pick_query(p), 20) for n, p in picks.items()}
        await load(url, case_rows[tenth:], event_rows[tenth * EVENTS_PER_CASE :], [])
        full = {n: await bench_pick(pool, pick_query(p), 20) for n, p in picks.items()}
        for name in picks:
            grows = statistics.median(full[name]) / statistics.median(small[name])
            print(
                f"handler assignment, {name}: {ms(small[name])} at {tenth:,} cases,"
                f" {ms(full[name])} at {len(case_rows):,} ({grows:.1f}x)"
            )
        if old is not None:
            ratio = statistics.median(full[f"old ({args.old_ref})"]) / statistics.median(
                full["new"]
            )
            print(f"handler assignment at {len(case_rows):,} cases: old / new = {ratio:.0f}x")

        period = parse_period(PERIOD)
        township = TOWNSHIPS[0]
        county = await timed(args.runs, lambda: assess(pool, period, AS_OF))
        one = await timed(args.runs, lambda: assess(pool, period, AS_OF, township=township))
        metrics, _ = await assess(pool, period, AS_OF)
        total = metrics[-1]
        print(
            f"month {PERIOD}: {len(metrics)} rows, county received {total.received:,},"
            f" resolved {total.resolved:,}, overdue {total.overdue:,}"
        )
        print(f"new report, county + every township: {ms(county)}")
        print(f"new report, one township ({township}):  {ms(one)}")
        worst = max(statistics.median(county), statistics.median(one))
        print(f"target < 2 s: {'met' if worst < 2 else 'NOT met'} ({worst:.2f} s)")
        if old is not None and not args.skip_old:
            seconds = old_report_seconds(old, url)
            print(f"old report ({args.old_ref}), county, one run: {seconds * 1000:8.1f} ms")
            print(f"month report: old / new = {seconds / statistics.median(county):.1f}x")
    finally:
        await pool.close()


def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-old-") as old:
        tree = None if args.no_old else old_tree(args.old_ref, Path(old))
        with bench_database("bench-report-") as url:
            asyncio.run(run(url, args, tree))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases (10 events each)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each new report")
    parser.add_argument("--old-ref", default=OLD_REF, help="git ref of the old path")
    parser.add_argument("--skip-old", action="store_true", help="do not run the old report")
    parser.add_argument("--no-old", action="store_true", help="no old path at all (no git)")
    main(parser.parse_args())
