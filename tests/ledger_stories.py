"""A hand-built ledger with known figures: ten cases' stories in November 2026, as rows.

The domain tests compute the metrics on these rows directly; the activity tests insert the
same rows into PostgreSQL (`insert`) and compute through SQL. Every event follows
docs/events.md. The expected November figures of Haibei Street are worked out in `EXPECTED`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import asyncpg

from domain.metrics import CaseRow, EventRow, Ledger
from domain.periods import LOCAL_TZ

COUNTY = "Haibowan District"
HAIBEI = "Haibei Street"
QIANLI = "Qianli Township"
HANDLER = {"name": "赵网格员", "role": "grid_worker", "unit": "G-07"}
APPLICANT = {"name": "王某", "role": "applicant"}
REOPEN = {"from_level": "village", "to_level": "village", "reason": "leak", "visit": "satisfaction"}
#: The overdue and clearance lists are taken at this moment.
AS_OF = datetime(2026, 11, 30, 12, 0, tzinfo=LOCAL_TZ)


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


def story(case_id: str, opened: datetime, *steps: tuple) -> list[EventRow]:
    """Events from (hours after opening, kind, level[, data[, actor]]) steps, `opened` first."""
    events = [EventRow(case_id, 1, opened, "opened", steps[0][2], None, {"risk": "green"})]
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


def november() -> Ledger:
    a, b, c, d = at(11, 2), at(11, 3), at(11, 5), at(11, 8)
    e, f, g, i, j = at(11, 9), at(10, 30), at(11, 10), at(11, 28), at(10, 1)
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
    ]
    events = [
        *story(
            "A", a,
            arrive(0, "grid", 24),
            resolve(5, "grid"),
            (24, "visit_done", "grid", {"visit": "satisfaction", "result": "satisfied"}, HANDLER),
            (18 * 24, "closed", "grid", {"outcome": "resolved"}),
        ),
        *story(
            "B", b,
            arrive(0, "grid", 24),
            (24, "deadline_passed", "grid", {"due_at": None}),
            arrive(24, "village", 48, trigger="deadline"),
            resolve(30, "village"),
            (54, "visit_done", "village", {"visit": "satisfaction", "result": "unreachable"}),
            (55, "visit_done", "village",
             {"visit": "satisfaction", "result": "dissatisfied"}, HANDLER),
            (56, "reopened", "village", REOPEN),
            arrive(56, "village", 48),
            resolve(80, "village"),
            (22 * 24, "closed", "village", {"outcome": "resolved"}),
        ),
        *story(
            "C", c,
            arrive(0, "grid", 24),
            (2, "paused", "grid", {"reason": "waiting on an appraisal"}, HANDLER),
            (50, "resumed", "grid",
             {"paused_seconds": 48 * 3600, "total_paused_seconds": 48 * 3600, "due_at": None}),
            resolve(60, "grid"),  # 60 h after opening, 12 h of running clock: in time
        ),
        *story(
            "D", d,
            arrive(0, "township", 12),
            (3, "failed", "township", {"reason": "respondent refuses"}, HANDLER),
            arrive(3, "county", 72, trigger="failed"),
            (75, "deadline_passed", "county", {"due_at": None}),
            (75, "supervised", "county", {}),
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
        *story("I", i, arrive(0, "grid", 24 * 3)),
        *story("J", j, arrive(0, "grid", 24), (1, "paused", "grid", {"reason": "hear"}, HANDLER)),
    ]  # fmt: skip
    return Ledger.of(cases, events)


#: Haibei Street, November 2026, as of AS_OF — worked out by hand from the stories above.
EXPECTED: dict[str, Any] = {
    "received": 6,  # A B C D E I (F opened in October, H in December, G elsewhere)
    "resolved": 5,  # A, B twice, C, F
    "resolved_grid_village": 4,  # all but F (township)
    "grid_village_share": 4 / 5,
    "ended": 3,  # closed: A, B (resolved), E (withdrawn)
    "ended_resolved": 2,
    "mediation_success_rate": 2 / 3,
    "first_attempt_resolved": 2,  # A and C; B had an escalation, then a reopening; F failed
    "first_attempt_rate": 2 / 5,
    "stints_ended": 9,  # A1 B3 C1 D2 E1 F1 (F's grid and village stints ended in October)
    "stints_on_time": 7,  # late: B at the grid, D at the county
    "on_time_rate": 7 / 9,
    "paused_hours": 48.0,
    "responded": 3,  # A C D; B's first action came after 30 h; E withdrew; I has none
    "response_rate": 3 / 6,
    "visits_rated": 2,  # A satisfied, B dissatisfied; B unreachable excluded
    "visits_satisfied": 1,
    "satisfaction_rate": 1 / 2,
    "reopened": 1,
    "reopen_rate": 1 / 5,
    "overdue": 1,  # D under supervision; J is paused; G is in Qianli
    "due_soon": 1,  # I
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
