"""Reads of matters run by a procedure: where an earlier 信访 matter stands."""

from __future__ import annotations

import asyncpg

from domain.petition import Earlier

# Every event of a procedure's matter carries the state it left the matter in.
_LATEST_STATE = """
SELECT data ->> 'state' AS state, (data ->> 'final')::boolean AS final
  FROM case_events
 WHERE case_id = $1 AND data ? 'procedure' AND data ? 'state'
 ORDER BY seq DESC
 LIMIT 1
"""


async def earlier_matter(pool: asyncpg.Pool, case_id: str) -> Earlier | None:
    """The earlier matter `case_id` as its latest event left it; None when there is none."""
    row = await pool.fetchrow(_LATEST_STATE, case_id)
    if row is None or row["state"] is None:
        return None
    return Earlier(matter_id=case_id, state=row["state"], final=bool(row["final"]))
