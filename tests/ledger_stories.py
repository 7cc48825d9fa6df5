"""Hand-built ledgers with known figures: cases' stories in November 2026, as rows.

The activity tests insert these rows into PostgreSQL (`insert`) and compute the figures
through SQL; the expected November figures of Haibei Street are worked out by hand in
`EXPECTED`. Every event follows docs/events.md (with the contract of issue 9: `contacted`,
`solved` and `satisfaction` on satisfaction visits).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from domain.metrics import CaseRow
from domain.periods import LOCAL_TZ

COUNTY = "Haibowan District"
HAIBEI = "Haibei Street"
QIANLI = "Qianli Township"
HANDLER = {"name": "赵网格员", "role": "grid_worker", "unit": "G-07"}
APPLICANT = {"name": "王某", "role": "applicant"}
REOPEN = {"from_level": "village", "to_level": "village", "reason": "leak", "visit": "satisfaction"}
#: The overdue and clearance lists are taken at this moment.
AS_OF = datetime(2026, 11, 30, 12, 0, tzinfo=LOCAL_TZ)


@dataclass(frozen=True, slots=True)
class EventRow:
    """One `case_events` row; `actor` is None for the engine's own events."""

    case_id: str
    seq: int
    at: datetime
    kind: str
    level: str
    actor: Mapping[str, Any] | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ledger:
    """Cases and each case's events in `seq` order."""

    cases: tuple[CaseRow, ...]
    history: Mapping[str, tuple[EventRow, ...]]

    @classmethod
    def of(cls, cases: Iterable[CaseRow], events: Iterable[EventRow]) -> Ledger:
        cases = tuple(cases)
        grouped: dict[str, list[EventRow]] = defaultdict(list)
        for event in events:
            grouped[event.case_id].append(event)
        history = {cid: tuple(sorted(evs, key=lambda e: e.seq)) for cid, evs in grouped.items()}
        return cls(cases=cases, history=history)

    def events_of(self, case_id: str) -> tuple[EventRow, ...]:
        return self.history.get(case_id, ())


def at(month: int, day: int, hour: float = 9.0) -> datetime:
    return datetime(2026, month, day, tzinfo=LOCAL_TZ) + timedelta(hours=hour)


def case(
    case_id: str,
    opened: datetime,
    status: str,
    level: str,
    *,
    township: str = HAIBEI,
    village: str = "Diamond Square Community",
    grid: str = "G-07",
    due_at: datetime | None = None,
) -> CaseRow:
    return CaseRow(
        case_id=case_id,
        county=COUNTY,
        township=township,
        village=village,
        grid=grid,
        status=status,
        level=level,
        opened_at=opened,
        due_at=due_at,
    )


def story(case_id: str, opened: datetime, *steps: tuple, risk: str = "green") -> list[EventRow]:
    """Events from (hours after opening, kind, level[, data[, actor]]) steps, `opened` first."""
    events = [EventRow(case_id, 1, opened, "opened", steps[0][2], None, {"risk": risk})]
    for seq, step in enumerate(steps, start=2):
        hours, kind, level, *rest = step
        data: dict[str, Any] = rest[0] if rest else {}
        actor = rest[1] if len(rest) > 1 else None
        events.append(
            EventRow(case_id, seq, opened + timedelta(hours=hours), kind, level, actor, data)
        )
    return events


def arrive(hours: float, level: str, due_in: float, *, trigger: str | None = None) -> tuple:
    data = {"why": "opened", "assignee": None, "due_at": None, "deadline": f"{due_in}h"}
    if trigger:
        return (hours, "escalated", level, {**data, "trigger": trigger})
    return (hours, "assigned", level, data)


def resolve(hours: float, level: str) -> tuple:
    data = {"agreement": "repair by 12-01", "note": None, "due_at": None, "on_time": True}
    return (hours, "resolved", level, data, HANDLER)


def visit(hours: float, level: str, result: str, solved: bool | None = None, satisfaction=None):
    """A satisfaction visit; `solved` and `satisfaction` are left out when None (unreached)."""
    data: dict[str, Any] = {"visit": "satisfaction", "result": result}
    if solved is not None:
        data["solved"] = solved
    if satisfaction is not None:
        data["satisfaction"] = satisfaction
    return (hours, "visit_done", level, data, HANDLER)


def november() -> Ledger:
    a, b, c, d = at(11, 2), at(11, 3), at(11, 5), at(11, 8)
    e, f, g, i, j = at(11, 9), at(10, 30), at(11, 10), at(11, 28), at(10, 1)
    k, m, n = at(11, 27), at(11, 12), datetime(2025, 11, 10, 9, tzinfo=LOCAL_TZ)
    cases = [
        case("A", a, "closed", "grid"),  # resolved at the grid at once; satisfied
        case("B", b, "closed", "village"),  # late at the grid; reopened; resolved twice
        case("C", c, "resolved", "grid"),  # paused 48 h, then resolved in time
        case("D", d, "supervised", "county"),  # red: township failed, county ran out
        case("E", e, "withdrawn", "grid"),  # withdrawn after an hour
        case("F", f, "resolved", "township"),  # opened in October, resolved 1 Nov
        case("G", g, "open", "grid", township=QIANLI, village="East Village", due_at=at(11, 29)),
        case("H", at(12, 1), "open", "grid", due_at=at(12, 2)),  # December: outside
        case("I", i, "open", "grid", due_at=AS_OF + timedelta(hours=5)),  # due soon
        case("J", j, "paused", "grid", due_at=at(10, 2)),  # paused: never overdue
        case("K", k, "resolved", "grid"),  # resolved 28 Nov; its visit falls on 1 December
        case("M", m, "referred", "township"),  # refused mediation at the township: referred
        case("N", n, "closed", "grid"),  # a year earlier: the year-on-year reference
    ]
    events = [
        *story(
            "A", a,
            arrive(0, "grid", 24),
            resolve(5, "grid"),
            visit(24, "grid", "satisfied", True, "satisfied"),
            (18 * 24, "closed", "grid", {"outcome": "resolved"}),
        ),
        *story(
            "B", b,
            arrive(0, "grid", 24),
            (24, "deadline_passed", "grid", {"due_at": None}),
            arrive(24, "village", 48, trigger="deadline"),
            resolve(30, "village"),
            visit(54, "village", "unreachable"),
            visit(55, "village", "dissatisfied", False, "dissatisfied"),  # the first reached
            (56, "reopened", "village", REOPEN),
            arrive(56, "village", 48),
            resolve(80, "village"),
            visit(104, "village", "satisfied", True, "basically_satisfied"),  # the second
            (22 * 24, "closed", "village", {"outcome": "resolved"}),
        ),
        *story(
            "C", c,
            arrive(0, "grid", 24),
            (2, "paused", "grid", {"reason": "waiting on an appraisal"}, HANDLER),
            (50, "resumed", "grid",
             {"paused_seconds": 48 * 3600, "total_paused_seconds": 48 * 3600, "due_at": None}),
            resolve(60, "grid"),  # 60 h after opening, 12 h of running clock: in time
            visit(84, "grid", "satisfied", True, "basically_satisfied"),
        ),
        *story(
            "D", d,
            arrive(0, "township", 12),
            (3, "failed", "township", {"reason": "respondent refuses"}, HANDLER),
            arrive(3, "county", 72, trigger="failed"),
            (75, "deadline_passed", "county", {"due_at": None}),
            (75, "supervised", "county", {}),
            risk="red",  # a red case is to be contacted within 2 h: 3 h is too late
        ),
        *story(
            "E", e,
            arrive(0, "grid", 24),
            (1, "withdrawn", "grid", {"reason": "settled privately"}, APPLICANT),
            (1, "closed", "grid", {"outcome": "withdrawn"}),
        ),
        *story(
            "F", f,
            arrive(0, "grid", 24),
            (2, "failed", "grid", {"reason": "no agreement"}, HANDLER),
            arrive(2, "village", 48, trigger="failed"),
            (20, "failed", "village", {"reason": "no agreement"}, HANDLER),
            arrive(20, "township", 96, trigger="failed"),
            resolve(40, "township"),  # 1 November, 01:00
        ),
        *story("G", g, arrive(0, "grid", 24)),
        *story("H", at(12, 1), arrive(0, "grid", 24)),
        *story("I", i, arrive(0, "grid", 24 * 3), (1, "contacted", "grid", {}, HANDLER)),
        *story("J", j, arrive(0, "grid", 24), (1, "paused", "grid", {"reason": "hear"}, HANDLER)),
        *story(
            "K", k,
            arrive(0, "grid", 24),
            resolve(20, "grid"),  # 28 November, 05:00
            visit(97, "grid", "satisfied", True, "satisfied"),  # 1 December, 10:00
        ),
        *story(
            "M", m,
            arrive(0, "township", 96),
            (10, "refused", "township",
             {"party": "王某", "reason": "will sue", "route": "court"}, APPLICANT),
            (10, "closed", "township", {"outcome": "referred"}),
        ),
        *story("N", n, arrive(0, "grid", 24), resolve(20, "grid")),
    ]  # fmt: skip
    return Ledger.of(cases, events)


#: Haibei Street, November 2026, as of AS_OF — worked out by hand from the stories above.
EXPECTED: dict[str, Any] = {
    "received": 8,  # A B C D E I K M (F opened in October, H in December, G elsewhere)
    # A C I K: a handler's action or contact within 24 h; B's first came after 30 h; D is red
    # and its first (3 h) missed the 2-hour window; E and M only saw the applicant act.
    "responded": 4,
    "response_rate": 4 / 8,
    "taken_up": 6,  # all but E (withdrawn) and M (refused): D's failure is an outcome
    "mediation_rate": 6 / 8,
    # First attempts ended in November: A C K resolved; B's deadline passed, D failed, M was
    # refused. E's was withdrawn (neither); F's first attempt failed in October.
    "first_attempts_ended": 6,
    "first_attempt_resolved": 3,
    "first_attempt_rate": 3 / 6,
    # Concluded in November: A B C F K resolved (B counted once, at its first agreement; K in
    # November although its visit is in December), M referred. E withdrew: its own column.
    "concluded": 6,
    "concluded_resolved": 5,
    "mediation_success_rate": 5 / 6,
    "withdrawn": 1,
    "resolved": 6,  # A, B twice, C, F, K
    "resolved_grid_village": 5,  # all but F (township)
    "grid_village_share": 5 / 6,
    # First reached satisfaction visits in November: A (solved, satisfied), B (its first
    # reached visit: not solved, dissatisfied; the later one is not counted), C (solved,
    # basically satisfied). B's unreachable try is not a reach; K's visit is in December.
    "visits_reached": 3,
    "visits_solved": 2,
    "solved_rate": 2 / 3,
    "visits_satisfied": 2,
    "satisfaction_rate": 2 / 3,
    "stints_ended": 11,  # A1 B3 C1 D2 E1 F1 K1 M1 (F's grid and village stints ended in October)
    "stints_on_time": 9,  # late: B at the grid, D at the county
    "on_time_rate": 9 / 11,
    "paused_hours": 48.0,
    "reopened": 1,
    "reopen_rate": 1 / 6,
    "overdue": 1,  # D under supervision; J is paused; G is in Qianli
    "due_soon": 1,  # I
    "received_year_ago": 1,  # N, November 2025
    "resolved_year_ago": 1,
}


async def insert(pool: asyncpg.Pool, ledger: Ledger) -> None:
    """The ledger's rows as `cases` and `case_events` rows, the way the workflow writes them."""
    await pool.executemany(
        """
        INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,
                           township, village, grid, reported_at, opened_at, policy_name, intake,
                           status, level, due_at, last_seq)
        VALUES ($1, $2, 'neighbour', 'general', 'green', $3, $4, $5, $6, $7, $8, $8,
                'county-default-2026', '{}'::jsonb, $9, $10, $11, $12)
        """,
        [
            (c.case_id, f"case-{c.case_id}", f"case {c.case_id}", c.county, c.township,
             c.village, c.grid, c.opened_at, c.status, c.level, c.due_at,
             len(ledger.events_of(c.case_id)))
            for c in ledger.cases
        ],
    )  # fmt: skip
    await pool.executemany(
        """
        INSERT INTO case_events (case_id, seq, at, kind, level, summary, actor, data)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        """,
        [
            (e.case_id, e.seq, e.at, e.kind, e.level, f"{e.kind} at {e.level}", e.actor, e.data)
            for c in ledger.cases
            for e in ledger.events_of(c.case_id)
        ],
    )


async def open_case_for_codec(pool: asyncpg.Pool, case_id: str, grid: str) -> None:
    """One open case at `grid` whose applicant is 王某 (for the codec server's reading rule)."""
    ledger = Ledger.of([case(case_id, at(11, 2), "open", "grid", grid=grid)], [])
    await insert(pool, ledger)
    parties = {"parties": [{"name": "王某", "role": "applicant"}]}
    await pool.execute("UPDATE cases SET intake = $2 WHERE case_id = $1", case_id, parties)
