"""What a case page shows beyond the workflow's view, from the ledger: the intake's facts
(parties with their phone numbers, description, type, amount, risk factors), each summoned
department's duty with its state and deadlines, and the audit of who read the parties."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import asyncpg

from ledger.tokens import Person

_INTAKE = "SELECT intake, deadline, deadline_clock, visit_due_at FROM cases WHERE case_id = $1"

# The parties of the cases merged into this one (the same dispute entered again), in the order
# they were merged.
_MERGED_PARTIES = """
SELECT l.other_id, c.intake -> 'parties' AS parties
  FROM case_links l JOIN cases c ON c.case_id = l.other_id
 WHERE l.case_id = $1 AND l.kind = 'merged_from'
 ORDER BY l.at, l.other_id
"""

_DUTIES = """
SELECT d.whistle_seq, d.department, COALESCE(p.name, d.department) AS name, d.unit, d.state,
       d.whistle_kind, d.summoned_at, d.check_in_by, d.checked_in_at, d.report_by,
       d.reported_at, d.declined_at, d.supervised_at
  FROM department_duties d
  LEFT JOIN departments p ON p.code = d.department AND p.unit = d.unit
 WHERE d.case_id = $1
 ORDER BY d.whistle_seq, d.department
"""

_READ = """
INSERT INTO party_reads (case_id, token_id, name, unit, role, read_at, via)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (case_id, token_id, read_at) DO NOTHING
"""

_READS = """
SELECT token_id, name, unit, role, read_at, via FROM party_reads
 WHERE case_id = $1 ORDER BY read_at
"""


async def case_facts(pool: asyncpg.Pool, case_id: str) -> dict[str, Any] | None:
    """The intake record as the ledger holds it, and the case's deadline over all clocks."""
    row = await pool.fetchrow(_INTAKE, case_id)
    if row is None:
        return None
    return {
        "intake": row["intake"] or {},
        "deadline": row["deadline"],
        "deadline_clock": row["deadline_clock"],
        "visit_due_at": row["visit_due_at"],
    }


async def merged_parties(pool: asyncpg.Pool, case_id: str) -> list[tuple[str, list[dict]]]:
    """(merged case id, its intake's parties) of each case merged into `case_id`."""
    return [(r["other_id"], r["parties"] or []) for r in await pool.fetch(_MERGED_PARTIES, case_id)]


async def duties(pool: asyncpg.Pool, case_id: str) -> list[dict[str, Any]]:
    """Each summoned department of each whistle: its state and its deadlines."""
    return [dict(r) for r in await pool.fetch(_DUTIES, case_id)]


async def record_party_read(
    pool: asyncpg.Pool, person: Person, case_id: str, at: datetime, via: str
) -> None:
    """Who read the case's parties, and when (`via`: "page" or "api")."""
    await pool.execute(
        _READ, case_id, person.token_id, person.name, person.unit, person.role, at, via
    )


async def party_reads(pool: asyncpg.Pool, case_id: str) -> list[dict[str, Any]]:
    """The audit of the case's parties read, oldest first."""
    return [dict(r) for r in await pool.fetch(_READS, case_id)]
