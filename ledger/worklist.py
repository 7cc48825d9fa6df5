"""Worklists from the ledger: which cases, most urgent first, with time left now.

The `cases` table holds each case's level, the units at every level, its assignee, its level
deadline (`due_at`) and, over all its clocks, its earliest running deadline (`deadline`, which
clock in `deadline_clock`) and its next return visit (`visit_due_at`); the workflow writes them
at every step. What overdue and due soon mean is `domain.urgency`'s, compared here with now.
Urgency: overdue longest first (supervised cases too), then soonest due, then no clock.
Read by `GET /api/cases`, `GET /api/cases/counts`, the web page and `starter.py list`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from domain.ladder import Level
from domain.urgency import DUE_SOON, VISIT_AHEAD, Urgency, urgency
from ledger.halted import HALTED_SQL
from texts import Lang
from texts.terminal import clip
from texts.terms import LOCAL_ZONE, label, time_left

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
#: The tabs of the page and `GET /api/cases/counts`, in their order: 待办 (the default list:
#: on the ladder, and resolved cases with a return visit due), 临期, 超期, 督办, 回访, 暂停.
TABS = ("open", "due_soon", "overdue", "supervised", "visits", "paused")
ORDERS = ("urgency", "opened", "risk")


def _tab_sql(tab: str) -> str:
    """The tab's condition: `{now}`, `{soon}` the due-soon window and `{ahead}` the visit
    window (`domain.urgency`'s DUE_SOON and VISIT_AHEAD) are bound parameters."""
    visits = "(c.status = 'resolved' AND c.visit_due_at <= {now} + {ahead}::interval)"
    return {
        "open": f"({_LADDER_SQL} OR {visits})",
        # Overdue (domain.urgency): the earliest deadline has passed and no clock is stopped.
        "overdue": "(c.deadline < {now} AND c.status IN ('open', 'supervised', 'resolved'))",
        "due_soon": "(c.deadline >= {now} AND c.deadline < {now} + {soon}::interval "
        "AND c.status IN ('open', 'supervised', 'resolved'))",
        "supervised": "c.status = 'supervised'",
        "visits": visits,
        "paused": "c.status = 'paused'",
    }[tab]


@dataclass(frozen=True)
class Filters:
    """The worklist's filters; every one optional. `mine_*` restrict to one person's cases."""

    unit: str | None = None
    #: Every case anywhere below this unit (its county, township, village or grid).
    under: str | None = None
    level: Level | None = None
    #: Statuses to show; None: all. Default: the cases still on the ladder, and resolved cases
    #: with a return visit due (the 待办 tab).
    status: tuple[str, ...] | None = LADDER
    overdue: bool = False
    due_within: timedelta | None = None
    risk: str | None = None
    handler: str | None = None
    #: One of TABS (overdue: the same as `overdue`; visits: `list --visits-due`).
    tab: str | None = None
    #: Case id, title, description, parties' names and phone numbers.
    search: str | None = None
    order: str = "urgency"
    #: The caller's cases: anywhere below their unit, assigned to them, or owed a duty by their
    #: department (role = department code). A department's duty officer (no roster level)
    #: sees only the cases that summoned the department.
    mine_name: str | None = None
    mine_unit: str | None = None
    mine_role: str | None = None
    mine_level: str | None = None
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
    #: To the earliest running deadline (the level's when paused); negative once overdue.
    seconds_left: float | None
    deadline: datetime | None = None
    deadline_clock: str | None = None
    visit_due_at: datetime | None = None
    #: Its workflow ended outside the engine (terminated, failed): nothing runs its clocks
    #: until someone starts it again (ledger/halted.py).
    halted: bool = False
    #: A matter on a statutory procedure (信访, the court road): its table and its state.
    procedure: str | None = None
    procedure_state: str | None = None

    #: Overdue, due soon, on time or none (`domain.urgency`), as of the query's now.
    urgency: str = Urgency.none.value

    @property
    def overdue(self) -> bool:
        return self.urgency == Urgency.overdue

    def time_left(self, lang: Lang | str) -> str:
        """Time left or overdue by; a paused case's clock is stopped (its ledger deadline moves
        when it resumes)."""
        return time_left(self.seconds_left, lang, paused=self.status == "paused")

    def as_json(self, lang: Lang | str) -> dict[str, Any]:
        """As `list --json` and `GET /api/cases` give it: Beijing time, whole seconds, the
        English machine values, and the time left in words."""

        def at(moment: datetime | None) -> str | None:
            return moment.astimezone(LOCAL_ZONE).isoformat() if moment else None

        return {
            **self.__dict__,
            "due_at": at(self.due_at),
            "deadline": at(self.deadline),
            "visit_due_at": at(self.visit_due_at),
            "seconds_left": round(self.seconds_left) if self.seconds_left is not None else None,
            "overdue": self.overdue,
            "time_left": self.time_left(lang),
        }

    def stage(self, lang: Lang | str) -> str:
        """The level, or for a matter on a procedure its state: 县级 / 已交办."""
        if self.procedure_state is None:
            return label("level", self.level, lang)
        return label("procedure_state", self.procedure_state, lang)

    def cells(self, lang: Lang | str) -> list[str]:
        """The row's cells in `starter.py list`, in the language `lang`."""
        return [
            self.case_id,
            clip(self.title, TITLE_CELLS),
            clip(self.place, PLACE_CELLS),
            self.stage(lang),
            self.assignee or "-",
            label("risk", self.risk, lang),
            f"{label('run', 'halted', lang)} {self.time_left(lang)}"
            if self.halted
            else self.time_left(lang),
        ]


#: A matter's table and the state its last event left it in (docs/events.md: every event of
#: a procedure carries `data.state`), read by the primary key for the page's rows only.
PROCEDURE_STATE = (
    "c.intake->>'procedure' AS procedure, "
    "CASE WHEN c.intake->>'procedure' IS NOT NULL THEN (SELECT e.data->>'state' "
    "FROM case_events e WHERE e.case_id = c.case_id ORDER BY e.seq DESC LIMIT 1) END "
    "AS procedure_state"
)

#: Long titles and places are cut so that a line fits a wide terminal.
TITLE_CELLS, PLACE_CELLS = 30, 26


def like_pattern(text: str) -> str:
    """`text` anywhere, its LIKE wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def build_query(f: Filters, now: datetime, *, count: bool = False, limit: int = LIMIT,
                offset: int = 0, counts: bool = False) -> tuple[str, list]:  # fmt: skip
    """The SQL and its parameters; every filter is a bound parameter. `count`: how many cases
    match, all of them, not only the page; `counts`: how many in each tab (TABS)."""
    where: list[str] = []
    args: list = [now]
    named: dict[str, str] = {"now": "$1"}

    def arg(value) -> str:
        args.append(value)
        return f"${len(args)}"

    def tab_sql(tab: str) -> str:
        text = _tab_sql(tab)
        for key, value in (("soon", DUE_SOON), ("ahead", VISIT_AHEAD)):
            if "{" + key + "}" in text and key not in named:
                named[key] = arg(value)
        return (
            text.replace("{now}", "$1::timestamptz")
            .replace("{soon}", named.get("soon", ""))
            .replace("{ahead}", named.get("ahead", ""))
        )

    if f.case_id is not None:
        where.append(f"c.case_id = {arg(f.case_id)}")
    tab = "overdue" if f.overdue else f.tab
    if counts:
        where.append(tab_sql("open"))
    elif f.status and set(f.status) == set(LADDER) and tab in (None, "open", "due_soon", "overdue"):
        # The ladder's statuses as constants, the very predicate of the partial indexes
        # (migrations 009, 010); and the resolved cases whose return visit is due.
        where.append(tab_sql("open"))
    elif f.status and tab in (None, "open"):
        where.append(f"c.status = ANY({arg(list(f.status))}::text[])")
    if tab is not None and tab != "open" and not counts:
        where.append(tab_sql(tab))
    if f.unit:
        where.append(f"{HOLDER} = {arg(f.unit)}")
    if f.under:
        where.append(f"{arg(f.under)} IN (c.county, c.township, c.village, c.grid)")
    if f.level:
        where.append(f"c.level = {arg(Level(f.level).value)}")
    if f.risk:
        where.append(f"c.risk = {arg(f.risk)}")
    if f.handler:
        where.append(f"c.assignee->>'name' = {arg(f.handler)}")
    if f.due_within is not None:
        where.append(
            f"c.deadline < $1::timestamptz + {arg(f.due_within)}::interval AND c.status <> 'paused'"
        )
    if f.search and f.search.strip():
        text = f.search.strip()
        pattern = arg(like_pattern(text))
        phone = _digits(text)
        phone_sql = ""
        if len(phone) >= 4:
            phone_sql = (f" OR regexp_replace(COALESCE(p->>'phone', ''), '[^0-9]', '', 'g') "
                         f"LIKE {arg('%' + phone + '%')}")  # fmt: skip
        where.append(
            f"(c.case_id ILIKE {pattern} OR c.title ILIKE {pattern} "
            f"OR c.intake->>'description' ILIKE {pattern} "
            "OR EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof("
            "c.intake->'parties') = 'array' THEN c.intake->'parties' ELSE '[]'::jsonb END) p "
            f"WHERE p->>'name' ILIKE {pattern}{phone_sql}))"
        )
    if f.case_id is None and (f.mine_unit is not None or f.mine_name is not None):
        unit, role = arg(f.mine_unit), arg(f.mine_role)
        duty = (
            f"EXISTS (SELECT 1 FROM department_duties d WHERE d.case_id = c.case_id "
            f"AND d.department = {role} AND d.unit = {unit} "
            "AND d.state IN ('summoned', 'checked_in', 'declined', 'supervised'))"
        )
        if f.mine_level is None:  # a department's duty officer: the cases that summoned it
            where.append(duty)
        else:
            name = arg(f.mine_name)
            where.append(
                f"({_placed(unit)} "
                f"OR (c.assignee->>'name' = {name} AND c.assignee->>'unit' = {unit}) OR {duty} "
                f"OR {_petition_body(unit)})"
            )
    cond = " WHERE " + " AND ".join(where) if where else ""
    if counts:
        tallies = ", ".join(f"count(*) FILTER (WHERE {tab_sql(t)}) AS {t}" for t in TABS)
        return f"SELECT {tallies}, $1::timestamptz FROM cases c{cond}", args
    if count:
        # `$1` (now) is named in the list, so its type is known when no filter uses it.
        return "SELECT count(*), $1::timestamptz FROM cases c" + cond, args
    order = {
        "urgency": "c.deadline ASC NULLS LAST, c.due_at ASC NULLS LAST",
        "opened": "c.opened_at DESC",
        "risk": "CASE c.risk WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END, "
        "c.deadline ASC NULLS LAST",
    }[f.order if f.order in ORDERS else "urgency"]
    sql = (
        f"SELECT c.case_id, c.title, {PLACE} AS place, c.level, {HOLDER} AS unit, c.status, "
        "c.risk, c.assignee->>'name' AS assignee, c.due_at, c.deadline, c.deadline_clock, "
        f"c.visit_due_at, {HALTED_SQL} AS halted, "
        "EXTRACT(EPOCH FROM COALESCE(c.deadline, c.due_at) - $1)::float8 AS seconds_left, "
        f"{PROCEDURE_STATE} "
        f"FROM cases c{cond} ORDER BY {order}, c.case_id LIMIT {int(limit)} OFFSET {int(offset)}"
    )
    return sql, args


async def worklist(pool: asyncpg.Pool, filters: Filters, now: datetime, *, limit: int = LIMIT,
                   offset: int = 0) -> list[Row]:  # fmt: skip
    """The most urgent `limit` cases that match (after `offset` of them)."""
    sql, args = build_query(filters, now, limit=limit, offset=offset)
    return [
        Row(**dict(r), urgency=urgency(r["deadline"], now, paused=r["status"] == "paused").value)
        for r in await pool.fetch(sql, *args)
    ]


async def page(pool: asyncpg.Pool, filters: Filters, now: datetime, *, limit: int = LIMIT,
               offset: int = 0) -> tuple[list[Row], int]:  # fmt: skip
    """A page of the worklist, and how many cases match in all (counted only when the page
    is full or not the first: a short first page is all of them)."""
    rows = await worklist(pool, filters, now, limit=limit, offset=offset)
    if len(rows) < limit and offset == 0:
        return rows, len(rows)
    sql, args = build_query(filters, now, count=True)
    return rows, (await pool.fetchrow(sql, *args))[0]


async def counts(pool: asyncpg.Pool, filters: Filters, now: datetime) -> dict[str, int]:
    """How many of the caller's cases (within `filters`' scope and search) are in each tab."""
    sql, args = build_query(filters, now, counts=True)
    row = await pool.fetchrow(sql, *args)
    return {t: row[t] for t in TABS}


def _placed(unit: str) -> str:
    """The unit is on the case's ladder (its grid, village, township or county). A 信访 matter
    is placed where the petitioner lives, but it is the county's and its bodies' business, not
    the grid's or the village's: below the county only the bodies it reached read it."""
    return (
        f"(CASE WHEN c.intake->>'procedure' = 'petition' THEN {unit} = c.county "
        f"ELSE {unit} IN (c.county, c.township, c.village, c.grid) END)"
    )


def _petition_body(unit: str) -> str:
    """The unit is a body a 信访 matter reached: the office or body it is addressed to, one
    that took a step on it, or the one the 信访 office forwarded or assigned it to (`--fact
    to=UNIT`, Art. 22). Only those two steps of the office name a reader: any other step's
    `to` fact (a party's, a body's) gives no one the petitioner's data."""
    return (
        "(c.intake->>'procedure' = 'petition' "
        f"AND (c.intake #>> '{{petition,addressed_to,name}}' = {unit} "
        "OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.case_id "
        f"AND e.kind = 'procedure_action' AND (e.actor->>'unit' = {unit} "
        "OR (e.data->>'action' IN ('forward', 'assign') AND e.actor->>'role' = 'petition_office' "
        f"AND e.data #>> '{{facts,to}}' = {unit})))))"
    )


# Who may read a case: a unit on its ladder (its grid, village, township, county: a 信访
# matter's county only), its assignee, a department it summoned, or a unit it was offered to
# in a transfer; for a 信访 matter, every body it reached (`_petition_body`).
_MAY_READ = f"""
SELECT EXISTS (
  SELECT 1 FROM cases c
   WHERE c.case_id = $1
     AND ({_placed("$2")}
          OR (c.assignee->>'name' = $3 AND c.assignee->>'unit' = $2)
          OR EXISTS (SELECT 1 FROM department_duties d WHERE d.case_id = c.case_id
                        AND d.department = $4 AND d.unit = $2)
          OR EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.case_id
                        AND e.kind = 'transfer_requested' AND e.data->>'to_unit' = $2)
          OR {_petition_body("$2")}))
"""


async def may_read(pool: asyncpg.Pool, case_id: str, name: str, unit: str | None,
                   role: str) -> bool:  # fmt: skip
    """Whether a person (not a party: their token names their case) may read the case."""
    return bool(await pool.fetchval(_MAY_READ, case_id, unit, name, role))
