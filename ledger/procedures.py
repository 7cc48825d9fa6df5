"""Reads of matters run by a procedure: where an earlier 信访 matter stands; the roads a case
was taken onto, and the case a matter on a road came from."""

from __future__ import annotations

from typing import Any

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


# The matters a case went on to (`road.from_case`), each with the state and the next window
# its latest event recorded. The index of migration 019 finds them by the case's id.
_ROADS_FROM = """
SELECT c.case_id, c.status, c.intake ->> 'procedure' AS procedure, e.data
  FROM cases c
  LEFT JOIN LATERAL (
        SELECT data FROM case_events
         WHERE case_id = c.case_id AND data ? 'procedure'
         ORDER BY seq DESC LIMIT 1) e ON true
 WHERE c.intake -> 'road' ->> 'from_case' = $1
 ORDER BY c.opened_at, c.case_id
"""

_FROM_CASE = "SELECT intake -> 'road' ->> 'from_case' FROM cases WHERE case_id = $1"


async def roads_from(pool: asyncpg.Pool, case_id: str) -> list[dict[str, Any]]:
    """The roads `case_id` was taken onto (the court, labour arbitration): `{"case_id",
    "procedure", "state", "final", "status", "next_window": {"name", "due_at", "law"} | None}`
    as the matter's latest step left it."""
    roads = []
    for row in await pool.fetch(_ROADS_FROM, case_id):
        data = row["data"] or {}
        roads.append({
            "case_id": row["case_id"],
            "procedure": data.get("procedure", row["procedure"]),
            "state": data.get("state"),
            "final": bool(data.get("final", False)),
            "status": row["status"],
            "next_window": data.get("next_window"),
        })  # fmt: skip
    return roads


async def road_origin(pool: asyncpg.Pool, case_id: str) -> str | None:
    """The case a matter on a road came from; None for a case, or a 信访 matter."""
    return await pool.fetchval(_FROM_CASE, case_id)
