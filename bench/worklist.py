"""Benchmark: `starter.py list` on a county's ledger of 100,000 cases.

Builds, in an embedded PostgreSQL of its own (a temporary folder, deleted at the end), a ledger
of `--cases` cases (bulk COPY): 20 townships, 100 villages, 200 grids with Chinese names; most
cases finished, about one in seven still on the ladder (open, paused, or under the county's
supervision), spread over the four levels, due from five days ago to ten days ahead, so that
a few thousand are overdue. Then, for each filter below, times what `starter.py list` does
after connecting: the worklist query (`ledger.worklist.worklist`) and the aligned Chinese
table (`table_lines`), median of `--runs` runs; once with migration 009's indexes and once
without them (dropped), with the ratio. Last, one whole `starter.py list --overdue` process
(Python start-up, imports, connecting, the migration check), as a clerk would wait for it.

Run: `.venv/bin/python bench/worklist.py` (about a minute). Target: `list --overdue` under 1 s.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402

from bench.ledger_db import bench_database, binary_jsonb  # noqa: E402
from cli.worklist import table_lines  # noqa: E402
from ledger.worklist import Filters, page  # noqa: E402
from runtime import db  # noqa: E402
from texts import Lang  # noqa: E402
from texts.terminal import pad  # noqa: E402

NOW = datetime.now(UTC).replace(microsecond=0)
TOWNSHIPS = ["城关镇", "青山镇", "石桥镇", "柳河镇", "白沙镇", "龙泉镇", "东关街道", "西关街道",
             "南湖街道", "北苑街道", "桃源乡", "杏花乡", "清水镇", "马集镇", "黄庄镇", "李楼镇",
             "双河镇", "新安镇", "大王庄乡", "小李庄乡"]  # fmt: skip
VILLAGES = ["张家村", "王庄村", "前进村", "红星社区", "幸福社区"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国秀英志强桂兰海燕红梅国华文军玉珍明辉"
TITLES = ["宅基地边界纠纷", "邻里噪音纠纷", "拖欠工资纠纷", "婚姻家庭纠纷", "土地承包合同纠纷",
          "房屋漏水损害赔偿纠纷", "民间借贷纠纷", "征地补偿款分配纠纷", "养殖污染纠纷",
          "物业服务费纠纷"]  # fmt: skip
LEVELS = [("grid", 0.50), ("village", 0.25), ("township", 0.15), ("county", 0.10)]
#: (status, share): about one case in seven is still on the ladder.
STATUSES = [("closed", 0.62), ("withdrawn", 0.06), ("referred", 0.05), ("resolved", 0.13),
            ("open", 0.115), ("paused", 0.015), ("supervised", 0.01)]  # fmt: skip
RISKS = [("green", 0.8), ("yellow", 0.15), ("red", 0.05)]
COLUMNS = ["case_id", "workflow_id", "dispute_type", "complexity", "risk", "title", "county",
           "township", "village", "grid", "reported_at", "opened_at", "policy_name", "intake",
           "status", "level", "assignee", "due_at", "last_seq"]  # fmt: skip
COUNTY = "海湾区"
#: Migration 009's indexes: dropped for the "without" runs.
INDEXES_009 = ("cases_ladder_due", "cases_ladder_holder", "cases_ladder_handler")


def pick(rng: random.Random, shares: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _ in shares], [w for _, w in shares])[0]


def units() -> list[tuple[str, str, str]]:
    """(township, village, grid) of every grid: 20 townships x 5 villages x 2 grids."""
    return [
        (t, t[:2] + v, f"{t[:2]}{v}第{g}网格") for t in TOWNSHIPS for v in VILLAGES for g in (1, 2)
    ]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


def build(cases: int, seed: int = 12) -> tuple[list[tuple], list[str]]:
    """The `cases` rows, and the names of the handlers of open cases."""
    rng = random.Random(seed)
    grids = units()
    rows, names = [], set()
    for n in range(cases):
        township, village, grid = rng.choice(grids)
        status = pick(rng, STATUSES)
        level = "county" if status == "supervised" else pick(rng, LEVELS)
        unit = {"grid": grid, "village": village, "township": township, "county": COUNTY}[level]
        handler = person(rng)
        if status == "open":
            names.add(handler)
        opened = NOW - timedelta(days=rng.uniform(0, 400))
        due = None
        if status == "supervised":
            due = NOW - timedelta(days=rng.uniform(1, 60))
        elif status in ("open", "paused") and rng.random() < 0.97:  # a few have no clock
            due = NOW + timedelta(hours=rng.uniform(-5 * 24, 10 * 24))
        case_id = f"W-{n:06d}"
        rows.append(
            (case_id, f"case-{case_id}", "neighbour", "general", pick(rng, RISKS),
             f"{village}{rng.choice(TITLES)}", COUNTY, township, village, grid, opened, opened,
             "bench", {}, status, level, {"name": handler, "unit": unit, "role": "handler"},
             due, 1)
        )  # fmt: skip
    return rows, sorted(names)


async def load(url: str, rows: list[tuple]) -> None:
    started = time.perf_counter()
    conn = await asyncpg.connect(url)
    try:
        await binary_jsonb(conn)
        await conn.copy_records_to_table("cases", records=rows, columns=COLUMNS)
        await conn.execute("ANALYZE cases")
        counts = await conn.fetch(
            "SELECT count(*) FILTER (WHERE status IN ('open', 'paused', 'supervised')) AS ladder,"
            " count(*) FILTER (WHERE status IN ('open', 'paused', 'supervised') AND due_at < $1)"
            " AS overdue, count(*) AS total FROM cases",
            NOW,
        )
    finally:
        await conn.close()
    c = counts[0]
    print(
        f"ledger: {c['total']:,} cases ({c['ladder']:,} on the ladder, {c['overdue']:,} overdue),"
        f" copied in {time.perf_counter() - started:.1f} s"
    )


def filters(handler: str) -> dict[str, tuple[str, Filters]]:
    """The filters timed, as a clerk types them."""
    township, village, _ = units()[37]
    return {
        "overdue": ("list --overdue", Filters(overdue=True)),
        "all": ("list", Filters()),
        "unit": (f"list --unit {village}", Filters(unit=village)),
        "due": ("list --due-within 24h", Filters(due_within=timedelta(hours=24))),
        "handler": (f"list --handler {handler}", Filters(handler=handler)),
        "township": (
            f"list --level township --unit {township} --risk red",
            Filters(level="township", unit=township, risk="red"),
        ),
    }


async def as_the_cli(pool: asyncpg.Pool, f: Filters) -> tuple[float, float, int]:
    """What `starter.py list` does once connected: the query (and the count when the page is
    full), then the table it prints. Seconds of each, and the rows shown."""
    started = time.perf_counter()
    rows, _total = await page(pool, f, datetime.now(UTC))
    queried = time.perf_counter()
    printed = "\n".join(table_lines(rows, Lang.zh))
    assert printed or not rows
    return queried - started, time.perf_counter() - queried, len(rows)


async def time_all(pool: asyncpg.Pool, cases: dict, runs: int) -> dict[str, tuple[float, ...]]:
    """Per filter: the median query, table and whole times, and the rows shown."""
    out = {}
    for key, (_, f) in cases.items():
        await as_the_cli(pool, f)  # warm: the first run reads the pages from disk
        timed = [await as_the_cli(pool, f) for _ in range(runs)]
        query, table = [t[0] for t in timed], [t[1] for t in timed]
        whole = [t[0] + t[1] for t in timed]
        out[key] = (*map(statistics.median, (query, table, whole)), timed[0][2])
    return out


async def plans(pool: asyncpg.Pool, cases: dict) -> dict[str, str]:
    """The indexes each query's plan reads ('-' for a sequential scan only)."""
    from ledger.worklist import build_query

    out = {}
    for key, (_, f) in cases.items():
        sql, args = build_query(f, NOW)
        lines = [r[0] for r in await pool.fetch("EXPLAIN " + sql, *args)]
        used = sorted({w for line in lines for w in line.replace("(", " ").split()
                       if w.startswith("cases_")})  # fmt: skip
        out[key] = ", ".join(used) or "-"
    return out


def whole_process(url: str) -> float:
    """One `starter.py list --overdue` process, start to exit, output thrown away."""
    env = {**os.environ, "DATABASE_URL": url, "DISPUTE_LANG": "zh"}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "starter.py"), "list", "--overdue"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


async def run(url: str, args: argparse.Namespace) -> None:
    pool = await db.create_pool(url, max_size=4)
    try:
        await db.migrate(pool)
        rows, names = build(args.cases)
        await load(url, rows)
        cases = filters(names[len(names) // 2])
        used = await plans(pool, cases)
        with_idx = await time_all(pool, cases, args.runs)
        for name in INDEXES_009:
            await pool.execute(f"DROP INDEX {name}")
        without = await time_all(pool, cases, args.runs)
        print(
            f"\nmedian of {args.runs} runs; query (with the count when the page is full) with"
            " migration 009's indexes / without them, then the table, then both:"
        )
        for key, (command, _) in cases.items():
            query, table, whole, shown = with_idx[key]
            ratio = without[key][0] / query
            print(
                f"  {pad(command, 48)} {shown:4d} rows  query {query * 1000:6.1f} ms /"
                f" {without[key][0] * 1000:6.1f} ms ({ratio:4.1f}x)  table {table * 1000:5.1f} ms"
                f"  both {whole * 1000:6.1f} ms  [{used[key]}]"
            )
    finally:
        await pool.close()
    processes = [whole_process(url) for _ in range(3)]
    seconds = statistics.median(processes)
    print(f"\nwhole `starter.py list --overdue` process (median of 3): {seconds:.2f} s")
    worst = with_idx["overdue"][2]
    print(f"target: list --overdue under 1 s: {'met' if worst < 1 else 'NOT met'}"
          f" ({worst * 1000:.0f} ms query + table; {seconds:.2f} s with start-up)")  # fmt: skip


def main(args: argparse.Namespace) -> None:
    with bench_database("bench-worklist-") as url:
        asyncio.run(run(url, args))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the ledger")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each filter")
    main(parser.parse_args())
