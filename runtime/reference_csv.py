"""Reading the reference-data CSV files (the roster, the departments): the checks they share.

A header naming the required columns (an optional `active` column), one row per record,
every required cell filled, `active` true or false; every error names the line and the
column, so a clerk can fix the file. What is particular to each file is checked by its loader.
"""

from __future__ import annotations

import csv
import io

_FALSE = {"false", "no", "0", "n"}
_TRUE = {"true", "yes", "1", "y", ""}


def read_rows(
    text: str, columns: tuple[str, ...], *, what: str, error: type[ValueError]
) -> list[tuple[int, dict[str, str], bool]]:
    """(line, stripped values by column, active) per row; `error` for anything unusable."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise error(
            f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(columns)}[,active]"
        )
    rows = []
    for row in reader:
        line = reader.line_num
        if None in row:  # more fields than the header: a stray comma in a name, most likely
            raise error(f"line {line}: more fields than the header's columns")
        values = {c: (row.get(c) or "").strip() for c in (*columns, "active")}
        for column in columns:
            if not values[column]:
                raise error(f"line {line}, column {column}: empty")
        active = values["active"].lower()
        if active not in _TRUE | _FALSE:
            raise error(f"line {line}, column active: {values['active']!r} is not true or false")
        rows.append((line, values, active not in _FALSE))
    if not rows:
        raise error(f"no {what} rows after the header")
    return rows
