"""CaseWorkflow: one dispute's life on the ladder, grid -> village -> township -> county.

The case opens at the level its risk colour calls for, a handler is assigned from the
roster, and the level's deadline is armed as a durable timer. The handler reports through
the `report_outcome` update: `resolved` closes the case, `failed` sends it up now. When the
deadline passes first the case climbs on its own. At the county an expired deadline puts
the case under supervision (督办): it stays open and is never closed silently.

Every state change is appended to the PostgreSQL ledger, mirrored in search attributes and
in the Web UI's current details.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.ledger import LedgerActivities
    from activities.roster import RosterActivities
    from domain.case_models import (
        Actor,
        AssignRequest,
        CaseEvent,
        CaseRegistration,
        CaseResult,
        CaseSnapshot,
        CaseStart,
        CaseStatus,
        CaseView,
        LedgerWrite,
        OutcomeInput,
    )
    from domain.ladder import Level, next_level
    from domain.risk import grade
    from workflows import search_attributes as sa

# The ledger must not lose an event: retry until PostgreSQL is back, backing off to a minute.
LEDGER_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1)
)
ACTIVITY_TIMEOUT = timedelta(seconds=30)


@workflow.defn
class CaseWorkflow:
    @workflow.init
    def __init__(self, start: CaseStart) -> None:
        intake, policy = start.intake, start.policy
        self._start = start
        self._risk = grade(
            intake.risk_flags,
            intake.dispute_type,
            intake.amount_cny,
            yellow_amount=policy.yellow_amount_cny,
            red_amount=policy.red_amount_cny,
        )
        self._level: Level = policy.opens_at[self._risk]
        self._status = CaseStatus.open
        self._assignee = None
        self._due_at = None
        self._opened_at = workflow.now()
        self._closed_at = None
        self._events: list[CaseEvent] = []
        self._report: OutcomeInput | None = None

    @workflow.run
    async def run(self, start: CaseStart) -> CaseResult:
        await self._open_case()
        while self._status is not CaseStatus.resolved:
            report = await self._next_report_or_deadline()
            if report is None:
                await self._deadline_passed()
            elif report.outcome == "resolved":
                await self._resolve(report)
            else:
                await self._failed(report)
            self._report = None
        # Let an update that is still returning its answer finish before the case completes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        assert self._closed_at is not None
        return CaseResult(
            case_id=self._start.case_id,
            status=self._status,
            level=self._level,
            closed_at=self._closed_at,
        )

    # -- handlers ---------------------------------------------------------------------------

    @workflow.update
    async def report_outcome(self, report: OutcomeInput) -> CaseView:
        """A handler reports `resolved` or `failed`; returns the case as it stands after."""
        self._report = report
        await workflow.wait_condition(lambda: self._report is not report)
        return self.view()

    @report_outcome.validator
    def _check_report(self, report: OutcomeInput) -> None:
        # Raising here rejects the update: nothing enters the history or the ledger.
        if self._status is CaseStatus.resolved:
            raise ValueError(f"case {self._start.case_id} is already resolved")
        if report.level is not None and report.level is not self._level:
            raise ValueError(
                f"case {self._start.case_id} is at the {self._level.value} level now, "
                f"not {report.level.value}: the outcome was meant for an earlier stage"
            )
        if self._report is not None:
            raise ValueError("another outcome for this case is being recorded; try again")

    @workflow.query
    def view(self) -> CaseView:
        """The case as it stands, times in the policy's local time (Beijing time by default)."""
        intake, local = self._start.intake, self._start.policy.local
        return CaseView(
            case_id=self._start.case_id,
            workflow_id=workflow.info().workflow_id,
            title=intake.title,
            dispute_type=intake.dispute_type.value,
            complexity=intake.complexity.value,
            risk=self._risk,
            location=intake.location,
            status=self._status,
            level=self._level,
            assignee=self._assignee,
            due_at=local(self._due_at) if self._due_at else None,
            opened_at=local(self._opened_at),
            closed_at=local(self._closed_at) if self._closed_at else None,
            policy=self._start.policy.name,
            events=[e.model_copy(update={"at": local(e.at)}) for e in self._events],
        )

    # -- the steps of the story -------------------------------------------------------------

    async def _open_case(self) -> None:
        intake = self._start.intake
        await workflow.execute_activity_method(
            LedgerActivities.register_case,
            CaseRegistration(
                case_id=self._start.case_id,
                workflow_id=workflow.info().workflow_id,
                intake=intake,
                risk=self._risk,
                level=self._level,
                policy_name=self._start.policy.name,
                opened_at=self._opened_at,
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=LEDGER_RETRY,
        )
        await self._record(
            "opened",
            f"case opened at the {self._level.value} level, risk {self._risk.value}, "
            f"policy {self._start.policy.name}",
            data={"risk": self._risk.value, "reported_by": intake.reported_by.model_dump()},
        )
        await self._arrive_at(self._level, why="opened")

    async def _next_report_or_deadline(self) -> OutcomeInput | None:
        """Wait for the handler's report; None when the level's deadline passes first."""
        if self._due_at is None:  # under supervision: no deadline left, wait for the report
            await workflow.wait_condition(lambda: self._report is not None)
            return self._report
        remaining = max(self._due_at - workflow.now(), timedelta(0))
        try:
            await workflow.wait_condition(
                lambda: self._report is not None,
                timeout=remaining,
                timeout_summary=f"{self._level.value} deadline",
            )
        except TimeoutError:
            return None
        return self._report

    async def _deadline_passed(self) -> None:
        await self._record(
            "deadline_passed",
            f"the {self._level.value} level's deadline passed without an outcome",
            data={"due_at": self._due_at.isoformat() if self._due_at else None},
        )
        await self._climb_or_supervise(why="deadline passed")

    async def _failed(self, report: OutcomeInput) -> None:
        await self._record(
            "failed",
            f"{report.actor.name} could not resolve it at the {self._level.value} level: "
            f"{report.reason}",
            actor=report.actor,
            data={"reason": report.reason},
        )
        await self._climb_or_supervise(why=f"failed: {report.reason}")

    async def _resolve(self, report: OutcomeInput) -> None:
        self._status = CaseStatus.resolved
        self._due_at = None
        self._closed_at = workflow.now()
        await self._record(
            "resolved",
            f"resolved at the {self._level.value} level by {report.actor.name}",
            actor=report.actor,
            data={"agreement": report.agreement, "note": report.reason},
        )

    async def _climb_or_supervise(self, *, why: str) -> None:
        upper = next_level(self._level)
        if upper is not None:
            await self._arrive_at(upper, why=why)
            return
        # The top of the ladder: the county supervises (督办) until someone resolves it.
        self._status = CaseStatus.supervised
        self._due_at = None
        await self._record(
            "supervised",
            f"under county supervision (督办) after the county level {why}; "
            "the case stays open until it is resolved",
        )

    async def _arrive_at(self, level: Level, *, why: str) -> None:
        escalated = level is not self._level
        self._level = level
        assignment = await workflow.execute_activity_method(
            RosterActivities.assign_handler,
            AssignRequest(
                case_id=self._start.case_id, level=level, location=self._start.intake.location
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=LEDGER_RETRY,
        )
        self._assignee = assignment.assignee
        self._due_at = self._start.policy.due_at(
            workflow.now(), self._start.intake.complexity, level
        )
        who = (
            f"{self._assignee.name} ({self._assignee.unit})"
            if self._assignee
            else "nobody: no handler on the roster for this unit"
        )
        due = self._start.policy.local(self._due_at).isoformat(timespec="minutes")
        await self._record(
            "escalated" if escalated else "assigned",
            f"{'escalated to' if escalated else 'at'} the {level.value} level ({why}); "
            f"assigned to {who}; due {due}",
            data={"why": why, "assignee": self._assignee.model_dump() if self._assignee else None},
        )

    # -- bookkeeping ------------------------------------------------------------------------

    async def _record(
        self,
        kind: str,
        summary: str,
        *,
        actor: Actor | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        """Append an event: to the history, the ledger, search attributes and the UI."""
        event = CaseEvent(
            seq=len(self._events) + 1,
            at=workflow.now(),
            kind=kind,
            level=self._level,
            summary=summary,
            actor=actor,
            data=data or {},
        )
        self._events.append(event)
        workflow.logger.info(summary, extra={"kind": kind, "case_level": self._level.value})
        self._publish()
        await workflow.execute_activity_method(
            LedgerActivities.append_event,
            LedgerWrite(
                event=event,
                snapshot=CaseSnapshot(
                    case_id=self._start.case_id,
                    status=self._status,
                    level=self._level,
                    assignee=self._assignee,
                    due_at=self._due_at,
                    closed_at=self._closed_at,
                    last_seq=event.seq,
                ),
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=LEDGER_RETRY,
            summary=f"ledger: {kind}",
        )

    def _publish(self) -> None:
        """Keep search attributes and the UI's current details in step with the case."""
        loc = self._start.intake.location
        workflow.upsert_search_attributes(
            [
                sa.CASE_LEVEL.value_set(self._level.value),
                sa.CASE_STATUS.value_set(self._status.value),
                sa.RISK_COLOUR.value_set(self._risk.value),
                sa.DISPUTE_TYPE.value_set(self._start.intake.dispute_type.value),
                sa.COMPLEXITY.value_set(self._start.intake.complexity.value),
                sa.TOWNSHIP.value_set(loc.township),
                sa.VILLAGE.value_set(loc.village),
                sa.GRID.value_set(loc.grid),
                sa.CASE_DUE_AT.value_set(self._due_at)
                if self._due_at
                else sa.CASE_DUE_AT.value_unset(),
            ]
        )
        workflow.set_current_details(self._details_markdown())

    def _details_markdown(self) -> str:
        policy = self._start.policy
        due = policy.local(self._due_at).strftime("%Y-%m-%d %H:%M") if self._due_at else "—"
        who = f"{self._assignee.name}, {self._assignee.unit}" if self._assignee else "unassigned"
        lines = [
            f"**{self._status.value.upper()}** at **{self._level.value}**"
            f" · risk {self._risk.value}",
            f"- handler: {who}",
            f"- due: {due} (UTC+{policy.utc_offset_hours})",
            "",
            "**History** (latest last)",
        ]
        for e in self._events[-10:]:
            when = policy.local(e.at).strftime("%m-%d %H:%M")
            lines.append(f"{e.seq}. {when} · {e.level.value} · {e.summary}")
        return "\n".join(lines)
