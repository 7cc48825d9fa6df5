"""Ledger activities against real PostgreSQL: every write is idempotent on its business key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
import structlog
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.ledger import LedgerActivities
from domain.case_models import Actor, Assignee, CaseEvent, CaseStatus
from domain.ladder import Level
from domain.risk import RiskColour
from ledger.rows import CaseRegistration, CaseSnapshot, LedgerAck, StepWrite
from tests import factories
from tests.factories import registration_step

OPENED = datetime(2026, 11, 20, 1, 35, tzinfo=UTC)
GRID_WORKER = Assignee(name="赵网格员", unit="G-07", role="grid_worker")


def registration(case_id: str = "L-0001", **overrides) -> CaseRegistration:
    return CaseRegistration(
        case_id=case_id,
        workflow_id=f"case-{case_id}",
        intake=factories.intake(case_id, **overrides),
        risk=RiskColour.green,
        level=Level.grid,
        policy_name="county-default-2026",
        opened_at=OPENED,
    )


def write(
    seq: int,
    *,
    case_id: str = "L-0001",
    kind: str = "opened",
    level: Level = Level.grid,
    status: CaseStatus = CaseStatus.open,
    assignee: Assignee | None = None,
    actor: Actor | None = None,
    data: dict | None = None,
    closed_at: datetime | None = None,
) -> StepWrite:
    at = OPENED + timedelta(minutes=seq)
    return StepWrite(
        case_id=case_id,
        events=[
            CaseEvent(
                seq=seq,
                at=at,
                kind=kind,
                level=level,
                summary=f"{kind} at {level.value}",
                actor=actor,
                data=data or {},
            )
        ],
        snapshot=CaseSnapshot(
            case_id=case_id,
            status=status,
            level=level,
            assignee=assignee,
            due_at=None if closed_at else at + timedelta(days=1),
            closed_at=closed_at,
            last_seq=seq,
        ),
    )


async def register(ledger: LedgerActivities, case: CaseRegistration) -> LedgerAck:
    return await ActivityEnvironment().run(ledger.write_step, registration_step(case))


async def append(ledger: LedgerActivities, item: StepWrite) -> LedgerAck:
    return await ActivityEnvironment().run(ledger.write_step, item)


async def test_register_case_writes_the_row_from_the_intake(clean_pool: asyncpg.Pool):
    ledger = LedgerActivities(clean_pool)

    ack = await register(ledger, registration(amount_cny=1200.0))

    assert ack == LedgerAck(written=True)
    row = await clean_pool.fetchrow("SELECT * FROM cases WHERE case_id = 'L-0001'")
    assert row["workflow_id"] == "case-L-0001"
    assert row["dispute_type"] == "neighbour"
    assert row["complexity"] == "general"
    assert row["risk"] == "green"
    assert (row["county"], row["township"], row["village"], row["grid"]) == (
        "Haibowan District",
        "Haibei Street",
        "Diamond Square Community",
        "G-07",
    )
    assert row["reported_at"] == datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert row["opened_at"] == OPENED
    assert row["status"] == "open"
    assert row["level"] == "grid"
    assert row["last_seq"] == 0
    assert row["assignee"] is None
    assert isinstance(row["intake"], dict)
    assert row["intake"]["amount_cny"] == 1200.0
    assert row["intake"]["parties"][0] == {
        "name": "王某",
        "role": "applicant",
        "phone": None,
        "id_number": None,
    }


async def test_register_case_twice_keeps_one_row_and_reports_the_second_as_not_written(
    clean_pool: asyncpg.Pool,
):
    ledger = LedgerActivities(clean_pool)

    first = await register(ledger, registration())
    second = await register(ledger, registration(title="A retry with a different title"))

    assert first.written is True
    assert second.written is False
    rows = await clean_pool.fetch("SELECT title FROM cases WHERE case_id = 'L-0001'")
    assert [r["title"] for r in rows] == ["Water leaking from the flat above"]


async def test_append_event_writes_the_event_and_moves_the_snapshot(clean_pool: asyncpg.Pool):
    ledger = LedgerActivities(clean_pool)
    await register(ledger, registration())

    ack = await append(ledger, write(1, kind="assigned", assignee=GRID_WORKER))

    assert ack.written is True
    event = await clean_pool.fetchrow("SELECT * FROM case_events WHERE case_id = 'L-0001'")
    assert (event["seq"], event["kind"], event["level"], event["summary"]) == (
        1,
        "assigned",
        "grid",
        "assigned at grid",
    )
    assert event["at"] == OPENED + timedelta(minutes=1)
    case = await clean_pool.fetchrow("SELECT * FROM cases WHERE case_id = 'L-0001'")
    assert case["last_seq"] == 1
    assert case["assignee"] == {"name": "赵网格员", "unit": "G-07", "role": "grid_worker"}
    assert case["due_at"] == OPENED + timedelta(minutes=1, days=1)


async def test_append_event_twice_with_the_same_seq_keeps_one_event(clean_pool: asyncpg.Pool):
    ledger = LedgerActivities(clean_pool)
    await register(ledger, registration())

    first = await append(ledger, write(1, kind="opened"))
    retry = await append(ledger, write(1, kind="opened-again", level=Level.village))

    assert first.written is True
    assert retry.written is False
    rows = await clean_pool.fetch("SELECT seq, kind, level FROM case_events")
    assert [tuple(r) for r in rows] == [(1, "opened", "grid")]
    # The retried snapshot has the same seq, so it does not overwrite the state either.
    case = await clean_pool.fetchrow("SELECT level, last_seq FROM cases WHERE case_id = 'L-0001'")
    assert tuple(case) == ("grid", 1)


async def test_older_snapshot_does_not_roll_the_state_back(clean_pool: asyncpg.Pool):
    ledger = LedgerActivities(clean_pool)
    await register(ledger, registration())

    await append(
        ledger,
        write(
            2,
            kind="resolved",
            level=Level.village,
            status=CaseStatus.resolved,
            closed_at=OPENED + timedelta(hours=5),
        ),
    )
    late = await append(ledger, write(1, kind="assigned", assignee=GRID_WORKER))

    assert late.written is True  # the event itself was missing, so it is recorded
    case = await clean_pool.fetchrow(
        "SELECT status, level, last_seq, assignee, due_at, closed_at FROM cases"
        " WHERE case_id = 'L-0001'"
    )
    assert dict(case) == {
        "status": "resolved",
        "level": "village",
        "last_seq": 2,
        "assignee": None,
        "due_at": None,
        "closed_at": OPENED + timedelta(hours=5),
    }
    seqs = await clean_pool.fetch("SELECT seq FROM case_events ORDER BY seq")
    assert [r["seq"] for r in seqs] == [1, 2]


async def test_newer_snapshot_moves_the_state_forward(clean_pool: asyncpg.Pool):
    ledger = LedgerActivities(clean_pool)
    await register(ledger, registration())

    await append(ledger, write(1, kind="assigned", assignee=GRID_WORKER))
    await append(ledger, write(2, kind="escalated", level=Level.village))

    case = await clean_pool.fetchrow(
        "SELECT status, level, last_seq, assignee FROM cases WHERE case_id = 'L-0001'"
    )
    assert dict(case) == {"status": "open", "level": "village", "last_seq": 2, "assignee": None}


async def test_event_actor_and_data_round_trip_as_dicts(clean_pool: asyncpg.Pool):
    ledger = LedgerActivities(clean_pool)
    await register(ledger, registration())
    actor = Actor(name="钱调解员", role="mediation_committee", unit="Diamond Square Community")
    data = {
        "reason": "双方拒绝调解",
        "from": "grid",
        "attempts": 2,
        "amount": 1200.5,
        "tags": ["repeat", "night"],
        "nested": {"ok": False, "none": None},
    }

    await append(ledger, write(1, kind="failed", actor=actor, data=data))

    event = await clean_pool.fetchrow("SELECT actor, data FROM case_events WHERE seq = 1")
    assert event["actor"] == {
        "name": "钱调解员",
        "role": "mediation_committee",
        "unit": "Diamond Square Community",
    }
    assert event["data"] == data
    # Stored as jsonb objects, not as JSON text inside a string.
    types = await clean_pool.fetchrow(
        "SELECT jsonb_typeof(actor) AS actor, jsonb_typeof(data) AS data FROM case_events"
    )
    assert dict(types) == {"actor": "object", "data": "object"}


async def test_event_without_actor_or_data_stores_null_and_empty_object(clean_pool: asyncpg.Pool):
    ledger = LedgerActivities(clean_pool)
    await register(ledger, registration())

    await append(ledger, write(1))

    event = await clean_pool.fetchrow("SELECT actor, data FROM case_events WHERE seq = 1")
    assert event["actor"] is None
    assert event["data"] == {}


async def test_events_of_different_cases_share_seq_numbers(clean_pool: asyncpg.Pool):
    ledger = LedgerActivities(clean_pool)
    await register(ledger, registration("L-0001"))
    await register(ledger, registration("L-0002"))

    a = await append(ledger, write(1, case_id="L-0001"))
    b = await append(ledger, write(1, case_id="L-0002"))

    assert (a.written, b.written) == (True, True)
    rows = await clean_pool.fetch("SELECT case_id, seq FROM case_events ORDER BY case_id")
    assert [tuple(r) for r in rows] == [("L-0001", 1), ("L-0002", 1)]


@pytest.mark.parametrize(
    ("field", "value"),
    [("title", "a\x00b"), ("description", "a\x00b"), ("title", "\ud800 x")],
)
async def test_register_case_refusing_data_fails_for_good_with_an_alert(
    clean_pool: asyncpg.Pool, field: str, value: str
):
    # Intake refuses such records up front; this is the net behind it: a case whose data the
    # database refuses must fail visibly (non-retryable), never sit retrying unseen.
    ledger = LedgerActivities(clean_pool)
    case = registration("L-BAD")
    bad = case.model_copy(update={"intake": case.intake.model_copy(update={field: value})})

    with structlog.testing.capture_logs() as logs, pytest.raises(ApplicationError) as caught:
        await register(ledger, bad)

    assert caught.value.non_retryable is True
    assert caught.value.type == "UnstorableCase"
    assert "L-BAD" in str(caught.value)
    alerts = [e for e in logs if e["log_level"] == "error" and e.get("case_id") == "L-BAD"]
    assert len(alerts) == 1 and alerts[0]["alert"] is True
    assert await clean_pool.fetchval("SELECT count(*) FROM cases WHERE case_id = 'L-BAD'") == 0


@pytest.mark.parametrize("reported_at", ["1900-01-01T08:00:00+08:00", "1900-01-01T00:00:00+00:00"])
async def test_register_case_stores_the_oldest_times_intake_accepts(
    clean_pool: asyncpg.Pool, reported_at: str
):
    ledger = LedgerActivities(clean_pool)
    when = datetime.fromisoformat(reported_at)

    ack = await register(ledger, registration("L-OLD", reported_at=when))

    assert ack.written is True
    stored = await clean_pool.fetchval("SELECT reported_at FROM cases WHERE case_id = 'L-OLD'")
    assert stored == when
