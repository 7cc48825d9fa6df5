"""Ledger activities: the case and its events in PostgreSQL.

Every write is idempotent on a business key, because activities retry: a case row is keyed
by its case id, an event by (case id, seq), and a snapshot only moves forward in `seq`.
"""

from __future__ import annotations

import asyncpg
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from domain.case_models import CaseRegistration, LedgerAck, LedgerWrite

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

# `last_seq < $8` keeps a late retry of an older event from rolling the state back.
_SNAPSHOT = """
UPDATE cases
   SET status = $2, level = $3, assignee = $4, due_at = $5, closed_at = $6,
       last_seq = $7, risk = COALESCE($8, risk), township = COALESCE($9, township),
       village = COALESCE($10, village), grid = COALESCE($11, grid), updated_at = now()
 WHERE case_id = $1 AND last_seq < $7
"""


class LedgerActivities:
    """Writes to the `cases` and `case_events` tables."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="ledger.register_case")
    async def register_case(self, case: CaseRegistration) -> LedgerAck:
        intake = case.intake
        loc = intake.location
        # PostgreSQL refusing the data (a NUL, a bad surrogate, a value out of range) fails the
        # same way on every retry: the case must not sit retrying unseen. Non-retryable, so the
        # workflow fails visibly, with an error line in the log naming the case (an alert).
        # Connection trouble is not caught: it retries, as it may pass.
        try:
            async with self._pool.acquire() as conn:
                status = await conn.execute(
                    _REGISTER,
                    case.case_id,
                    case.workflow_id,
                    intake.dispute_type.value,
                    intake.complexity.value,
                    case.risk.value,
                    intake.title,
                    loc.county,
                    loc.township,
                    loc.village,
                    loc.grid,
                    intake.reported_at,
                    case.opened_at,
                    case.policy_name,
                    intake.model_dump(mode="json"),
                    case.level.value,
                )
        except (
            asyncpg.DataError,
            asyncpg.IntegrityConstraintViolationError,
            UnicodeEncodeError,
            ValueError,  # asyncpg's client-side DataError: a value it cannot encode
        ) as err:
            log.error(
                "case cannot be registered: the database refuses its data",
                case_id=case.case_id,
                error=f"{type(err).__name__}: {err}",
                alert=True,
            )
            raise ApplicationError(
                f"case {case.case_id} cannot be registered: the database refuses its data "
                f"({type(err).__name__}: {err})",
                type="UnstorableCase",
                non_retryable=True,
            ) from err
        written = status.endswith(" 1")
        log.info("case registered" if written else "case already registered", case_id=case.case_id)
        return LedgerAck(written=written)

    @activity.defn(name="ledger.append_event")
    async def append_event(self, write: LedgerWrite) -> LedgerAck:
        event, snap = write.event, write.snapshot
        async with self._pool.acquire() as conn, conn.transaction():
            status = await conn.execute(
                _APPEND_EVENT,
                snap.case_id,
                event.seq,
                event.at,
                event.kind,
                event.level.value,
                event.summary,
                event.actor.model_dump(mode="json") if event.actor else None,
                event.data,
            )
            await conn.execute(
                _SNAPSHOT,
                snap.case_id,
                snap.status.value,
                snap.level.value,
                snap.assignee.model_dump(mode="json") if snap.assignee else None,
                snap.due_at,
                snap.closed_at,
                snap.last_seq,
                snap.risk.value if snap.risk else None,
                snap.location.township if snap.location else None,
                snap.location.village if snap.location else None,
                snap.location.grid if snap.location else None,
            )
        written = status.endswith(" 1")
        log.info(
            "event recorded" if written else "event already recorded",
            case_id=snap.case_id,
            seq=event.seq,
            kind=event.kind,
            case_level=event.level.value,
        )
        return LedgerAck(written=written)
