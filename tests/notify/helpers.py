"""Seeding the ledger and running dispatchers for the delivery tests."""

from __future__ import annotations

import asyncio
import dataclasses
import time
from collections.abc import Callable

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.ledger import LedgerActivities
from ledger import notifications as store
from ledger.rows import Notification, Recipient
from notify.dispatcher import Dispatcher, Settings
from notify.routing import load_routing
from tests.activities.test_ledger import registration, write
from tests.factories import registration_step

HANDLER = Recipient(role="grid_worker", unit="G-07", name="赵网格员")
SUPERVISOR = Recipient(role="supervisor", unit="Diamond Square Community")
FAST = Settings(backoff=store.Backoff(base_s=0.05, ceiling_s=0.2, dead_after_s=3600), poll_s=0.05)


async def seed(
    pool: asyncpg.Pool,
    case_id: str = "L-0001",
    events: tuple[tuple[int, str, dict], ...] = ((2, "warning", {"colour": "yellow"}),),
    recipients: tuple[Recipient, ...] = (HANDLER,),
) -> None:
    """A registered case, its events through the ledger's step write, each with a
    notification written in the same step."""
    env = ActivityEnvironment()
    ledger = LedgerActivities(pool)
    await env.run(ledger.write_step, registration_step(registration(case_id)))
    for seq, kind, data in events:
        data = {"due_at": "2026-11-21T06:00:00+00:00", **data}
        note = Notification(case_id=case_id, seq=seq, recipients=list(recipients),
                            message=f"{kind} on {case_id}")  # fmt: skip
        step = write(seq, case_id=case_id, kind=kind, data=data)
        await env.run(ledger.write_step, step.model_copy(update={"notifications": [note]}))


def dispatcher(
    pool: asyncpg.Pool, url: str, settings: Settings = FAST, web_url: str | None = None
) -> Dispatcher:
    settings = dataclasses.replace(settings, web_url=web_url)
    return Dispatcher(pool, load_routing({"DISPUTE_WEBHOOK_URL": url}), settings)


async def until(check: Callable[[], object], within_s: float = 10.0, what: str = "") -> None:
    """Wait (really: activities and HTTP run in real time) until `check()` is truthy."""
    deadline = time.monotonic() + within_s
    while not (await check() if asyncio.iscoroutinefunction(check) else check()):
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached in {within_s}s: {what}")
        await asyncio.sleep(0.02)


async def rows(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    return await pool.fetch(
        "SELECT id, message_id, case_id, seq, recipient_role, delivered_at, dead_at, attempts,"
        " last_error, channel FROM outbox ORDER BY case_id, seq, recipient_role"
    )
