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
        # One line a step, not one per event and recipient: the ledger holds the events, and
        # a line per event was a tenth of the worker's CPU at a case's first step
        # (bench/README.md, the profile of first steps).
        if not step.events and not step.notifications:
            return
        log.info(
            "step recorded" if new else "step already recorded",
            case_id=step.case_id,
            seqs=[e.seq for e in step.events],
            kinds=[e.kind for e in step.events],
            case_level=step.events[-1].level.value if step.events else None,
            # Whom the notifications go to, by role and unit; their names and the message
            # (which may name parties) stay in the outbox: no personal data in the log.
            notified=[f"{r.role}@{r.unit}" for n in step.notifications for r in n.recipients],
        )
