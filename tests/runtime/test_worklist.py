"""The worklist query on a ledger built by hand: whose cases, which filters, what order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from runtime.worklist import Filters, may_read, time_left_text, worklist

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
    assert [r.time_left for r in rows] == ["clock paused"]
    assert "  clock paused  " in rows[0].line()


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "no clock"), (3_900, "1h 5m left"), (-90_000, "1d 1h overdue"), (59, "0m left")],
)
def test_time_left_text(seconds, text):
    assert time_left_text(seconds) == text


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
