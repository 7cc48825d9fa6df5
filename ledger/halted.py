"""Cases whose workflow ended outside the engine: which are still open in the ledger, and the
mark (a `halted_workflows` row and an outbox row to the case's supervisor), written once."""

from __future__ import annotations

from datetime import datetime

import asyncpg

from domain.ladder import Level

#: What the ledger calls a case still on the ladder.
OPEN_STATUSES = ("open", "paused", "supervised")

#: Whose supervisor hears of a case held at each level (the level above; the county its own).
_ABOVE = {Level.grid: "village", Level.village: "township", Level.township: "county",
          Level.county: "county"}  # fmt: skip


async def still_open(pool: asyncpg.Pool, case_ids: list[str]) -> dict[str, dict]:
    """The given cases the ledger holds open: case id -> its row (level and units)."""
    rows = await pool.fetch(
        "SELECT case_id, level, county, township, village, grid FROM cases"
        " WHERE case_id = ANY($1::text[]) AND status = ANY($2::text[])",
        case_ids,
        list(OPEN_STATUSES),
    )
    return {r["case_id"]: dict(r) for r in rows}


def supervisor_unit(case: dict) -> str:
    return case[_ABOVE[Level(case["level"])]]


async def mark(
    pool: asyncpg.Pool,
    case_id: str,
    run_id: str,
    status: str,
    closed_at: datetime | None,
    supervisor: str,
    message: str,
) -> bool:
    """Record the halted run and queue the supervisor's notification; False if this run was
    marked before (idempotent on case and run). The notification's seq is negative (-1 for a
    case's first halted run, -2 for its second...): it never meets a seq the case writes."""
    async with pool.acquire() as conn, conn.transaction():
        inserted = await conn.fetchval(
            "INSERT INTO halted_workflows (case_id, run_id, status, closed_at)"
            " VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING 1",
            case_id,
            run_id,
            status,
            closed_at,
        )
        if not inserted:
            return False
        count = await conn.fetchval(
            "SELECT count(*) FROM halted_workflows WHERE case_id = $1", case_id
        )
        await conn.execute(
            "INSERT INTO outbox (case_id, seq, recipient_role, recipient_unit, message)"
            " VALUES ($1, $2, 'supervisor', $3, $4)"
            " ON CONFLICT (case_id, seq, recipient_role, recipient_unit) DO NOTHING",
            case_id,
            -count,
            supervisor,
            message,
        )
    return True


async def marked(pool: asyncpg.Pool, case_id: str) -> list[dict]:
    rows = await pool.fetch(
        "SELECT run_id, status, closed_at, noticed_at FROM halted_workflows"
        " WHERE case_id = $1 ORDER BY noticed_at",
        case_id,
    )
    return [dict(r) for r in rows]


#: A case is halted while its newest halted run was noticed after its last step: a case that
#: wrote a step since (it was started again) is running again.
HALTED_SQL = (
    "EXISTS (SELECT 1 FROM halted_workflows h WHERE h.case_id = c.case_id"
    " AND h.noticed_at >= c.updated_at)"
)


async def halted_now(pool: asyncpg.Pool, case_id: str) -> dict | None:
    """The run that halted the case (status, closed_at, noticed_at), or None when it runs."""
    row = await pool.fetchrow(
        "SELECT h.status, h.closed_at, h.noticed_at FROM halted_workflows h"
        " JOIN cases c USING (case_id)"
        " WHERE h.case_id = $1 AND h.noticed_at >= c.updated_at"
        " ORDER BY h.noticed_at DESC LIMIT 1",
        case_id,
    )
    return dict(row) if row else None
