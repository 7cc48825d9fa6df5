"""The `departments` a whistle summons and each summoned department's duty
(`department_duties`), as the duty workflow's activities read and write them.

Writes are idempotent, because activities retry: a duty is keyed by (case id, whistle seq,
department) and each write by its `seq`, so a retry finds its write applied and changes
nothing; a write the state machine forbids raises `DutyRefused`, since retrying cannot make
it legal.
"""

from __future__ import annotations

import asyncpg

from domain.duty_models import DutyWrite
from domain.whistle import DutyEvent, DutyState, next_state


class DutyRefused(ValueError):
    """A duty write the ledger or the state machine refuses for good."""


_FIND = """
SELECT code, name, unit FROM departments
 WHERE active AND code = ANY($1::text[]) AND unit = ANY($2::text[])
"""

_KEY = "case_id = $1 AND whistle_seq = $2 AND department = $3"

_CURRENT = f"SELECT state, last_seq FROM department_duties WHERE {_KEY} FOR UPDATE"

_SUMMON = """
INSERT INTO department_duties (case_id, whistle_seq, department, unit, whistle_kind, state,
                               summoned_at, check_in_by, report_by, last_seq)
VALUES ($1, $2, $3, $4, $5, 'summoned', $6, $7, $8, $9)
ON CONFLICT (case_id, whistle_seq, department) DO NOTHING
"""

#: The column each event stamps with its time. A self-move (a late check-in under
#: supervision) stamps its column too; COALESCE keeps the first time if one is there.
_TIME_COLUMN = {
    DutyEvent.check_in: "checked_in_at",
    DutyEvent.report: "reported_at",
    DutyEvent.check_in_overdue: "missed_at",
    DutyEvent.report_overdue: "missed_at",
    DutyEvent.decline: "declined_at",
    DutyEvent.uphold: "ruled_at",
    DutyEvent.overrule: "ruled_at",
    DutyEvent.supervise: "supervised_at",
}

# `last_seq < $5` again, as a guard: the row is locked, but the rule should read where it acts.
_MOVE = """
UPDATE department_duties
   SET state = $4, last_seq = $5, {column} = COALESCE({column}, $6),
       findings = COALESCE($7, findings), actions = COALESCE($8, actions),
       result = COALESCE($9, result), declined_reason = COALESCE($10, declined_reason),
       ruling = COALESCE($11, ruling), updated_at = now()
 WHERE {key} AND last_seq < $5
"""


async def find_departments(
    pool: asyncpg.Pool, codes: list[str], units: list[str]
) -> list[asyncpg.Record]:
    """The active departments of `codes` serving any of `units` (code, name, unit)."""
    return await pool.fetch(_FIND, codes, units)


async def record_duty(pool: asyncpg.Pool, write: DutyWrite) -> tuple[DutyState, str | None]:
    """Apply one duty write: the duty's state after it, and what was done (`summoned`,
    `recorded`) or None for a write already applied. Raises `DutyRefused`."""
    key = (write.case_id, write.whistle_seq, write.department)
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(_CURRENT, *key)
        if row is None:
            if write.event is not DutyEvent.summon:
                raise DutyRefused(f"{write.event.value}: the department was never summoned")
            try:
                status = await conn.execute(
                    _SUMMON,
                    *key,
                    write.unit,
                    write.whistle_kind.value if write.whistle_kind else None,
                    write.at,
                    write.check_in_by,
                    write.report_by,
                    write.seq,
                )
            except asyncpg.ForeignKeyViolationError as err:
                raise DutyRefused(f"unknown case or department: {err.detail}") from None
            if status.endswith(" 1"):
                return DutyState.summoned, "summoned"
            row = await conn.fetchrow(_CURRENT, *key)  # a concurrent summons won the race
        current = DutyState(row["state"])
        if write.seq <= row["last_seq"]:
            return current, None
        try:
            state = next_state(current, write.event)
        except ValueError as err:
            raise DutyRefused(str(err)) from None
        sql = _MOVE.format(column=_TIME_COLUMN[write.event], key=_KEY)
        await conn.execute(
            sql,
            *key,
            state.value,
            write.seq,
            write.at,
            write.findings,
            write.actions,
            write.result,
            write.declined_reason,
            write.ruling,
        )
    return state, "recorded"
