"""Loading the `departments` table from CSV (`code,name,unit[,active]`), like the roster.

Loading the same file again changes nothing; a renamed or re-activated department is
updated. A department is never deleted: a duty in the ledger may name it, so one that
stops serving is loaded with `active` false.
"""

from __future__ import annotations

import re

import asyncpg

from runtime.cli_text import _
from runtime.reference_csv import read_rows

DEPARTMENT_COLUMNS = ("code", "name", "unit")
#: The same rule as the table's CHECK and domain.whistle.DepartmentCode.
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

_UPSERT = """
INSERT INTO departments (code, name, unit, active) VALUES ($1, $2, $3, $4)
ON CONFLICT (code, unit) DO UPDATE SET name = EXCLUDED.name, active = EXCLUDED.active
"""

DepartmentRow = tuple[str, str, str, bool]


class DepartmentFileError(ValueError):
    """A departments file the loader cannot use; the message names the line and the column."""


def parse_departments(text: str) -> list[DepartmentRow]:
    """Rows of `code,name,unit[,active]`, checked; errors name the line and the column."""
    rows: list[DepartmentRow] = []
    seen: dict[tuple[str, str], int] = {}
    for line, values, active in read_rows(
        text, DEPARTMENT_COLUMNS, what=_("department"), error=DepartmentFileError
    ):
        if not _CODE.match(values["code"]):
            message = _(
                "line {line}, column code: {value} is not a code like 'police_station' "
                "(lower case letters, digits and _)"
            )
            raise DepartmentFileError(message.format(line=line, value=repr(values["code"])))
        key = (values["code"], values["unit"])
        if key in seen:
            # Two rows for one department: the second would silently overwrite the first.
            message = _("line {line}, column code: {code} at {unit} is already on line {first}")
            raise DepartmentFileError(
                message.format(line=line, code=key[0], unit=key[1], first=seen[key])
            )
        seen[key] = line
        rows.append((values["code"], values["name"], values["unit"], active))
    return rows


async def load_departments(pool: asyncpg.Pool, rows: list[DepartmentRow]) -> int:
    """Upsert the rows in one transaction: a file loads whole or not at all."""
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(_UPSERT, rows)
    return len(rows)
