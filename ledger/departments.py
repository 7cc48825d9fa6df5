"""The `departments` table: loaded from CSV (`code,name,unit[,active]`, parsed by
`cli/reference_files.py`), like the roster.

Loading the same file again changes nothing; a renamed or re-activated department is
updated. A department is never deleted: a duty in the ledger may name it, so one that
stops serving is loaded with `active` false.
"""

from __future__ import annotations

import asyncpg

_UPSERT = """
INSERT INTO departments (code, name, unit, active) VALUES ($1, $2, $3, $4)
ON CONFLICT (code, unit) DO UPDATE SET name = EXCLUDED.name, active = EXCLUDED.active
"""

DepartmentRow = tuple[str, str, str, bool]


async def load_departments(pool: asyncpg.Pool, rows: list[DepartmentRow]) -> int:
    """Upsert the rows in one transaction: a file loads whole or not at all."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(_UPSERT, rows)
    return len(rows)


_OF_CASE = """
SELECT d.code, d.name, d.unit, (d.unit = c.township) AS own FROM departments d
  JOIN cases c ON d.unit IN (c.township, c.county)
 WHERE c.case_id = $1 AND d.active
 ORDER BY (d.unit = c.township) DESC, d.code
"""


async def departments_of_case(pool: asyncpg.Pool, case_id: str) -> list[dict]:
    """The departments a whistle of the case can summon: its township's own stations first,
    then the county's bureaus (code, name, unit)."""
    return [dict(r) for r in await pool.fetch(_OF_CASE, case_id)]
