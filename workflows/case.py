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

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.ledger import LedgerActivities
    from domain import authority
    from domain.actions import (
        EscalateInput,
        OutcomeInput,
    )
    from domain.case_models import (
        FINISHED,
        CaseFile,
        CaseRegistration,
        CaseResult,
        CaseStart,
        CaseStatus,
        CaseView,
    )
    from domain.ladder import Level, next_level
    from domain.risk import RiskColour
    from workflows.case_mediation_updates import MediationUpdates
    from workflows.case_record import ACTIVITY_TIMEOUT, DB_RETRY
    from workflows.case_updates import PendingAction


@workflow.defn
class CaseWorkflow(MediationUpdates):
    @workflow.init
    def __init__(self, start: CaseStart) -> None:
        self._start = start
        self._file = start.file or self._new_file(start)
        self._queue: list[PendingAction] = []

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
        risk = policy.risk_of(intake.risk_flags, intake.dispute_type, intake.amount_cny)
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
        if workflow.patched("mediation-tracks"):
            await self._route_at_intake()
        await self._arrive_at(f.level, why="opened")

    async def _wait_for_action_or_clock(self) -> bool:
        """True when an action arrived (or it is time to continue as new); False when a clock
        (deadline, warning, transfer window, visit) is due."""

        def woken() -> bool:
            return bool(self._queue) or self._time_to_continue_as_new()

        wakeups = (
            self._ladder_wakeups()
            + self._visit_wakeups()
            + self._track_wakeups()
            + self._confirmation_wakeups()
        )
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
        if f.mediation and f.mediation.due_at == wake:
            return f"{f.mediation.track} time limit"
        if f.confirmation and wake in (f.confirmation.apply_by, f.confirmation.remind_at):
            return "judicial confirmation window"
        return "warning" if f.status is CaseStatus.open else "return visit"

    async def _on_clock(self) -> None:
        now = workflow.now()
        for clock in (
            self._ladder_clock,
            self._visit_clock,
            self._track_clock,
            self._confirmation_clock,
        ):
            if await clock(now):
                return

    async def _apply(self, item: PendingAction) -> None:
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
                    "whistle": self._whistle,
                    "duty": self._duty_changed,
                    "track": self._change_track,
                    "extend_track": self._extend_track,
                    "arbitration": self._arbitration,
                    "confirmation": self._confirmation_step,
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

    @workflow.query
    def view(self) -> CaseView:
        """The case as it stands: level, clock, warnings, transfer, visits, every event."""
        return self._view()
