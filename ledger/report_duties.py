"""The `duty_reports` and `duty_notices` tables: reports filed, reminders and escalations sent.

Each write is keyed by (unit, day): a filing repeated (a retried request, a double tap) keeps
the first, a reminder or escalation retried by its activity writes nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import asyncpg

from domain.report_duties import (
    Duty,
    DutyFigures,
    DutyPolicy,
    Filing,
    NoticeKind,
    ReportKind,
    duties_on,
    duty_key,
    figures_of,
    parse_duty_policy,
)
from ledger.outbox import QUEUE_DUTY_SQL

# The cases of a unit (at any level of its place) the engine took in during [start, end).
_CASES_OPENED = """
SELECT case_id FROM cases
 WHERE opened_at >= $2 AND opened_at < $3
   AND $1 IN (grid, village, township, county)
 ORDER BY opened_at, case_id
"""

_FILE = """
INSERT INTO duty_reports (unit, day, reports_to, cutoff_at, kind, cases, note, filed_by,
                          filed_at, flagged, flag_cases)
VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb, $9, $10, $11::jsonb)
ON CONFLICT (unit, day) DO UPDATE
   SET kind = EXCLUDED.kind, cases = EXCLUDED.cases, note = EXCLUDED.note,
       filed_by = EXCLUDED.filed_by, filed_at = EXCLUDED.filed_at,
       flagged = EXCLUDED.flagged, flag_cases = EXCLUDED.flag_cases
 WHERE duty_reports.filed_at IS NULL
RETURNING filed_at
"""

_ROWS = """
SELECT unit, day, kind, cases, note, filed_by, filed_at, flagged, flag_cases,
       reminded_at, escalated_at
  FROM duty_reports
 WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR unit = $3)
"""

_MARK = {
    "reminder": """
INSERT INTO duty_reports (unit, day, reports_to, cutoff_at, reminded_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (unit, day) DO UPDATE SET reminded_at = COALESCE(duty_reports.reminded_at, $5)
 WHERE duty_reports.filed_at IS NULL
RETURNING unit
""",
    "escalation": """
INSERT INTO duty_reports (unit, day, reports_to, cutoff_at, escalated_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (unit, day) DO UPDATE SET escalated_at = COALESCE(duty_reports.escalated_at, $5)
 WHERE duty_reports.filed_at IS NULL
RETURNING unit
""",
}

_NOTICE = """
INSERT INTO duty_notices (unit, day, kind, recipient_unit, message, created_at)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (unit, day, kind) DO NOTHING
"""

_NOTICES = """
SELECT unit, day, kind, recipient_unit, message, created_at FROM duty_notices
 WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR unit = $3)
 ORDER BY created_at, unit
"""


@dataclass(frozen=True)
class DutyRow:
    """A `duty_reports` row: a filing, or only the reminder/escalation of an unfiled duty."""

    unit: str
    day: date
    kind: str | None
    cases: list[str]
    note: str | None
    filed_by: dict | None
    filed_at: datetime | None
    flagged: bool
    flag_cases: list[str]
    reminded_at: datetime | None
    escalated_at: datetime | None

    @property
    def filing(self) -> Filing | None:
        if self.filed_at is None or self.kind is None:
            return None
        return Filing(
            kind=ReportKind(self.kind),
            filed_at=self.filed_at,
            cases=tuple(self.cases),
            flagged=self.flagged,
        )


def _row(r: asyncpg.Record) -> DutyRow:
    return DutyRow(
        unit=r["unit"],
        day=r["day"],
        kind=r["kind"],
        cases=r["cases"] or [],
        note=r["note"],
        filed_by=r["filed_by"],
        filed_at=r["filed_at"],
        flagged=r["flagged"],
        flag_cases=r["flag_cases"] or [],
        reminded_at=r["reminded_at"],
        escalated_at=r["escalated_at"],
    )


async def cases_opened(
    pool: asyncpg.Pool | asyncpg.Connection, unit: str, start: datetime, end: datetime
) -> list[str]:
    return [r["case_id"] for r in await pool.fetch(_CASES_OPENED, unit, start, end)]


async def file_report(
    pool: asyncpg.Pool,
    duty: Duty,
    *,
    kind: ReportKind,
    cases: list[str],
    note: str | None,
    filed_by: dict,
    filed_at: datetime,
    flag_cases: list[str],
) -> bool:
    """Record the filing; False when the duty was already filed (the first filing stays)."""
    filed = await pool.fetchval(
        _FILE,
        duty.unit,
        duty.day,
        duty.reports_to,
        duty.cutoff_at,
        kind.value,
        cases,
        note,
        filed_by,
        filed_at,
        bool(flag_cases),
        flag_cases,
    )
    return filed is not None


async def rows(
    pool: asyncpg.Pool | asyncpg.Connection, first: date, last: date, unit: str | None = None
) -> dict[tuple[str, date], DutyRow]:
    """The rows of the days first..last (of `unit` only, when given), by (unit, day)."""
    found = await pool.fetch(_ROWS, first, last, unit)
    return {(r["unit"], r["day"]): _row(r) for r in found}


async def notify_unfiled(
    pool: asyncpg.Pool,
    duties: list[tuple[Duty, str, str]],
    kind: str,
    at: datetime,
) -> list[str]:
    """For each (duty, recipient unit, message) still unfiled: mark the duty reminded or
    escalated, write the notice and queue it in the outbox for the dispatcher, in one
    transaction per duty. Returns the units told."""
    notice = NoticeKind(kind)
    told = []
    for duty, recipient, message in duties:
        async with pool.acquire() as conn, conn.transaction():
            marked = await conn.fetchval(
                _MARK[kind], duty.unit, duty.day, duty.reports_to, duty.cutoff_at, at
            )
            if marked is None:  # filed meanwhile
                continue
            await conn.execute(_NOTICE, duty.unit, duty.day, kind, recipient, message, at)
            key = duty_key(duty.unit, duty.day, notice)
            await conn.execute(QUEUE_DUTY_SQL, key, notice.recipient_role, recipient, message)
            told.append(duty.unit)
    return told


async def notices(
    pool: asyncpg.Pool, first: date, last: date, unit: str | None = None
) -> list[dict]:
    return [dict(r) for r in await pool.fetch(_NOTICES, first, last, unit)]


_SET_POLICY = """
INSERT INTO duty_policy (id, name, policy, set_at) VALUES (true, $1, $2::jsonb, $3)
ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, policy = EXCLUDED.policy,
                               set_at = EXCLUDED.set_at
"""


async def set_policy(pool: asyncpg.Pool, policy: DutyPolicy, at: datetime) -> None:
    """Put a duty policy in force."""
    await pool.execute(_SET_POLICY, policy.name, policy.model_dump(mode="json", by_alias=True), at)


async def policy_in_force(pool: asyncpg.Pool | asyncpg.Connection) -> DutyPolicy | None:
    """The duty policy in force, or None when none was set."""
    found = await pool.fetchval("SELECT policy FROM duty_policy")
    return DutyPolicy.model_validate(found) if found else None


#: The duty policy before anyone put one in force (`starter.py duties schedule`).
DEFAULT_DUTY_POLICY = Path(__file__).resolve().parent.parent / "policies" / "duties.toml"


async def policy_for(pool: asyncpg.Pool | asyncpg.Connection) -> DutyPolicy:
    """The duty policy in force, else the default file's."""
    policy = await policy_in_force(pool)
    if policy is not None:
        return policy
    text = DEFAULT_DUTY_POLICY.read_text(encoding="utf-8")
    return parse_duty_policy(text, source=str(DEFAULT_DUTY_POLICY))


async def period_figures(
    pool: asyncpg.Pool, start: datetime, end: datetime, as_of: datetime
) -> DutyFigures:
    """The report-duty figures of the local days in [start, end), as of `as_of` (a duty
    whose cut-off is still ahead is not counted yet)."""
    policy = await policy_for(pool)
    first = policy.local_day(start)
    last = policy.local_day(end - timedelta(microseconds=1))
    found = await rows(pool, first, last)
    pairs = []
    day = first
    while day <= last:
        for duty in duties_on(policy, day):
            row = found.get((duty.unit, day))
            pairs.append((duty, row.filing if row else None))
        day += timedelta(days=1)
    return figures_of(pairs, as_of).model_copy(update={"first": first, "last": last})
