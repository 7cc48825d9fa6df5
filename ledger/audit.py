"""The audit of refused attempts to act: one table (`refused_actions`), `starter.py audit`.

The API writes its 401, 403 and 422 on actions here (who the token named, if anyone, the
reason, the client's address); the workers write the updates they refused for a missing or
forged actor assertion (source `temporal`, the actor the update claimed).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from domain.naming import case_id_from
from ledger.tokens import Person

#: The source of a refusal made by a worker (an update that came straight to Temporal).
TEMPORAL = "temporal"


@dataclass(frozen=True)
class Refused:
    at: datetime
    status: int
    source: str | None
    token_id: str | None
    name: str | None
    unit: str | None
    role: str | None
    case_id: str | None
    action: str
    reason: str


_INSERT = (
    "INSERT INTO refused_actions"
    " (status, source, token_id, name, unit, role, case_id, action, reason)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
)


async def record(
    pool: asyncpg.Pool,
    *,
    status: int,
    action: str,
    reason: str,
    person: Person | None = None,
    case_id: str | None = None,
    source: str | None = None,
) -> None:
    """One refused attempt by `person` (None: no valid token)."""
    await pool.execute(
        _INSERT,
        status,
        source,
        person.token_id if person else None,
        person.name if person else None,
        person.unit if person else None,
        person.role if person else None,
        case_id,
        action,
        reason[:2000],
    )


async def record_unsigned(
    pool: asyncpg.Pool, workflow_id: str, update: str, actor_json: str, reason: str
) -> None:
    """An update a worker refused for its actor assertion; the person is the one it claimed."""
    try:
        actor = json.loads(actor_json) if actor_json else {}
    except ValueError:
        actor = {}
    if not isinstance(actor, dict):
        actor = {}
    # A duty's workflow id is its case's, then `-whistle-<n>-<department>`.
    case_id = re.sub(r"-whistle-\d+-.*$", "", case_id_from(workflow_id) or workflow_id)
    await pool.execute(
        _INSERT,
        403,
        TEMPORAL,
        None,
        _text(actor.get("name")),
        _text(actor.get("unit")),
        _text(actor.get("role")),
        case_id,
        update,
        f"{reason} (workflow {workflow_id})"[:2000],
    )


def _text(value) -> str | None:
    return str(value)[:200] if value is not None else None


async def recent(
    pool: asyncpg.Pool, *, limit: int = 100, case_id: str | None = None
) -> list[Refused]:
    """The newest refusals first."""
    rows = await pool.fetch(
        "SELECT at, status, source, token_id, name, unit, role, case_id, action, reason"
        " FROM refused_actions WHERE ($1::text IS NULL OR case_id = $1)"
        " ORDER BY at DESC, id DESC LIMIT $2",
        case_id,
        limit,
    )
    return [Refused(**dict(r)) for r in rows]
