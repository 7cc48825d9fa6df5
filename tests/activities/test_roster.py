"""Roster activity against real PostgreSQL: the unit's active handler with the fewest open cases."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.ledger import LedgerActivities
from domain.case_models import Assignee, CaseEvent, CaseStatus
from domain.intake_models import Location
from domain.ladder import Level
from domain.risk import RiskColour
from ledger import roster as roster_module
from ledger.roster import pick_handler
from ledger.rows import AssignRequest, AssignResult, CaseRegistration, CaseSnapshot, StepWrite
from tests import factories
from tests.factories import registration_step

LOCATION = Location.model_validate(factories.LOCATION)
OPENED = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


async def assign(pool: asyncpg.Pool, level: Level, location: Location = LOCATION) -> AssignResult:
    request = AssignRequest(case_id="R-0001", level=level, location=location)
    return await pick_handler(pool, request)


async def add_handlers(pool: asyncpg.Pool, *rows: tuple[str, str, str, str, bool]) -> None:
    await pool.executemany(
        "INSERT INTO roster (level, unit, name, role, active) VALUES ($1, $2, $3, $4, $5)", rows
    )


async def give_case(
    pool: asyncpg.Pool,
    case_id: str,
    assignee: Assignee,
    level: Level,
    status: CaseStatus = CaseStatus.open,
) -> None:
    """A case in the ledger, held by `assignee` at `level`, built through the ledger activities."""
    ledger = LedgerActivities(pool)
    env = ActivityEnvironment()
    await env.run(
        ledger.write_step,
        registration_step(
            CaseRegistration(
                case_id=case_id,
                workflow_id=f"case-{case_id}",
                intake=factories.intake(case_id),
                risk=RiskColour.green,
                level=level,
                policy_name="test",
                opened_at=OPENED,
            )
        ),
    )
    await env.run(
        ledger.write_step,
        StepWrite(
            case_id=case_id,
            events=[CaseEvent(seq=1, at=OPENED, kind="assigned", level=level, summary="assigned")],
            snapshot=CaseSnapshot(
                case_id=case_id,
                status=status,
                level=level,
                assignee=assignee,
                due_at=None,
                closed_at=OPENED if status is CaseStatus.resolved else None,
                last_seq=1,
            ),
        ),
    )


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        (Level.grid, Assignee(name="赵网格员", unit="G-07", role="grid_worker")),
        (
            Level.village,
            Assignee(name="钱调解员", unit="Diamond Square Community", role="mediation_committee"),
        ),
        (Level.township, Assignee(name="孙主任", unit="Haibei Street", role="governance_centre")),
        (Level.county, Assignee(name="李科长", unit="Haibowan District", role="county_centre")),
    ],
)
async def test_pick_handler_picks_the_units_handler_for_each_level(
    clean_pool: asyncpg.Pool, level: Level, expected: Assignee
):
    await factories.load_roster(clean_pool)

    result = await assign(clean_pool, level)

    assert result.assignee == expected


async def test_handler_of_another_unit_at_the_same_level_is_not_picked(clean_pool: asyncpg.Pool):
    await add_handlers(
        clean_pool,
        ("grid", "G-08", "周网格员", "grid_worker", True),
        ("village", "G-07", "错配的人", "mediation_committee", True),  # right name, wrong level
    )

    assert (await assign(clean_pool, Level.grid)).assignee is None
    assert (await assign(clean_pool, Level.village)).assignee is None


async def test_pick_handler_returns_no_assignee_when_the_roster_is_empty(
    clean_pool: asyncpg.Pool,
):
    for level in Level:
        assert await assign(clean_pool, level) == AssignResult(assignee=None)


async def test_inactive_handler_is_skipped(clean_pool: asyncpg.Pool):
    await add_handlers(
        clean_pool,
        ("grid", "G-07", "A-on-leave", "grid_worker", False),
        ("grid", "G-07", "B-on-duty", "grid_worker", True),
    )

    result = await assign(clean_pool, Level.grid)

    assert result.assignee == Assignee(name="B-on-duty", unit="G-07", role="grid_worker")


async def test_unit_with_only_inactive_handlers_assigns_nobody(clean_pool: asyncpg.Pool):
    await add_handlers(clean_pool, ("grid", "G-07", "A-on-leave", "grid_worker", False))

    assert (await assign(clean_pool, Level.grid)).assignee is None


async def test_ties_break_on_name(clean_pool: asyncpg.Pool):
    await add_handlers(
        clean_pool,
        ("grid", "G-07", "B", "grid_worker", True),
        ("grid", "G-07", "A", "grid_worker", True),
    )

    assert (await assign(clean_pool, Level.grid)).assignee.name == "A"


async def test_handler_with_fewer_open_cases_gets_the_next_one(clean_pool: asyncpg.Pool):
    await add_handlers(
        clean_pool,
        ("grid", "G-07", "A", "grid_worker", True),
        ("grid", "G-07", "B", "grid_worker", True),
    )
    a = Assignee(name="A", unit="G-07", role="grid_worker")
    await give_case(clean_pool, "R-0101", a, Level.grid)

    result = await assign(clean_pool, Level.grid)

    assert result.assignee == Assignee(name="B", unit="G-07", role="grid_worker")


async def test_supervised_cases_count_as_open_work(clean_pool: asyncpg.Pool):
    await add_handlers(
        clean_pool,
        ("county", "Haibowan District", "A", "county_centre", True),
        ("county", "Haibowan District", "B", "county_centre", True),
    )
    a = Assignee(name="A", unit="Haibowan District", role="county_centre")
    await give_case(clean_pool, "R-0101", a, Level.county, CaseStatus.supervised)

    assert (await assign(clean_pool, Level.county)).assignee.name == "B"


@pytest.mark.parametrize(
    "status",
    # Before issue 9 only `resolved` was left out: closed, withdrawn and referred cases
    # weighed on their handler for ever.
    # A merged case (the same dispute entered twice) weighed on its handler until migration 018.
    [
        CaseStatus.resolved,
        CaseStatus.closed,
        CaseStatus.withdrawn,
        CaseStatus.referred,
        CaseStatus.merged,
    ],
)
async def test_finished_cases_do_not_count(clean_pool: asyncpg.Pool, status: CaseStatus):
    await add_handlers(
        clean_pool,
        ("grid", "G-07", "A", "grid_worker", True),
        ("grid", "G-07", "B", "grid_worker", True),
    )
    a = Assignee(name="A", unit="G-07", role="grid_worker")
    await give_case(clean_pool, "R-0101", a, Level.grid, status)
    await give_case(clean_pool, "R-0102", a, Level.grid, status)

    assert (await assign(clean_pool, Level.grid)).assignee.name == "A"


async def test_counting_a_handlers_load_reads_the_open_cases_index(clean_pool: asyncpg.Pool):
    # The cost of assignment must not grow with the ledger: the load is counted from the
    # partial index of open cases (migration 006), not by scanning `cases`.
    async with clean_pool.acquire() as conn, conn.transaction():
        # A tiny table would be scanned whatever the indexes: ask for the plan of a big one.
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = await conn.fetchval(
            "EXPLAIN (FORMAT JSON) " + roster_module._PICK, "grid", "G-07", None, ["leader"]
        )

    assert "cases_open_by_assignee" in str(plan)


async def test_open_cases_at_another_level_do_not_count(clean_pool: asyncpg.Pool):
    await add_handlers(
        clean_pool,
        ("grid", "G-07", "A", "grid_worker", True),
        ("grid", "G-07", "B", "grid_worker", True),
    )
    # A's case climbed to the village: the row's level is village, so A's grid load is zero.
    a = Assignee(name="A", unit="G-07", role="grid_worker")
    await give_case(clean_pool, "R-0101", a, Level.village)

    assert (await assign(clean_pool, Level.grid)).assignee.name == "A"


async def test_load_is_counted_per_handler(clean_pool: asyncpg.Pool):
    await add_handlers(
        clean_pool,
        ("grid", "G-07", "A", "grid_worker", True),
        ("grid", "G-07", "B", "grid_worker", True),
        ("grid", "G-07", "C", "grid_worker", True),
    )
    a = Assignee(name="A", unit="G-07", role="grid_worker")
    b = Assignee(name="B", unit="G-07", role="grid_worker")
    c = Assignee(name="C", unit="G-07", role="grid_worker")
    await give_case(clean_pool, "R-0101", a, Level.grid)
    await give_case(clean_pool, "R-0102", a, Level.grid)
    await give_case(clean_pool, "R-0103", b, Level.grid)
    await give_case(clean_pool, "R-0104", c, Level.grid)
    await give_case(clean_pool, "R-0105", c, Level.grid, CaseStatus.resolved)

    # A: 2 open, B: 1, C: 1 (+1 resolved) -> B and C tie, B wins on name.
    assert (await assign(clean_pool, Level.grid)).assignee.name == "B"


async def test_a_lead_is_never_picked_as_handler_and_is_picked_by_role(clean_pool: asyncpg.Pool):
    await add_handlers(
        clean_pool,
        ("township", "Haibei Street", "A-书记", "secretary", True),
        ("township", "Haibei Street", "B-委员", "leader", True),
        ("township", "Haibei Street", "C-主任", "governance_centre", True),
    )
    lead = AssignRequest(case_id="R-0001", level=Level.township, location=LOCATION, role="leader")

    assert (await assign(clean_pool, Level.township)).assignee.name == "C-主任"
    assert (await pick_handler(clean_pool, lead)).assignee.name == "B-委员"
