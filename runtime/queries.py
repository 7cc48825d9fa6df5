"""The starter's own reads and writes of PostgreSQL: known case ids, a case's history and
the roster."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from domain.case_models import CaseEvent, CaseView
from domain.ladder import Level
from runtime.cli_text import _
from runtime.reference_csv import read_rows

ROSTER_COLUMNS = ("level", "unit", "name", "role")

_KNOWN = "SELECT case_id FROM cases WHERE case_id = ANY($1::text[])"

_EVENTS = """
SELECT seq, at, kind, level, summary, actor, data FROM case_events
 WHERE case_id = $1 ORDER BY seq
"""

# Re-loading the same roster changes nothing; a changed role or re-activation is applied.
_UPSERT_ROSTER = """
INSERT INTO roster (level, unit, name, role, active) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (level, unit, name) DO UPDATE SET role = EXCLUDED.role, active = EXCLUDED.active
"""


class RosterFileError(ValueError):
    """A roster file the loader cannot use; the message names the line and the column."""


async def known_case_ids(pool: asyncpg.Pool, case_ids: Iterable[str]) -> set[str]:
    """The case ids already in the ledger: a case id is one case forever."""
    rows = await pool.fetch(_KNOWN, list(case_ids))
    return {r["case_id"] for r in rows}


async def case_history(pool: asyncpg.Pool, case_id: str) -> list[CaseEvent]:
    """Every event of the case, in order: the workflow keeps only its latest ones."""
    rows = await pool.fetch(_EVENTS, case_id)
    return [
        CaseEvent(
            seq=r["seq"],
            at=r["at"],
            kind=r["kind"],
            level=r["level"],
            summary=r["summary"],
            actor=r["actor"],
            data=r["data"] or {},
        )
        for r in rows
    ]


async def with_history(pool: asyncpg.Pool, view: CaseView) -> CaseView:
    """The case with its whole history from the ledger, in the case's own time zone: the
    workflow keeps only its latest events."""
    local = view.opened_at.tzinfo
    history = await case_history(pool, view.case_id)
    events = [e.model_copy(update={"at": e.at.astimezone(local)}) for e in history]
    return view.model_copy(update={"events": events or view.events})


def parse_roster(text: str) -> list[tuple[str, str, str, str, bool]]:
    """Rows of `level,unit,name,role[,active]`, checked; errors name the line and the column."""
    rows = []
    levels = {lv.value for lv in Level}
    for line, values, active in read_rows(
        text, ROSTER_COLUMNS, what=_("roster"), error=RosterFileError
    ):
        if values["level"] not in levels:
            message = _("line {line}, column level: {value} must be one of {levels}")
            value, names = repr(values["level"]), ", ".join(sorted(levels))
            raise RosterFileError(message.format(line=line, value=value, levels=names))
        rows.append((values["level"], values["unit"], values["name"], values["role"], active))
    return rows


async def load_roster(pool: asyncpg.Pool, rows: list[tuple[str, str, str, str, bool]]) -> int:
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(_UPSERT_ROSTER, rows)
    return len(rows)
