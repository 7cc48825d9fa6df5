"""Related cases in the ledger: the look-alikes of an intake, and the links between cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from domain.intake_models import CaseIntake
from domain.related import SimilarQuery, similar_query

# Open cases, and finished ones that closed within the window; never a merged one (the case
# it was merged into is the one to suggest). A party's identifier is an object; the parties
# are an array, which contains an object only when the pattern is an array too.
_SIMILAR = """
SELECT c.case_id FROM cases c
 WHERE c.case_id <> $1 AND c.status <> 'merged'
   AND (c.closed_at IS NULL OR c.closed_at >= $2)
   AND (EXISTS (SELECT 1 FROM unnest($3::jsonb[]) k
                 WHERE (c.intake -> 'parties') @> jsonb_build_array(k))
        OR (c.village = $4 AND c.dispute_type = $5 AND c.reported_at BETWEEN $6 AND $7))
 ORDER BY c.reported_at DESC, c.case_id
 LIMIT $8
"""

_LINKED = "SELECT other_id FROM case_links WHERE case_id = $1"

_LINKS = """
SELECT l.other_id, l.kind, l.note, l.at, c.status, c.title
  FROM case_links l JOIN cases c ON c.case_id = l.other_id
 WHERE l.case_id = $1
 ORDER BY l.at, l.other_id
"""


async def similar(pool: asyncpg.Pool | asyncpg.Connection, q: SimilarQuery) -> list[str]:
    """The case ids that look like the same dispute, newest first."""
    rows = await pool.fetch(
        _SIMILAR, q.case_id, q.closed_since, q.identifiers, q.village, q.dispute_type,
        q.reported_from, q.reported_to, q.most,
    )  # fmt: skip
    return [r["case_id"] for r in rows]


async def status_of(pool: asyncpg.Pool, case_id: str) -> str | None:
    """The case's status in the ledger, or None when there is no such case."""
    return await pool.fetchval("SELECT status FROM cases WHERE case_id = $1", case_id)


async def links(pool: asyncpg.Pool | asyncpg.Connection, case_id: str) -> list[dict[str, Any]]:
    """The case's links: the other case, how it is linked, its status and title."""
    return [
        {
            "case_id": r["other_id"],
            "link": r["kind"],
            "status": r["status"],
            "title": r["title"],
            "note": r["note"],
            "at": r["at"],
        }
        for r in await pool.fetch(_LINKS, case_id)
    ]


async def similar_to(pool: asyncpg.Pool, case_id: str, now: datetime) -> list[str]:
    """The look-alikes of a case in the ledger (as its intake would have found them now),
    less the cases it is linked to already."""
    found = await pool.fetchval("SELECT intake FROM cases WHERE case_id = $1", case_id)
    if not found:
        return []
    intake = CaseIntake.model_validate({**found, "case_id": case_id})
    linked = {r["other_id"] for r in await pool.fetch(_LINKED, case_id)}
    return [c for c in await similar(pool, similar_query(intake, now)) if c not in linked]
