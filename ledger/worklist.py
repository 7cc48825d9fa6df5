"""Worklists from the ledger: which cases, most urgent first, with time left now.

The `cases` table holds each case's level, the units at every level, its assignee and its
due time (the workflow writes a snapshot at every step). A case's holding unit is the unit of
its current level. Urgency: overdue longest first, then soonest due, then cases with no clock.
Read by `GET /api/cases`, the web page's "my cases" and `starter.py list`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from domain.ladder import Level
from texts import Lang
from texts.terminal import clip
from texts.terms import label, time_left

#: The unit holding a case at its current level.
HOLDER = (
    "CASE c.level WHEN 'grid' THEN c.grid WHEN 'village' THEN c.village "
    "WHEN 'township' THEN c.township ELSE c.county END"
)
RISKS = ("green", "yellow", "red")
LIMIT = 500
#: The statuses of a case still on the ladder (`domain.case_models.ON_THE_LADDER`): the
#: default worklist, and the predicate of migration 009's partial indexes.
LADDER = ("open", "paused", "supervised")
_LADDER_SQL = "c.status IN ('open', 'paused', 'supervised')"
#: Where a case is, as people name it: its township, then its village (社区).
PLACE = "c.township || ' ' || c.village"


@dataclass(frozen=True)
class Filters:
    """The worklist's filters; every one optional. `mine_*` restrict to one person's cases."""

    unit: str | None = None
    level: Level | None = None
    #: Statuses to show; None: all. Default: the cases still on the ladder.
    status: tuple[str, ...] | None = LADDER
    overdue: bool = False
    due_within: timedelta | None = None
    risk: str | None = None
    handler: str | None = None
    #: The caller's cases: held by their unit, assigned to them, or owed a duty by their
    #: department (role = department code).
    mine_name: str | None = None
    mine_unit: str | None = None
    mine_role: str | None = None
    #: A party's worklist: their own case.
    case_id: str | None = None


@dataclass(frozen=True)
class Row:
    case_id: str
    title: str
    #: Township and village, space between.
    place: str
    level: str
    unit: str
    status: str
    risk: str
    assignee: str | None
    due_at: datetime | None
    seconds_left: float | None

    def time_left(self, lang: Lang | str) -> str:
        """Time left or overdue by; a paused case's clock is stopped (its ledger deadline moves
        when it resumes)."""
        return time_left(self.seconds_left, lang, paused=self.status == "paused")

    def cells(self, lang: Lang | str) -> list[str]:
        """The row's cells in `starter.py list`, in the language `lang`."""
        return [
            self.case_id,
            clip(self.title, TITLE_CELLS),
            clip(self.place, PLACE_CELLS),
            label("level", self.level, lang),
            self.assignee or "-",
            label("risk", self.risk, lang),
            self.time_left(lang),
        ]


#: Long titles and places are cut so that a line fits a wide terminal.
TITLE_CELLS, PLACE_CELLS = 30, 26


def build_query(f: Filters, now: datetime, *, count: bool = False) -> tuple[str, list]:
    """The SQL and its parameters; every filter is a bound parameter. `count`: how many cases
    match, all of them, not only the page."""
    where, args = [], [now]

    def arg(value) -> str:
        args.append(value)
        return f"${len(args)}"

    if f.case_id is not None:
        where.append(f"c.case_id = {arg(f.case_id)}")
    if f.status and set(f.status) == set(LADDER):
        # As constants, the very predicate of the ladder's partial indexes (migration 009),
        # so the planner uses them and estimates their rows right.
        where.append(_LADDER_SQL)
    elif f.status:
        where.append(f"c.status = ANY({arg(list(f.status))}::text[])")
    if f.unit:
        where.append(f"{HOLDER} = {arg(f.unit)}")
    if f.level:
        where.append(f"c.level = {arg(Level(f.level).value)}")
    if f.risk:
        where.append(f"c.risk = {arg(f.risk)}")
    if f.handler:
        where.append(f"c.assignee->>'name' = {arg(f.handler)}")
    if f.overdue:
        where.append("c.due_at < $1")
    if f.due_within is not None:
        where.append(f"c.due_at < $1 + {arg(f.due_within)}::interval")
    if f.case_id is None and (f.mine_unit is not None or f.mine_name is not None):
        unit, name, role = arg(f.mine_unit), arg(f.mine_name), arg(f.mine_role)
        where.append(
            f"({HOLDER} = {unit} OR (c.assignee->>'name' = {name} "
            f"AND c.assignee->>'unit' = {unit}) OR EXISTS (SELECT 1 FROM department_duties d "
            f"WHERE d.case_id = c.case_id AND d.department = {role} AND d.unit = {unit} "
            "AND d.state IN ('summoned', 'checked_in', 'declined', 'supervised')))"
        )
    if count:
        # `$1` (now) is named in the list, so its type is known when no filter uses it.
        sql = "SELECT count(*), $1::timestamptz FROM cases c"
        return sql + (" WHERE " + " AND ".join(where) if where else ""), args
    sql = (
        f"SELECT c.case_id, c.title, {PLACE} AS place, c.level, {HOLDER} AS unit, c.status, "
        "c.risk, "
        "c.assignee->>'name' AS assignee, c.due_at, "
        "EXTRACT(EPOCH FROM c.due_at - $1)::float8 AS seconds_left FROM cases c"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY c.due_at ASC NULLS LAST, c.case_id LIMIT {LIMIT}"
    )
    return sql, args


async def worklist(pool: asyncpg.Pool, filters: Filters, now: datetime) -> list[Row]:
    """The most urgent `LIMIT` cases that match."""
    sql, args = build_query(filters, now)
    return [Row(**dict(r)) for r in await pool.fetch(sql, *args)]


async def page(pool: asyncpg.Pool, filters: Filters, now: datetime) -> tuple[list[Row], int]:
    """The first page of the worklist, and how many cases match in all (counted only when the
    page is full: a short page is all of them)."""
    rows = await worklist(pool, filters, now)
    if len(rows) < LIMIT:
        return rows, len(rows)
    sql, args = build_query(filters, now, count=True)
    return rows, (await pool.fetchrow(sql, *args))[0]


# Who may read a case: a unit on its ladder (its grid, village, township, county), its
# assignee, a department it summoned, or a unit it was offered to in a transfer; for a matter
# on a procedure, the body a 信访 matter is addressed to and every unit that took a step on it.
_MAY_READ = """
SELECT EXISTS (
  SELECT 1 FROM cases c
   WHERE c.case_id = $1
     AND ($2 IN (c.grid, c.village, c.township, c.county)
          OR (c.assignee->>'name' = $3 AND c.assignee->>'unit' = $2)
          OR EXISTS (SELECT 1 FROM department_duties d WHERE d.case_id = c.case_id
                        AND d.department = $4 AND d.unit = $2)
          OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.case_id
                        AND e.kind = 'transfer_requested' AND e.data->>'to_unit' = $2)
          OR c.intake #>> '{petition,addressed_to,name}' = $2
          OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.case_id
                        AND e.kind = 'procedure_action' AND e.actor->>'unit' = $2)))
"""


async def may_read(pool: asyncpg.Pool, case_id: str, name: str, unit: str | None,
                   role: str) -> bool:  # fmt: skip
    """Whether a person (not a party: their token names their case) may read the case."""
    return bool(await pool.fetchval(_MAY_READ, case_id, unit, name, role))
