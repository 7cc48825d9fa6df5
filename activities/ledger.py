"""Ledger activities: a case's steps in PostgreSQL (`ledger/steps.py`).

One activity per workflow step: the registration (on the opening step), the step's events,
their notifications and the case's new state go in one transaction, idempotent on their
business keys, because activities retry.
"""

from __future__ import annotations

import asyncpg
import structlog
from temporalio import activity
from temporalio.exceptions import ApplicationError

from ledger import steps
from ledger.rows import LedgerAck, StepWrite

log = structlog.get_logger(__name__)


class LedgerActivities:
    """Writes to the `cases`, `case_events` and `outbox` tables."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="ledger.write_step")
    async def write_step(self, step: StepWrite) -> LedgerAck:
        """One step of a case, in one transaction: handlers picked, events, notifications,
        the case's state; returns the handlers picked."""
        # PostgreSQL refusing the data (a NUL, a bad surrogate, a value out of range) fails the
        # same way on every retry: the case must not sit retrying unseen. Non-retryable, so the
        # workflow fails visibly, with an error line in the log naming the case (an alert).
        # Connection trouble is not caught: it retries, as it may pass.
        try:
            step, new, picked = await steps.write_step(self._pool, step)
        except steps.UNSTORABLE as err:
            what = "registered" if step.registration is not None else "recorded"
            log.error(
                f"case cannot be {what}: the database refuses its data",
                case_id=step.case_id,
                error=f"{type(err).__name__}: {err}",
                alert=True,
            )
            raise ApplicationError(
                f"case {step.case_id} cannot be {what}: the database refuses its data "
                f"({type(err).__name__}: {err})",
                type="UnstorableCase",
                non_retryable=True,
            ) from err
        self._log(step, new)
        return LedgerAck(written=new, assigned=picked)

    @staticmethod
    def _log(step: StepWrite, new: bool) -> None:
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
                    # The recipient's name and the message (which may name parties) stay in
                    # the outbox: no personal data in the log.
                    named=r.name is not None,
                )
