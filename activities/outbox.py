"""Outbox activities: notifications, written to PostgreSQL for a delivery channel to send.

One activity for every notification the engine sends, so a real channel (SMS, an app push)
plugs in later by reading the `outbox` table, without touching a workflow.
"""

from __future__ import annotations

import asyncpg
import structlog
from temporalio import activity

from domain.case_models import Notification, NotifyAck

log = structlog.get_logger(__name__)

_QUEUE = """
INSERT INTO outbox (case_id, seq, recipient_role, recipient_unit, recipient_name, message)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (case_id, seq, recipient_role, recipient_unit) DO NOTHING
"""


class OutboxActivities:
    """Writes to the `outbox` table."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="outbox.notify")
    async def notify(self, note: Notification) -> NotifyAck:
        rows = [
            (note.case_id, note.seq, r.role, r.unit, r.name, note.message) for r in note.recipients
        ]
        async with self._pool.acquire() as conn, conn.transaction():
            # "INSERT 0 1" for a new row, "INSERT 0 0" for one a retry already wrote.
            statuses = [await conn.execute(_QUEUE, *row) for row in rows]
        for r in note.recipients:
            log.info(
                "notification queued",
                case_id=note.case_id,
                seq=note.seq,
                to_role=r.role,
                to_unit=r.unit,
                to_name=r.name,
                message=note.message,
            )
        return NotifyAck(queued=sum(status.endswith(" 1") for status in statuses))
