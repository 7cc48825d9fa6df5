"""CaseWorkflow: one dispute's life, from intake up the ladder to its last return visit.

The case opens at the level its risk colour calls for, gets a handler from the roster and a
deadline from the policy (hours, calendar days or working days on China's calendar). Yellow
and red warnings come before the deadline; a deadline that passes sends the case up a level;
at the county it is put under supervision (督办), never closed silently. People act through
updates — outcome, pause and resume, extension, escalation, pull-up, re-grade, transfer,
withdrawal, refusal, return visits — each checked by a validator that says why it refuses,
and applied one at a time by the main loop, so the case's story has one order. A resolved
case gets its return visits (回访); a bad one within the window reopens it. A long case
continues as new, carrying its whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.ledger import LedgerActivities
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
    from domain.case_models import (
        FINISHED,
        ON_THE_LADDER,
        CaseFile,
        CaseRegistration,
        CaseResult,
        CaseStart,
        CaseStatus,
        CaseView,
    )
    from domain.ladder import Level, next_level
    from domain.risk import RiskColour, grade
    from workflows.case_record import ACTIVITY_TIMEOUT, DB_RETRY
    from workflows.case_turns import CaseTurns


@dataclass
class _Pending:
    """An accepted update waiting for the main loop to apply it."""

    kind: str
    action: BaseModel
    done: bool = False
    error: str | None = None
    check: Callable[[], None] = field(default=lambda: None)


@workflow.defn
class CaseWorkflow(CaseTurns):
    @workflow.init
    def __init__(self, start: CaseStart) -> None:
        self._start = start
        self._file = start.file or self._new_file(start)
        self._queue: list[_Pending] = []

    @workflow.run
    async def run(self, start: CaseStart) -> CaseResult:
        if start.file is None:
            await self._open_case()
        else:
            self._publish()
        while self._file.status not in FINISHED:
            if self._queue:
                await self._apply(self._queue.pop(0))
            elif self._time_to_continue_as_new():
                self._continue_as_new()
            elif not await self._wait_for_action_or_clock():
                await self._on_clock()
        # Let updates still returning their answer finish before the case completes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        f = self._file
        assert f.closed_at is not None
        return CaseResult(case_id=f.case_id, status=f.status, level=f.level, closed_at=f.closed_at)

    # -- the story's steps -------------------------------------------------------------------

    @staticmethod
    def _new_file(start: CaseStart) -> CaseFile:
        intake, policy, now = start.intake, start.policy, workflow.now()
        risk = grade(
            intake.risk_flags,
            intake.dispute_type,
            intake.amount_cny,
            yellow_amount=policy.yellow_amount_cny,
            red_amount=policy.red_amount_cny,
        )
        loc = intake.location
        return CaseFile(
            case_id=start.case_id,
            risk=risk,
            risk_flags=list(intake.risk_flags),
            units={
                Level.grid: loc.grid,
                Level.village: loc.village,
                Level.township: loc.township,
                Level.county: loc.county,
            },
            level=policy.opens_at[risk],
            opened_at=now,
            level_started_at=now,
        )

    async def _open_case(self) -> None:
        f, intake = self._file, self._start.intake
        await workflow.execute_activity_method(
            LedgerActivities.register_case,
            CaseRegistration(
                case_id=f.case_id,
                workflow_id=workflow.info().workflow_id,
                intake=intake,
                risk=f.risk,
                level=f.level,
                policy_name=self._start.policy.name,
                opened_at=f.opened_at,
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=DB_RETRY,
        )
        red = f.risk is RiskColour.red
        await self._record(
            "opened",
            f"case opened at the {f.level.value} level, risk {f.risk.value}, policy "
            f"{self._start.policy.name}"
            + ("; reported to the county at once (重大事项直报)" if red else ""),
            data={"risk": f.risk.value, "reported_by": intake.reported_by.model_dump()},
            notify=[self._county()] if red else None,
        )
        await self._arrive_at(f.level, why="opened")

    async def _wait_for_action_or_clock(self) -> bool:
        """True when an action arrived (or it is time to continue as new); False when a clock
        (deadline, warning, transfer window, visit) is due."""

        def woken() -> bool:
            return bool(self._queue) or self._time_to_continue_as_new()

        wakeups = self._ladder_wakeups() + self._visit_wakeups()
        if not wakeups:
            await workflow.wait_condition(woken)
            return True
        wake = min(wakeups)
        try:
            await workflow.wait_condition(
                woken,
                timeout=max(wake - workflow.now(), timedelta(0)),
                timeout_summary=self._clock_label(wake),
            )
        except TimeoutError:
            return False
        return True

    def _clock_label(self, wake: datetime) -> str:
        f = self._file
        if f.due_at == wake:
            return f"{f.level.value} deadline"
        if f.transfer and f.transfer.answer_by == wake:
            return "transfer objection window"
        return "warning" if f.status is CaseStatus.open else "return visit"

    async def _on_clock(self) -> None:
        now = workflow.now()
        if not await self._ladder_clock(now):
            await self._visit_clock(now)

    async def _apply(self, item: _Pending) -> None:
        """Apply one accepted update, checking it again: the case may have moved since."""
        try:
            item.check()
        except ValueError as err:
            item.error, item.done = str(err), True
            return
        a = item.action
        match item.kind:
            case "outcome":
                assert isinstance(a, OutcomeInput)
                await (
                    self._resolve(a)
                    if a.outcome == "resolved"
                    else self._failed(a.actor, a.reason or "")
                )
            case "escalate":
                assert isinstance(a, EscalateInput)
                upper = next_level(self._file.level)
                assert upper is not None
                await self._arrive_at(
                    upper,
                    why=f"the applicant asked: {a.reason}",
                    trigger="applicant_request",
                    actor=a.actor,
                )
            case "pull_up":
                assert isinstance(a, EscalateInput)
                target = authority.pull_up_level(a.actor, self._holder(), a.to_level)
                await self._arrive_at(
                    target,
                    why=f"pulled up by {a.actor.name}: {a.reason}",
                    trigger="pull_up",
                    actor=a.actor,
                )
            case _:
                step = {
                    "pause": self._pause,
                    "resume": self._resume,
                    "extend": self._extend,
                    "regrade": self._regrade,
                    "transfer": self._transfer,
                    "answer_transfer": self._answer_transfer,
                    "withdraw": self._withdraw,
                    "refuse": self._refuse,
                    "visit": self._record_visit,
                }[item.kind]
                await step(a)
        item.done = True

    # -- continue-as-new ---------------------------------------------------------------------

    def _time_to_continue_as_new(self) -> bool:
        """A long history, and nobody waiting on this run for an answer."""
        info = workflow.info()
        long = (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self._start.history_limit
        )
        return long and not self._queue and workflow.all_handlers_finished()

    def _continue_as_new(self) -> None:
        self._file.runs += 1
        workflow.continue_as_new(self._start.model_copy(update={"file": self._file}))

    # -- updates: each validated here, applied in order by the main loop ----------------------

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
        item = _Pending(kind, action, check=check)
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

    @workflow.query
    def view(self) -> CaseView:
        """The case as it stands: level, clock, warnings, transfer, visits, every event."""
        return self._view()
