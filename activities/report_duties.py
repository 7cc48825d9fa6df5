"""Duty round activities: remind the units that have not filed, then tell the level above.

Each unfiled duty is marked and its notice written in one transaction, keyed by (unit, day,
kind): a retried activity finds its notices written and adds none. A unit that filed in the
meantime is skipped (the mark's condition is "not filed").
"""

from __future__ import annotations

import asyncpg
import structlog
from temporalio import activity

from domain.report_duties import Duty, NoticeKind, NoticeRequest, NoticeResult, duties_on
from ledger import report_duties as ledger
from texts import process_texts

log = structlog.get_logger(__name__)


def notice_text(duty: Duty, kind: NoticeKind) -> tuple[str, str]:
    """(recipient unit, message) of a duty's reminder or escalation."""
    _ = process_texts("report")
    cutoff = duty.cutoff_at.strftime("%H:%M")
    if kind is NoticeKind.reminder:
        message = _("{unit}: your report for {day} was due at {cutoff}; file it now (zero if "
                    "there is nothing to report).")  # fmt: skip
        return duty.unit, message.format(unit=duty.unit, day=duty.day.isoformat(), cutoff=cutoff)
    message = _("{unit} has not filed its report for {day} (due {cutoff}): recorded as missed, "
                "for your supervision.")  # fmt: skip
    return duty.reports_to, message.format(unit=duty.unit, day=duty.day.isoformat(), cutoff=cutoff)


class DutyActivities:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @activity.defn(name="duty_notify")
    async def notify(self, request: NoticeRequest) -> NoticeResult:
        owed = duties_on(request.policy, request.day)
        filed = await ledger.rows(self.pool, request.day, request.day)
        unfiled = [
            d for d in owed if (row := filed.get((d.unit, d.day))) is None or row.filing is None
        ]
        told = await ledger.notify_unfiled(
            self.pool,
            [(d, *notice_text(d, request.kind)) for d in unfiled],
            request.kind.value,
            request.at,
        )
        log.info(
            "duty notices", kind=request.kind.value, day=request.day.isoformat(), units=len(told)
        )
        return NoticeResult(units=told)
