"""Who handles a case at a level: the `roster` table's pick, made inside a step's ledger
write (`activities/ledger.py`), so that assigning a handler costs no activity of its own."""

from __future__ import annotations

import asyncpg
import structlog

from domain.case_models import Assignee, AssignRequest, AssignResult
from domain.ladder import jurisdiction

log = structlog.get_logger(__name__)

# The active handler of the unit with the fewest open cases: spreads work inside a unit.
# Ties break on name so that the choice is stable. The count reads the partial index
# `cases_open_by_assignee` (migration 006): its predicate is repeated here word for word so
# the planner uses it, and the cost follows the handlers' open cases, not the ledger's size.
_PICK = """
SELECT r.name, r.unit, r.role
  FROM roster r
 WHERE r.level = $1 AND r.unit = $2 AND r.active
 ORDER BY (SELECT count(*) FROM cases c
            WHERE c.status NOT IN ('resolved', 'closed', 'withdrawn', 'referred')
              AND (c.assignee ->> 'unit') = r.unit AND (c.assignee ->> 'name') = r.name
              AND c.level = r.level),
          r.name
 LIMIT 1
"""


async def pick_handler(
    conn: asyncpg.Connection | asyncpg.Pool, request: AssignRequest
) -> AssignResult:
    """The roster's handler for the case's unit at `request.level` (None when nobody is)."""
    loc = request.location
    unit = jurisdiction(request.level, loc.county, loc.township, loc.village, loc.grid)
    row = await conn.fetchrow(_PICK, request.level.value, unit)
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
