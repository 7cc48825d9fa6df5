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

#: The unit holding a case at its current level.
HOLDER = (
    "CASE c.level WHEN 'grid' THEN c.grid WHEN 'village' THEN c.village "
    "WHEN 'township' THEN c.township ELSE c.county END"
)
RISKS = ("green", "yellow", "red")
LIMIT = 500


@dataclass(frozen=True)
class Filters:
    """The worklist's filters; every one optional. `mine_*` restrict to one person's cases."""

    unit: str | None = None
    level: Level | None = None
    #: Statuses to show; None: all. Default: the cases still on the ladder.
    status: tuple[str, ...] | None = ("open", "paused", "supervised")
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
    level: str
    unit: str
    status: str
    risk: str
    assignee: str | None
    due_at: datetime | None
    seconds_left: float | None

    @property
    def time_left(self) -> str:
        """A paused case's clock is stopped: its ledger deadline moves when it resumes."""
        return "clock paused" if self.status == "paused" else time_left_text(self.seconds_left)

    def line(self) -> str:
        """One line of `starter.py list`."""
        return (
            f"{self.case_id}  {self.level}/{self.unit}  {self.status}  {self.risk}  "
            f"{self.time_left}  {self.assignee or '-'}  {self.title}"
        )


def time_left_text(seconds: float | None) -> str:
    """ "3d 4h left", "2h 5m overdue", or "no clock"."""
    if seconds is None:
        return "no clock"
    left = abs(int(seconds))
    days, rest = divmod(left, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes = rest // 60
    parts = [f"{days}d"] if days else []
    parts += [f"{hours}h"] if hours or days else []
    parts += [] if days else [f"{minutes}m"]
    return " ".join(parts) + (" left" if seconds >= 0 else " overdue")


def build_query(f: Filters, now: datetime) -> tuple[str, list]:
    """The SQL and its parameters; every filter is a bound parameter."""
    where, args = [], [now]

    def arg(value) -> str:
        args.append(value)
        return f"${len(args)}"

    if f.case_id is not None:
        where.append(f"c.case_id = {arg(f.case_id)}")
    if f.status:
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
    sql = (
        f"SELECT c.case_id, c.title, c.level, {HOLDER} AS unit, c.status, c.risk, "
        "c.assignee->>'name' AS assignee, c.due_at, "
        "EXTRACT(EPOCH FROM c.due_at - $1)::float8 AS seconds_left FROM cases c"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY c.due_at ASC NULLS LAST, c.case_id LIMIT {LIMIT}"
    )
    return sql, args


async def worklist(pool: asyncpg.Pool, filters: Filters, now: datetime) -> list[Row]:
    sql, args = build_query(filters, now)
    return [Row(**dict(r)) for r in await pool.fetch(sql, *args)]


# Who may read a case: a unit on its ladder (its grid, village, township, county), its
# assignee, a department it summoned, or a unit it was offered to in a transfer.
_MAY_READ = """
SELECT EXISTS (
  SELECT 1 FROM cases c
   WHERE c.case_id = $1
     AND ($2 IN (c.grid, c.village, c.township, c.county)
          OR (c.assignee->>'name' = $3 AND c.assignee->>'unit' = $2)
          OR EXISTS (SELECT 1 FROM department_duties d WHERE d.case_id = c.case_id
                        AND d.department = $4 AND d.unit = $2)
          OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.case_id
                        AND e.kind = 'transfer_requested' AND e.data->>'to_unit' = $2)))
"""


async def may_read(pool: asyncpg.Pool, case_id: str, name: str, unit: str | None,
                   role: str) -> bool:  # fmt: skip
    """Whether a person (not a party: their token names their case) may read the case."""
    return bool(await pool.fetchval(_MAY_READ, case_id, unit, name, role))
