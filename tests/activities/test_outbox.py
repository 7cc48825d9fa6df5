"""The outbox activity against real PostgreSQL: one row per recipient, written once."""

from __future__ import annotations

import asyncpg
from temporalio.testing import ActivityEnvironment

from activities.ledger import LedgerActivities
from activities.outbox import OutboxActivities
from domain.case_models import Notification, Recipient
from tests.activities.test_ledger import registration

NOTE = Notification(
    case_id="L-0001",
    seq=3,
    recipients=[
        Recipient(role="grid_worker", unit="G-07", name="赵网格员"),
        Recipient(role="supervisor", unit="Diamond Square Community"),
    ],
    message="red warning: 80% of the grid level's time is used",
)


async def test_each_recipient_gets_one_row_however_often_the_activity_retries(
    clean_pool: asyncpg.Pool,
):
    env = ActivityEnvironment()
    await env.run(LedgerActivities(clean_pool).register_case, registration())
    outbox = OutboxActivities(clean_pool)

    first = await env.run(outbox.notify, NOTE)
    retry = await env.run(outbox.notify, NOTE)

    assert (first.queued, retry.queued) == (2, 0)
    rows = await clean_pool.fetch(
        "SELECT recipient_role, recipient_unit, recipient_name, delivered_at FROM outbox "
        "WHERE case_id = 'L-0001' AND seq = 3 ORDER BY recipient_role"
    )
    assert [tuple(r) for r in rows] == [
        ("grid_worker", "G-07", "赵网格员", None),
        ("supervisor", "Diamond Square Community", None, None),
    ]
