"""The outbox's delivery SQL: claim due rows, record what a send did, list, re-queue, count.

All times come from PostgreSQL's clock, so several dispatchers on several machines agree on
what is due and what is dead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import asyncpg

# A row is due when it is neither delivered nor dead, its back-off has passed, and no earlier
# notification to the same recipient of the same case is still waiting (so one recipient
# reads a case's story in order; a duty notice, which names no case, waits for nothing).
# SKIP LOCKED: rows another dispatcher is sending are skipped;
# that dispatcher's lock lasts until it has recorded the outcome.
_CLAIM = """
SELECT o.id, o.message_id, o.case_id, o.seq, o.duty_key, o.recipient_role, o.recipient_unit,
       o.recipient_name, o.message, o.created_at, o.queued_at, o.attempts,
       e.kind, e.at AS event_at, e.level AS event_level, e.data, e.recorded_at,
       c.title, c.grid, c.village, c.township, c.county, c.risk, c.level AS case_level
  FROM outbox o
  LEFT JOIN case_events e ON e.case_id = o.case_id AND e.seq = o.seq
  LEFT JOIN cases c ON c.case_id = o.case_id
 WHERE o.delivered_at IS NULL AND o.dead_at IS NULL AND o.next_attempt_at <= now()
   AND NOT EXISTS (
       SELECT 1 FROM outbox p
        WHERE p.case_id = o.case_id AND p.recipient_role = o.recipient_role
          AND p.recipient_unit = o.recipient_unit AND p.seq < o.seq
          AND p.delivered_at IS NULL AND p.dead_at IS NULL)
 ORDER BY o.next_attempt_at, o.id
 LIMIT $1
 FOR UPDATE OF o SKIP LOCKED
"""

_DELIVERED = """
UPDATE outbox
   SET delivered_at = clock_timestamp(), last_attempt_at = clock_timestamp(),
       attempts = attempts + 1, channel = $2
 WHERE id = $1
"""

# Back-off doubles per attempt up to a ceiling; the row dies once its effort is older than
# `dead after`.
_FAILED = """
UPDATE outbox
   SET attempts = attempts + 1, last_attempt_at = clock_timestamp(), last_error = $2,
       channel = $3,
       next_attempt_at = clock_timestamp()
           + least($4 * power(2, least(attempts, 30)), $5) * interval '1 second',
       dead_at = CASE WHEN clock_timestamp() - queued_at >= $6 * interval '1 second'
                      THEN clock_timestamp() END
 WHERE id = $1
RETURNING attempts, dead_at, next_attempt_at
"""

_LIST = """
SELECT o.id, o.message_id, o.case_id, o.seq, o.duty_key,
       COALESCE(e.kind, 'duty_' || split_part(o.duty_key, '/', 2)) AS kind,
       o.recipient_role, o.recipient_unit,
       o.recipient_name, o.message, o.created_at, o.delivered_at, o.dead_at, o.attempts,
       o.last_error, o.next_attempt_at, o.channel,
       CASE WHEN o.delivered_at IS NOT NULL THEN 'delivered'
            WHEN o.dead_at IS NOT NULL THEN 'dead' ELSE 'pending' END AS state
  FROM outbox o
  LEFT JOIN case_events e ON e.case_id = o.case_id AND e.seq = o.seq
 WHERE ($1::text IS NULL OR o.case_id = $1)
   AND ($2::text IS NULL
        OR ($2 = 'pending' AND o.delivered_at IS NULL AND o.dead_at IS NULL)
        OR ($2 = 'dead' AND o.dead_at IS NOT NULL AND o.delivered_at IS NULL))
 ORDER BY o.case_id, o.seq, o.duty_key, o.recipient_role, o.recipient_unit
 LIMIT $3
"""

_RETRY = """
UPDATE outbox
   SET dead_at = NULL, next_attempt_at = now(), queued_at = now()
 WHERE id = $1 AND delivered_at IS NULL
RETURNING id
"""

# Each figure from a partial index (outbox_pending, outbox_dead), not a scan of every row ever sent.
_STATS = """
SELECT (SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND dead_at IS NULL) AS pending,
       (SELECT count(*) FROM outbox WHERE dead_at IS NOT NULL AND delivered_at IS NULL) AS dead,
       (SELECT extract(epoch FROM now() - min(created_at)) FROM outbox
         WHERE delivered_at IS NULL AND dead_at IS NULL) AS oldest_pending_s
"""


@dataclass(frozen=True)
class Backoff:
    """Retry timing: first wait `base_s`, doubling, at most `ceiling_s`; dead after `dead_after_s`
    of failing since the row was queued."""

    base_s: float = 5.0
    ceiling_s: float = 600.0
    dead_after_s: float = 86_400.0


class RetryRefused(Exception):
    """`retry` named a notification that does not exist (`delivered_at` None) or was already
    delivered (at `delivered_at`)."""

    def __init__(self, row_id: int, delivered_at: datetime | None) -> None:
        why = (
            "does not exist" if delivered_at is None else f"was already delivered at {delivered_at}"
        )
        super().__init__(f"notification {row_id} {why}")
        self.row_id, self.delivered_at = row_id, delivered_at


async def claim(conn: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Due rows, locked until the caller's transaction ends. Call inside a transaction."""
    return await conn.fetch(_CLAIM, limit)


async def mark_delivered(conn: asyncpg.Connection, row_id: int, channel: str) -> None:
    await conn.execute(_DELIVERED, row_id, channel)


async def mark_failed(
    conn: asyncpg.Connection, row_id: int, error: str, channel: str | None, backoff: Backoff
) -> asyncpg.Record:
    """Record a failed attempt; returns the row's attempts, dead_at and next_attempt_at."""
    return await conn.fetchrow(
        _FAILED, row_id, error[:2000], channel, backoff.base_s, backoff.ceiling_s,
        backoff.dead_after_s,
    )  # fmt: skip


async def list_notifications(
    pool: asyncpg.Pool, *, case_id: str | None = None, state: str | None = None,
    limit: int = 1000,
) -> list[asyncpg.Record]:  # fmt: skip
    """Notifications with their delivery state ('pending', 'delivered', 'dead')."""
    if state not in (None, "pending", "dead"):
        raise ValueError(f"state {state!r}: expected 'pending' or 'dead'")
    return await pool.fetch(_LIST, case_id, state, limit)


async def retry(pool: asyncpg.Pool, row_id: int) -> None:
    """Re-queue a dead (or waiting) notification: due now, with a fresh `dead after` window."""
    if await pool.fetchval(_RETRY, row_id) is None:
        exists = await pool.fetchval("SELECT delivered_at FROM outbox WHERE id = $1", row_id)
        raise RetryRefused(row_id, exists)


async def stats(pool: asyncpg.Pool) -> dict[str, Any]:
    """pending, dead, oldest_pending_s (0 when none is pending)."""
    row = await pool.fetchrow(_STATS)
    return {
        "pending": row["pending"],
        "dead": row["dead"],
        "oldest_pending_s": float(row["oldest_pending_s"] or 0.0),
    }


async def dead_notifications(pool: asyncpg.Pool, limit: int = 500) -> list[dict[str, Any]]:
    """Dead, undelivered notifications for the clearance report, oldest first."""
    rows = await pool.fetch(
        # A duty notice (no case) is listed under its duty key, e.g. "duty 2026-12-06/reminder/…".
        "SELECT o.id, COALESCE(o.case_id, 'duty ' || o.duty_key) AS case_id,"
        " COALESCE(o.seq, 0) AS seq,"
        " COALESCE(e.kind, 'duty_' || split_part(o.duty_key, '/', 2)) AS kind,"
        " o.recipient_role, o.recipient_unit,"
        " o.recipient_name, o.dead_at, o.attempts, o.last_error FROM outbox o"
        " LEFT JOIN case_events e ON e.case_id = o.case_id AND e.seq = o.seq"
        " WHERE o.dead_at IS NOT NULL AND o.delivered_at IS NULL ORDER BY o.dead_at LIMIT $1",
        limit,
    )
    return [dict(r) for r in rows]
