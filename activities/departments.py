"""Department activities: who answers a whistle (`departments`), and each duty's ledger
(`department_duties`).

Writes are idempotent, because activities retry: a duty is keyed by (case id, whistle seq,
department) and each write by its `seq`, so a retry finds its write applied and changes
nothing; a write the state machine forbids is refused for good (non-retryable), since
retrying cannot make it legal.
"""

from __future__ import annotations

import asyncpg
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.duty_models import DutyAck, DutyWrite, FindDepartments, FoundDepartments
from domain.whistle import Department, DutyEvent, DutyState, next_state

log = structlog.get_logger(__name__)

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


def _refuse(message: str, write: DutyWrite) -> ApplicationError:
    log.warning(
        "duty write refused",
        case_id=write.case_id,
        whistle_seq=write.whistle_seq,
        department=write.department,
        # The reason may name the actor: it travels (encrypted) in the activity's error only.
    )
    return ApplicationError(message, type="DutyRefused", non_retryable=True)


class DepartmentActivities:
    """Reads `departments`, writes `department_duties`."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="departments.find")
    async def find(self, request: FindDepartments) -> FoundDepartments:
        codes = list(dict.fromkeys(request.codes))
        rows = await self._pool.fetch(_FIND, codes, [request.township, request.county])
        by_key = {(r["code"], r["unit"]): r for r in rows}
        found: list[Department] = []
        missing: list[str] = []
        for code in codes:
            # The township's own station first: it is nearer and knows the place.
            for unit, kind in ((request.township, "township"), (request.county, "county")):
                row = by_key.get((code, unit))
                if row is not None:
                    found.append(Department(code=code, name=row["name"], unit=unit, kind=kind))
                    break
            else:
                missing.append(code)
        if missing:
            log.warning("departments not found", township=request.township, missing=missing)
        return FoundDepartments(departments=found, missing=missing)

    @activity.defn(name="departments.record_duty")
    async def record_duty(self, write: DutyWrite) -> DutyAck:
        key = (write.case_id, write.whistle_seq, write.department)
        async with self._pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(_CURRENT, *key)
            if row is None:
                if write.event is not DutyEvent.summon:
                    raise _refuse(f"{write.event.value}: the department was never summoned", write)
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
                    raise _refuse(f"unknown case or department: {err.detail}", write) from None
                if status.endswith(" 1"):
                    self._log("duty summoned", write, DutyState.summoned)
                    return DutyAck(state=DutyState.summoned, written=True)
                row = await conn.fetchrow(_CURRENT, *key)  # a concurrent summons won the race
            current = DutyState(row["state"])
            if write.seq <= row["last_seq"]:
                self._log("duty write already applied", write, current)
                return DutyAck(state=current, written=False)
            try:
                state = next_state(current, write.event)
            except ValueError as err:
                raise _refuse(str(err), write) from None
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
        self._log("duty recorded", write, state)
        return DutyAck(state=state, written=True)

    @staticmethod
    def _log(message: str, write: DutyWrite, state: DutyState) -> None:
        log.info(
            message,
            case_id=write.case_id,
            whistle_seq=write.whistle_seq,
            department=write.department,
            duty_event=write.event.value,
            duty_state=state.value,
        )
