"""DutyRoundWorkflow: one day's round of report duties (零报告), started by its schedule.

The schedule starts it at the policy's cut-off. It reminds every unit that owes a report
and has not filed, waits `escalate_after`, then tells the unit each still-missing one reports
to and records the miss (督办). Filing itself is not a workflow step: the API and the command
line write the report to the ledger, and the round reads it.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.report_duties import DutyActivities
    from domain.report_duties import (
        DutyRoundInput,
        DutyRoundResult,
        NoticeKind,
        NoticeRequest,
        duties_on,
    )

NOTICE_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=1)
)
NOTICE_TIMEOUT = timedelta(minutes=2)


@workflow.defn
class DutyRoundWorkflow:
    @workflow.run
    async def run(self, request: DutyRoundInput) -> DutyRoundResult:
        policy = request.policy
        day = request.day or policy.local_day(workflow.now())
        owed = duties_on(policy, day)
        if not owed:
            return DutyRoundResult(day=day, owed=0, reminded=[], escalated=[])
        cutoff_at, escalate_at = owed[0].cutoff_at, owed[0].escalate_at
        await self._until(cutoff_at)
        reminded = await self._notify(request, day, NoticeKind.reminder)
        await self._until(escalate_at)
        escalated = await self._notify(request, day, NoticeKind.escalation)
        return DutyRoundResult(
            day=day, owed=len(owed), reminded=reminded.units, escalated=escalated.units
        )

    async def _until(self, at) -> None:
        wait = at - workflow.now()
        if wait > timedelta(0):
            await workflow.sleep(wait, summary=f"until {at.isoformat()}")

    async def _notify(self, request: DutyRoundInput, day, kind: NoticeKind):
        return await workflow.execute_activity_method(
            DutyActivities.notify,
            NoticeRequest(policy=request.policy, day=day, kind=kind, at=workflow.now()),
            start_to_close_timeout=NOTICE_TIMEOUT,
            retry_policy=NOTICE_RETRY,
            summary=f"{kind.value} {day.isoformat()}",
        )
