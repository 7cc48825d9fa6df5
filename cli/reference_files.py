"""Reading the reference-data CSV files (the roster, the departments): the checks they share.

A header naming the required columns (an optional `active` column), one row per record,
every required cell filled, `active` true or false; every error names the line and the
column, so a clerk can fix the file. What is particular to each file is checked by its loader.
"""

from __future__ import annotations

import csv
import io
import re

from cli.text import _
from domain.ladder import Level
from ledger.departments import DepartmentRow

ROSTER_COLUMNS = ("level", "unit", "name", "role")
DEPARTMENT_COLUMNS = ("code", "name", "unit")
#: The same rule as the table's CHECK and domain.whistle.DepartmentCode.
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")

_FALSE = {"false", "no", "0", "n"}
_TRUE = {"true", "yes", "1", "y", ""}


def read_rows(
    text: str, columns: tuple[str, ...], *, what: str, error: type[ValueError]
) -> list[tuple[int, dict[str, str], bool]]:
    """(line, stripped values by column, active) per row; `error` for anything unusable."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        message = _("line 1: missing column(s) {missing}; expected {columns}[,active]")
        raise error(message.format(missing=", ".join(missing), columns=",".join(columns)))
    rows = []
    for row in reader:
        line = reader.line_num
        if None in row:  # more fields than the header: a stray comma in a name, most likely
            raise error(_("line {line}: more fields than the header's columns").format(line=line))
        values = {c: (row.get(c) or "").strip() for c in (*columns, "active")}
        for column in columns:
            if not values[column]:
                empty = _("line {line}, column {column}: empty")
                raise error(empty.format(line=line, column=column))
        active = values["active"].lower()
        if active not in _TRUE | _FALSE:
            message = _("line {line}, column active: {value} is not true or false")
            raise error(message.format(line=line, value=repr(values["active"])))
        rows.append((line, values, active not in _FALSE))
    if not rows:
        raise error(_("no {what} rows after the header").format(what=what))
    return rows


class RosterFileError(ValueError):
    """A roster file the loader cannot use; the message names the line and the column."""


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
