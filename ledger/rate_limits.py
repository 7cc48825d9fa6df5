"""Token buckets in PostgreSQL: one rate limit however many API processes share it.

A bucket holds up to `burst` requests and refills at `rate` a second. `take` spends one in a
single statement: the row's lock orders concurrent requests for the same key, from any
process, and the refill is counted on PostgreSQL's clock, so processes on machines whose
clocks differ still agree.
"""

from __future__ import annotations

import asyncpg

_TAKE = """
INSERT INTO api_rate_buckets AS b (key, level, at, granted)
VALUES ($1, $3 - 1, statement_timestamp(), true)
ON CONFLICT (key) DO UPDATE SET
    level = LEAST($3, b.level + GREATEST(0, EXTRACT(EPOCH FROM EXCLUDED.at - b.at)) * $2)
          - (LEAST($3, b.level + GREATEST(0, EXTRACT(EPOCH FROM EXCLUDED.at - b.at)) * $2)
             >= 1)::int,
    granted = LEAST($3, b.level + GREATEST(0, EXTRACT(EPOCH FROM EXCLUDED.at - b.at)) * $2)
              >= 1,
    at = GREATEST(b.at, EXCLUDED.at)
RETURNING granted
"""


async def take(pool: asyncpg.Pool, key: str, *, rate: float, burst: float) -> bool:
    """Spend one request of `key`'s bucket; False when it is empty (the request is refused)."""
    return bool(await pool.fetchval(_TAKE, key, float(rate), float(burst)))
