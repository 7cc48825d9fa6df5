"""Ledger activities: a case's steps in PostgreSQL.

One activity per workflow step: the registration (on the opening step), the step's events,
their notifications (the `outbox`) and the case's new state go in one transaction. Every
write is idempotent on a business key, because activities retry: a case row is keyed by its
case id, an event by (case id, seq), a notification by (case id, seq, recipient), and the
snapshot only moves forward in `seq`.
"""

from __future__ import annotations

import asyncpg
import structlog
from temporalio import activity

from activities.outbox import QUEUE_SQL, outbox_rows
from domain.case_models import CaseRegistration, CaseSnapshot, LedgerAck, StepWrite

log = structlog.get_logger(__name__)

_REGISTER = """
INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title, county,
                   township, village, grid, reported_at, opened_at, policy_name, intake, level)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
ON CONFLICT (case_id) DO NOTHING
"""

_APPEND_EVENT = """
INSERT INTO case_events (case_id, seq, at, kind, level, summary, actor, data)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
ON CONFLICT (case_id, seq) DO NOTHING
"""

# `last_seq < $7` keeps a late retry of an older step from rolling the state back.
_SNAPSHOT = """
UPDATE cases
   SET status = $2, level = $3, assignee = $4, due_at = $5, closed_at = $6,
       last_seq = $7, risk = COALESCE($8, risk), township = COALESCE($9, township),
       village = COALESCE($10, village), grid = COALESCE($11, grid), updated_at = now()
 WHERE case_id = $1 AND last_seq < $7
"""


def _registration_row(case: CaseRegistration) -> tuple:
    intake, loc = case.intake, case.intake.location
    return (
        case.case_id, case.workflow_id, intake.dispute_type.value, intake.complexity.value,
        case.risk.value, intake.title, loc.county, loc.township, loc.village, loc.grid,
        intake.reported_at, case.opened_at, case.policy_name, intake.model_dump(mode="json"),
        case.level.value,
    )  # fmt: skip


def _snapshot_row(snap: CaseSnapshot) -> tuple:
    loc = snap.location
    return (
        snap.case_id, snap.status.value, snap.level.value,
        snap.assignee.model_dump(mode="json") if snap.assignee else None,
        snap.due_at, snap.closed_at, snap.last_seq,
        snap.risk.value if snap.risk else None,
        loc.township if loc else None, loc.village if loc else None, loc.grid if loc else None,
    )  # fmt: skip


class LedgerActivities:
    """Writes to the `cases`, `case_events` and `outbox` tables."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="ledger.write_step")
    async def write_step(self, step: StepWrite) -> LedgerAck:
        """One step of a case, in one transaction."""
        events = [
            (
                step.case_id, e.seq, e.at, e.kind, e.level.value, e.summary,
                e.actor.model_dump(mode="json") if e.actor else None, e.data,
            )
            for e in step.events
        ]  # fmt: skip
        async with self._pool.acquire() as conn, conn.transaction():
            registered = None
            if step.registration is not None:
                registered = await conn.execute(_REGISTER, *_registration_row(step.registration))
            # Each status is "INSERT 0 1" for a new row and "INSERT 0 0" for one a retry
            # already wrote: the step's first event (or its registration) tells if it is new.
            appended = [await conn.execute(_APPEND_EVENT, *row) for row in events]
            if step.notifications:
                await conn.executemany(QUEUE_SQL, outbox_rows(step.notifications))
            if step.snapshot is not None:
                await conn.execute(_SNAPSHOT, *_snapshot_row(step.snapshot))
        first = appended[0] if appended else registered
        new = first is not None and first.endswith(" 1")
        for e in step.events:
            log.info(
                "event recorded" if new else "event already recorded",
                case_id=step.case_id,
                seq=e.seq,
                kind=e.kind,
                case_level=e.level.value,
            )
        for note in step.notifications:
            for r in note.recipients:
                log.info(
                    "notification queued",
                    case_id=note.case_id,
                    seq=note.seq,
                    to_role=r.role,
                    to_unit=r.unit,
                    to_name=r.name,
                    message=note.message,
                )
        return LedgerAck(written=new)
