"""The `assessments` table (one row per unit and period, upserted) and the case facts the
printed clearance lists show."""

from __future__ import annotations

from typing import Any

import asyncpg

_UPSERT = """
INSERT INTO assessments (kind, period, period_start, period_end, scope_level, scope_unit,
                         as_of, figures, due_cases, files)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
ON CONFLICT (kind, period, scope_level, scope_unit) DO UPDATE
   SET period_start = EXCLUDED.period_start, period_end = EXCLUDED.period_end,
       as_of = EXCLUDED.as_of, figures = EXCLUDED.figures, due_cases = EXCLUDED.due_cases,
       files = EXCLUDED.files, computed_at = now()
"""

# What the printed overdue and clearance lists show of each case besides its place and clock.
_CASE_FACTS = """
SELECT case_id, title, risk, assignee ->> 'name' AS handler
  FROM cases WHERE case_id = ANY($1::text[])
"""


async def case_facts(pool: asyncpg.Pool, case_ids: list[str]) -> dict[str, dict[str, Any]]:
    """Each case's title, risk colour and handler's name, by case id."""
    rows = await pool.fetch(_CASE_FACTS, case_ids)
    return {r["case_id"]: dict(r) for r in rows}


async def record(pool: asyncpg.Pool, rows: list[tuple]) -> None:
    """Upsert the rows (kind, period, start, end, scope level, scope unit, as of, figures,
    due cases, files) in one transaction."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(_UPSERT, rows)
