"""Reading the reference-data CSV files (the roster, the departments): the checks they share.

A header naming the required columns (an optional `active` column), one row per record,
every required cell filled, `active` true or false; every error names the line and the
column, so a clerk can fix the file. What is particular to each file is checked by its loader.
"""

from __future__ import annotations

import csv
import io

from runtime.cli_text import _

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
