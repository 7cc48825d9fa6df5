"""The starter's own reads and writes of PostgreSQL: known case ids and the roster."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import asyncpg

from domain.ladder import Level

ROSTER_COLUMNS = ("level", "unit", "name", "role")

_KNOWN = "SELECT case_id FROM cases WHERE case_id = ANY($1::text[])"

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


def parse_roster(text: str) -> list[tuple[str, str, str, str, bool]]:
    """Rows of `level,unit,name,role[,active]`, checked; errors name the line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ROSTER_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise RosterFileError(
            f"missing column(s) {', '.join(missing)}; expected {', '.join(ROSTER_COLUMNS)}[,active]"
        )
    rows = []
    levels = {lv.value for lv in Level}
    for row in reader:
        line = reader.line_num
        values = {c: (row.get(c) or "").strip() for c in (*ROSTER_COLUMNS, "active")}
        for column in ROSTER_COLUMNS:
            if not values[column]:
                raise RosterFileError(f"line {line}: {column} is empty")
        if values["level"] not in levels:
            raise RosterFileError(
                f"line {line}: level {values['level']!r} must be one of {', '.join(sorted(levels))}"
            )
        active = values["active"].lower() not in {"false", "no", "0", "n"}
        rows.append((values["level"], values["unit"], values["name"], values["role"], active))
    if not rows:
        raise RosterFileError("no roster rows after the header")
    return rows


async def load_roster(pool: asyncpg.Pool, rows: list[tuple[str, str, str, str, bool]]) -> int:
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(_UPSERT_ROSTER, rows)
    return len(rows)
