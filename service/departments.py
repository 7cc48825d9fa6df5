"""Departments by the names people type: 司法所, 千里派出所, or a code (judicial_office).

A whistle names department codes; the API, the page and the CLI accept the Chinese (or English)
names too and turn them into codes here, from the `departments` table of the case's township
and county and the departments' common names (texts/terms.py). A name that matches nothing is
sent as typed: the case's whistle validator refuses it, listing the departments, and nothing is
recorded.
"""

from __future__ import annotations

import re

import asyncpg

from domain.whistle import NAMED_DEPARTMENTS
from ledger.departments import departments_of_case
from texts import Lang
from texts.terms import label

#: How people separate names: ; , and their Chinese forms, and 、.
SEPARATORS = re.compile(r"[;,；，、\s]+")


def split_names(text: str) -> list[str]:
    return [part for part in SEPARATORS.split(text) if part]


def lookup(rows: list[dict], names: list[str]) -> list[str]:
    """Each name as a department code: a code as it is, a department's own name in the table,
    or a common name (司法所 / judicial office); unknown names unchanged."""
    by_name: dict[str, str] = {}
    codes = {r["code"] for r in rows} | set(NAMED_DEPARTMENTS)
    for code in codes:
        for lang in Lang:
            by_name.setdefault(label("department", code, lang).casefold(), code)
    for r in rows:
        by_name[r["name"].casefold()] = r["code"]
    out = []
    for name in names:
        text = name.strip()
        out.append(text if text in codes else by_name.get(text.casefold(), text))
    return list(dict.fromkeys(out))


async def department_codes(pool: asyncpg.Pool, case_id: str, names: list[str]) -> list[str]:
    """`names` as the codes of the case's departments (see `lookup`)."""
    return lookup(await departments_of_case(pool, case_id), names)
