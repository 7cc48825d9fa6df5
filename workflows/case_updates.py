"""The updates of CaseWorkflow: what people do to a case, each checked by a validator.

A mixin of `workflows/case.py`. A validator refuses, with the reason, an action the actor may
not take or the case cannot take now; nothing of a refused action is recorded. An accepted
action waits in a queue until the main loop applies it, and is checked again then, since the
case may have moved on in between.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain import authority
    from domain.actions import (
        EscalateInput,
        ExtendInput,
        OutcomeInput,
        PauseInput,
        RefuseInput,
        RegradeInput,
        ResumeInput,
        TransferAnswer,
        TransferInput,
        VisitInput,
        WithdrawInput,
    )
    from domain.case_models import ON_THE_LADDER, CaseStatus, CaseView
    from domain.ladder import next_level
    from workflows.case_whistle import WhistleSteps


@dataclass
class PendingAction:
    """An accepted update waiting for the main loop to apply it."""

    kind: str
    action: BaseModel
    done: bool = False
    error: str | None = None
    check: Callable[[], None] = field(default=lambda: None)


class CaseUpdates(WhistleSteps):
    _queue: list[PendingAction]

    def _holder(self) -> authority.Holder:
        f, intake = self._file, self._start.intake
        return authority.Holder(
            case_id=f.case_id,
            level=f.level,
            units=f.units,
            parties=tuple((p.name, p.role.value) for p in intake.parties),
            transfer_to=f.transfer.to_unit if f.transfer else None,
        )

    def _require(self, allowed: frozenset[CaseStatus] | set[CaseStatus], what: str) -> None:
        if self._file.status not in allowed:
            raise ValueError(
                f"case {self._file.case_id} is {self._file.status.value}: cannot {what} now"
            )

    async def _submit(self, kind: str, action: BaseModel, check: Callable[[], None]) -> CaseView:
        item = PendingAction(kind, action, check=check)
        self._queue.append(item)
        await workflow.wait_condition(lambda: item.done)
        if item.error:
            raise ApplicationError(item.error, type="ActionRefused", non_retryable=True)
        return self._view()

    def _check_outcome(self, a: OutcomeInput) -> None:
        self._require(ON_THE_LADDER, "record an outcome")
        if a.level is not None and a.level is not self._file.level:
            raise ValueError(
                f"case {self._file.case_id} is at the {self._file.level.value} level now, not "
                f"{a.level.value}: the outcome was meant for an earlier stage"
            )
        authority.check_responsible(a.actor, self._holder())

    @workflow.update
    async def report_outcome(self, a: OutcomeInput) -> CaseView:
        """A handler reports `resolved` or `failed`; returns the case as it stands after."""
        return await self._submit("outcome", a, lambda: self._check_outcome(a))

    @report_outcome.validator
    def _v_outcome(self, a: OutcomeInput) -> None:
        self._check_outcome(a)

    def _check_pause(self, a: PauseInput) -> None:
        self._require({CaseStatus.open}, "pause the clock")
        authority.check_responsible(a.actor, self._holder())

    @workflow.update
    async def pause(self, a: PauseInput) -> CaseView:
        return await self._submit("pause", a, lambda: self._check_pause(a))

    @pause.validator
    def _v_pause(self, a: PauseInput) -> None:
        self._check_pause(a)

    def _check_resume(self, a: ResumeInput) -> None:
        self._require({CaseStatus.paused}, "resume the clock")
        authority.check_responsible(a.actor, self._holder())

    @workflow.update
    async def resume(self, a: ResumeInput) -> CaseView:
        return await self._submit("resume", a, lambda: self._check_resume(a))

    @resume.validator
    def _v_resume(self, a: ResumeInput) -> None:
        self._check_resume(a)

    def _check_extend(self, a: ExtendInput) -> None:
        self._require({CaseStatus.open}, "extend the deadline")
        authority.check_supervisor_above(a.actor, self._holder())
        if (refusal := self._extension_refusal(a)) is not None:
            raise ValueError(refusal)

    @workflow.update
    async def extend(self, a: ExtendInput) -> CaseView:
        return await self._submit("extend", a, lambda: self._check_extend(a))

    @extend.validator
    def _v_extend(self, a: ExtendInput) -> None:
        self._check_extend(a)

    def _check_escalate(self, a: EscalateInput) -> None:
        self._require(ON_THE_LADDER, "go up a level")
        authority.check_party(a.actor, self._holder(), roles=frozenset({"applicant"}))
        if next_level(self._file.level) is None:
            raise ValueError(f"case {self._file.case_id} is at the county: there is no level above")

    @workflow.update
    async def request_escalation(self, a: EscalateInput) -> CaseView:
        """The applicant asks for the case to go up a level."""
        return await self._submit("escalate", a, lambda: self._check_escalate(a))

    @request_escalation.validator
    def _v_escalate(self, a: EscalateInput) -> None:
        self._check_escalate(a)

    def _check_pull_up(self, a: EscalateInput) -> None:
        self._require(ON_THE_LADDER, "pull the case up")
        authority.pull_up_level(a.actor, self._holder(), a.to_level)

    @workflow.update
    async def pull_up(self, a: EscalateInput) -> CaseView:
        """A supervisor above pulls the case up to their level (or `to_level`)."""
        return await self._submit("pull_up", a, lambda: self._check_pull_up(a))

    @pull_up.validator
    def _v_pull_up(self, a: EscalateInput) -> None:
        self._check_pull_up(a)

    def _check_regrade(self, a: RegradeInput) -> None:
        self._require(ON_THE_LADDER, "re-grade the risk")
        authority.check_responsible(a.actor, self._holder())

    @workflow.update
    async def regrade(self, a: RegradeInput) -> CaseView:
        return await self._submit("regrade", a, lambda: self._check_regrade(a))

    @regrade.validator
    def _v_regrade(self, a: RegradeInput) -> None:
        self._check_regrade(a)

    def _check_transfer(self, a: TransferInput) -> None:
        self._require({CaseStatus.open, CaseStatus.paused}, "transfer it")
        authority.check_responsible(a.actor, self._holder())
        if self._file.transfer is not None:
            raise ValueError(f"a transfer to {self._file.transfer.to_unit} is already waiting")
        if a.to_unit == self._file.units[self._file.level]:
            raise ValueError(f"case {self._file.case_id} is already with {a.to_unit}")

    @workflow.update
    async def transfer(self, a: TransferInput) -> CaseView:
        return await self._submit("transfer", a, lambda: self._check_transfer(a))

    @transfer.validator
    def _v_transfer(self, a: TransferInput) -> None:
        self._check_transfer(a)

    def _check_answer(self, a: TransferAnswer) -> None:
        authority.check_transfer_receiver(a.actor, self._holder())

    @workflow.update
    async def answer_transfer(self, a: TransferAnswer) -> CaseView:
        """The receiving unit accepts the case, or objects with a reason."""
        return await self._submit("answer_transfer", a, lambda: self._check_answer(a))

    @answer_transfer.validator
    def _v_answer(self, a: TransferAnswer) -> None:
        self._check_answer(a)

    def _check_withdraw(self, a: WithdrawInput) -> None:
        self._require(ON_THE_LADDER, "withdraw it")
        authority.check_party(a.actor, self._holder(), roles=frozenset({"applicant"}))

    @workflow.update
    async def withdraw(self, a: WithdrawInput) -> CaseView:
        return await self._submit("withdraw", a, lambda: self._check_withdraw(a))

    @withdraw.validator
    def _v_withdraw(self, a: WithdrawInput) -> None:
        self._check_withdraw(a)

    def _check_refuse(self, a: RefuseInput) -> None:
        self._require(ON_THE_LADDER, "refuse mediation")
        authority.check_party(a.actor, self._holder())

    @workflow.update
    async def refuse(self, a: RefuseInput) -> CaseView:
        """A party refuses mediation (People's Mediation Law Art. 17)."""
        return await self._submit("refuse", a, lambda: self._check_refuse(a))

    @refuse.validator
    def _v_refuse(self, a: RefuseInput) -> None:
        self._check_refuse(a)

    def _check_visit(self, a: VisitInput) -> None:
        self._require({CaseStatus.resolved}, "record a return visit")
        authority.check_visitor(a.actor, self._holder())
        if not any(v.visit == a.visit for v in self._pending_visits()):
            raise ValueError(f"case {self._file.case_id} has no {a.visit} visit waiting")

    @workflow.update
    async def record_visit(self, a: VisitInput) -> CaseView:
        """The result of a return visit (回访)."""
        return await self._submit("visit", a, lambda: self._check_visit(a))

    @record_visit.validator
    def _v_visit(self, a: VisitInput) -> None:
        self._check_visit(a)
