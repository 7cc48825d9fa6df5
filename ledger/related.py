"""Related cases in the ledger: the look-alikes of an intake, and the links between cases."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import asyncpg

from domain.intake_models import CaseIntake
from domain.related import SimilarQuery, similar_query

# For each query (one row of the arrays, numbered n): open cases, and finished ones that
# closed within the window; never a merged one (the case it was merged into is the one to
# suggest). A party's identifier is an object; the parties are an array, which contains an
# object only when the pattern is an array too. One statement for a batch of intakes: one
# round trip per batch, not per record (intake's rate, bench/intake.py).
_SIMILAR = """
SELECT q.n, s.case_id
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[],
              $6::timestamptz[], $7::timestamptz[])
       WITH ORDINALITY AS q(case_id, identifiers, village, dispute_type, reported_from,
                            reported_to, closed_since, n)
 CROSS JOIN LATERAL (
   SELECT c.case_id, c.reported_at FROM cases c
    WHERE c.case_id <> q.case_id AND c.status <> 'merged'
      AND (c.closed_at IS NULL OR c.closed_at >= q.closed_since)
      AND (EXISTS (SELECT 1 FROM jsonb_array_elements(q.identifiers::jsonb) k
                    WHERE (c.intake -> 'parties') @> jsonb_build_array(k))
           OR (c.village = q.village AND c.dispute_type = q.dispute_type
               AND c.reported_at BETWEEN q.reported_from AND q.reported_to))
    ORDER BY c.reported_at DESC, c.case_id
    LIMIT $8) s
 ORDER BY q.n, s.reported_at DESC, s.case_id
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
    return (await similar_each(pool, [q]))[0]


async def similar_each(
    pool: asyncpg.Pool | asyncpg.Connection, queries: list[SimilarQuery]
) -> list[list[str]]:
    """`similar` for each query, in one statement: the answers in the queries' order."""
    if not queries:
        return []
    (most,) = {q.most for q in queries}  # one limit for the statement: MOST everywhere
    rows = await pool.fetch(
        _SIMILAR,
        # Each query's identifiers as one JSON text: a list of lists would be read as a
        # two-dimensional array, which must be rectangular.
        [q.case_id for q in queries], [json.dumps(q.identifiers) for q in queries],
        [q.village for q in queries], [q.dispute_type for q in queries],
        [q.reported_from for q in queries], [q.reported_to for q in queries],
        [q.closed_since for q in queries], most,
    )  # fmt: skip
    found: list[list[str]] = [[] for _ in queries]
    for r in rows:
        found[r["n"] - 1].append(r["case_id"])
    return found


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
