"""Loading the `departments` table from CSV (`code,name,unit[,active]`), like the roster.

Loading the same file again changes nothing; a renamed or re-activated department is
updated. A department is never deleted: a duty in the ledger may name it, so one that
stops serving is loaded with `active` false.
"""

from __future__ import annotations

import csv
import io
import re

import asyncpg

DEPARTMENT_COLUMNS = ("code", "name", "unit")
#: The same rule as the table's CHECK and domain.whistle.DepartmentCode.
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_FALSE = {"false", "no", "0", "n"}
_TRUE = {"true", "yes", "1", "y", ""}

_UPSERT = """
INSERT INTO departments (code, name, unit, active) VALUES ($1, $2, $3, $4)
ON CONFLICT (code, unit) DO UPDATE SET name = EXCLUDED.name, active = EXCLUDED.active
"""

DepartmentRow = tuple[str, str, str, bool]


class DepartmentFileError(ValueError):
    """A departments file the loader cannot use; the message names the line and the column."""


def parse_departments(text: str) -> list[DepartmentRow]:
    """Rows of `code,name,unit[,active]`, checked; errors name the line and the column."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in DEPARTMENT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DepartmentFileError(
            f"line 1: missing column(s) {', '.join(missing)}; "
            f"expected {','.join(DEPARTMENT_COLUMNS)}[,active]"
        )
    rows: list[DepartmentRow] = []
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:  # more fields than the header: a stray comma in a name, most likely
            raise DepartmentFileError(f"line {line}: more fields than the header's columns")
        values = {c: (row.get(c) or "").strip() for c in (*DEPARTMENT_COLUMNS, "active")}
        for column in DEPARTMENT_COLUMNS:
            if not values[column]:
                raise DepartmentFileError(f"line {line}, column {column}: empty")
        if not _CODE.match(values["code"]):
            raise DepartmentFileError(
                f"line {line}, column code: {values['code']!r} is not a code like "
                "'police_station' (lower case letters, digits and _)"
            )
        active_text = values["active"].lower()
        if active_text not in _TRUE | _FALSE:
            raise DepartmentFileError(
                f"line {line}, column active: {values['active']!r} is not true or false"
            )
        key = (values["code"], values["unit"])
        if key in seen:
            # Two rows for one department: the second would silently overwrite the first.
            raise DepartmentFileError(
                f"line {line}, column code: {key[0]} at {key[1]} is already on line {seen[key]}"
            )
        seen[key] = line
        rows.append((values["code"], values["name"], values["unit"], active_text not in _FALSE))
    if not rows:
        raise DepartmentFileError("no department rows after the header")
    return rows


async def load_departments(pool: asyncpg.Pool, rows: list[DepartmentRow]) -> int:
    """Upsert the rows in one transaction: a file loads whole or not at all."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(_UPSERT, rows)
    return len(rows)
