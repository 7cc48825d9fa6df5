"""Department activities: who answers a whistle (`departments`), and each duty's ledger
(`department_duties`), over `ledger/duties.py`; a write the state machine forbids is refused
for good (non-retryable), since retrying cannot make it legal.
"""

from __future__ import annotations

import asyncpg
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.duty_models import DutyAck, DutyWrite, FindDepartments, FoundDepartments
from domain.whistle import Department, DutyState
from ledger import duties

log = structlog.get_logger(__name__)


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
        rows = await duties.find_departments(self._pool, codes, [request.township, request.county])
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
        try:
            state, done = await duties.record_duty(self._pool, write)
        except duties.DutyRefused as err:
            raise _refuse(str(err), write) from None
        message = {"summoned": "duty summoned", "recorded": "duty recorded"}
        self._log(message.get(done or "", "duty write already applied"), write, state)
        return DutyAck(state=state, written=done is not None)

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
