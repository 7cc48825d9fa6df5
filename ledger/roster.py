"""The `roster` table: loading it, and who handles a case at a level — the pick made inside
a step's ledger write, so that assigning a handler costs no activity of its own."""

from __future__ import annotations

import asyncpg
import structlog

from domain.case_models import LEAD_ROLES, Assignee
from domain.ladder import jurisdiction
from ledger.rows import AssignRequest, AssignResult

log = structlog.get_logger(__name__)

# Re-loading the same roster changes nothing; a changed role or re-activation is applied.
_UPSERT_ROSTER = """
INSERT INTO roster (level, unit, name, role, active) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (level, unit, name) DO UPDATE SET role = EXCLUDED.role, active = EXCLUDED.active
"""

# The active handler of the unit with the fewest open cases: spreads work inside a unit.
# Ties break on name so that the choice is stable. The count reads the partial index
# `cases_open_by_assignee` (migrations 006, 018; a merged case is finished too): its predicate
# is repeated here word for word so the planner uses it, and the cost follows the handlers'
# open cases, not the ledger's size.
# A handler is anyone of the unit but its leads (包案: `LEAD_ROLES`); a lead is picked by role.
_PICK = """
SELECT r.name, r.unit, r.role
  FROM roster r
 WHERE r.level = $1 AND r.unit = $2 AND r.active
   AND CASE WHEN $3::text IS NULL THEN r.role <> ALL($4::text[]) ELSE r.role = $3 END
 ORDER BY (SELECT count(*) FROM cases c
            WHERE c.status NOT IN ('resolved', 'closed', 'withdrawn', 'referred', 'merged')
              AND (c.assignee ->> 'unit') = r.unit AND (c.assignee ->> 'name') = r.name
              AND c.level = r.level),
          r.name
 LIMIT 1
"""


async def pick_handler(
    conn: asyncpg.Connection | asyncpg.Pool, request: AssignRequest
) -> AssignResult:
    """The roster's handler for the case's unit at `request.level` (None when nobody is);
    with `request.role`, the one of that role (a lead)."""
    loc = request.location
    unit = jurisdiction(request.level, loc.county, loc.township, loc.village, loc.grid)
    row = await conn.fetchrow(_PICK, request.level.value, unit, request.role, list(LEAD_ROLES))
    if row is None:
        log.warning(
            "no handler on the roster",
            case_id=request.case_id,
            case_level=request.level.value,
            unit=unit,
        )
        return AssignResult(assignee=None)
    assignee = Assignee(name=row["name"], unit=row["unit"], role=row["role"])
    log.info(
        "handler assigned",
        case_id=request.case_id,
        case_level=request.level.value,
        unit=unit,
        handler=assignee.name,
    )
    return AssignResult(assignee=assignee)


async def load_roster(pool: asyncpg.Pool, rows: list[tuple[str, str, str, str, bool]]) -> int:
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(_UPSERT_ROSTER, rows)
    return len(rows)
