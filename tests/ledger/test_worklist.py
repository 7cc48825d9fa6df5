"""The worklist query on a ledger built by hand: whose cases, which filters, what order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from cli.worklist import table_lines
from ledger.worklist import LIMIT, Filters, may_read, page, worklist
from texts.terminal import width
from texts.terms import time_left

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


async def add_case(pool: asyncpg.Pool, case_id: str, *, level: str = "grid", grid: str = "G-07",
                   due_in: timedelta | None = timedelta(hours=5), status: str = "open",
                   risk: str = "green", assignee: dict | None = None) -> None:  # fmt: skip
    await pool.execute(
        """INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,
               township, village, grid, reported_at, opened_at, policy_name, intake, level,
               status, assignee, due_at)
           VALUES ($1, 'case-' || $1, 'debt', 'general', $2, 'A title', 'Haibowan District',
               'Haibei Street', 'Diamond Square Community', $3, $4, $4, 'p', '{}'::jsonb, $5,
               $6, $7, $8)""",
        case_id, risk, grid, NOW - timedelta(days=1), level, status, assignee,
        NOW + due_in if due_in is not None else None,
    )  # fmt: skip


@pytest.fixture
async def ledger(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    await add_case(clean_pool, "SOON", due_in=timedelta(hours=2))
    await add_case(clean_pool, "LATE-LONG", due_in=timedelta(days=-3), risk="red")
    await add_case(clean_pool, "LATE", due_in=timedelta(hours=-1))
    await add_case(clean_pool, "NO-CLOCK", due_in=None)
    await add_case(clean_pool, "LATER", due_in=timedelta(days=4))
    await add_case(clean_pool, "OTHER-GRID", grid="G-08")
    await add_case(clean_pool, "VILLAGE", level="village", due_in=timedelta(hours=1),
                   assignee={"name": "周调解员", "unit": "Diamond Square Community",
                             "role": "mediation_committee"})  # fmt: skip
    await add_case(clean_pool, "DONE", status="closed")
    await add_case(clean_pool, "PAUSED", status="paused", due_in=timedelta(days=1))
    return clean_pool


async def ids(pool: asyncpg.Pool, **filters) -> list[str]:
    return [r.case_id for r in await worklist(pool, Filters(**filters), NOW)]


async def test_most_urgent_first_overdue_longest_then_soonest_then_no_clock(ledger):
    assert await ids(ledger, unit="G-07", level="grid") == [
        "LATE-LONG", "LATE", "SOON", "PAUSED", "LATER", "NO-CLOCK",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"unit": "G-07", "overdue": True}, ["LATE-LONG", "LATE"]),
        ({"unit": "G-07", "due_within": timedelta(hours=3)}, ["LATE-LONG", "LATE", "SOON"]),
        ({"risk": "red"}, ["LATE-LONG"]),
        ({"handler": "周调解员"}, ["VILLAGE"]),
        ({"unit": "G-08"}, ["OTHER-GRID"]),
        ({"level": "village"}, ["VILLAGE"]),
        ({"unit": "G-07", "status": ("closed",)}, ["DONE"]),
        ({"unit": "G-07", "status": ("paused",)}, ["PAUSED"]),
    ],
)
async def test_filters(ledger, filters, expected):
    assert await ids(ledger, **filters) == expected


async def test_a_persons_cases_are_their_units_and_those_assigned_to_them(ledger):
    grid = await ids(ledger, mine_name="赵网格员", mine_unit="G-07", mine_role="grid_worker")
    village = await ids(ledger, mine_name="周调解员", mine_unit="Diamond Square Community",
                        mine_role="mediation_committee")  # fmt: skip
    assert "VILLAGE" not in grid and "OTHER-GRID" not in grid and "LATE-LONG" in grid
    assert village == ["VILLAGE"]
    assert await ids(ledger, mine_name="x", mine_unit="G-99", mine_role="grid_worker") == []


async def test_a_paused_cases_clock_reads_paused(ledger):
    rows = await worklist(ledger, Filters(status=("paused",)), NOW)
    assert [r.time_left("en") for r in rows] == ["clock paused"]
    assert table_lines(rows, "en")[1].endswith("  clock paused")
    assert table_lines(rows, "zh")[1].endswith("  计时已暂停")


async def test_a_line_per_case_in_chinese_with_columns_aligned(ledger):
    rows = await worklist(ledger, Filters(unit="G-07", level="grid"), NOW)
    lines = table_lines(rows, "zh")
    assert lines[0].split() == ["案件编号", "标题", "地点", "层级", "承办人", "风险", "时限"]
    late_long = lines[1].split()
    assert late_long[0] == "LATE-LONG"
    assert late_long[-4:] == ["网格", "-", "红色", "已超期3天0小时"]
    assert "Haibei Street Diamond" in lines[1]  # township, then village (cut to fit)
    # Every column starts in the same terminal cell on every line, Chinese being two wide.
    heads = zip(lines, ["风险", "红色"], strict=False)
    risk_at = {width(line[: line.index(w)]) for line, w in heads}
    assert len(risk_at) == 1
    assert lines[-1].split()[-1] == "无时限"


async def test_english_on_request(ledger):
    rows = await worklist(ledger, Filters(unit="G-07", level="grid", overdue=True), NOW)
    lines = table_lines(rows, "en")
    assert lines[0].split() == [
        "Case", "Title", "Place", "Level", "Handler", "Risk", "Time", "left",
    ]  # fmt: skip
    assert lines[1].split()[-4:] == ["red", "3d", "0h", "overdue"]


async def test_a_full_page_counts_every_match(clean_pool):
    for n in range(LIMIT + 3):
        await add_case(clean_pool, f"C-{n:04d}", due_in=timedelta(hours=-n))
    rows, total = await page(clean_pool, Filters(overdue=True), NOW)
    assert (len(rows), total) == (LIMIT, LIMIT + 2)  # C-0000 is due exactly now: not overdue
    assert rows[0].case_id == f"C-{LIMIT + 2:04d}"
    rows, total = await page(clean_pool, Filters(risk="red"), NOW)
    assert (rows, total) == ([], 0)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "no clock"), (3_900, "1h 5m left"), (-90_000, "1d 1h overdue"), (59, "0m left")],
)
def test_time_left_text(seconds, text):
    assert time_left(seconds, "en") == text


async def test_who_may_read_a_case(ledger):
    await ledger.execute(
        "INSERT INTO case_events (case_id, seq, at, kind, level, summary, data) VALUES "
        "('SOON', 1, now(), 'transfer_requested', 'grid', 't', '{\"to_unit\": \"G-09\"}')"
    )
    readers = [("赵网格员", "G-07", "grid_worker"), ("x", "Diamond Square Community", "m"),
               ("x", "Haibei Street", "supervisor"), ("x", "Haibowan District", "c"),
               ("y", "G-09", "grid_worker")]  # fmt: skip
    for name, unit, role in readers:
        assert await may_read(ledger, "SOON", name, unit, role), unit
    assert not await may_read(ledger, "SOON", "钱网格员", "G-08", "grid_worker")
    assert not await may_read(ledger, "LATE", "y", "G-09", "grid_worker")  # offered SOON only
    assert not await may_read(ledger, "NO-SUCH", "赵网格员", "G-07", "grid_worker")
