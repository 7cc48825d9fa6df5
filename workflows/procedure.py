"""ProcedureWorkflow: one matter run by the procedure engine on its table — a 信访 matter under
信访工作条例, a step of the court road, labour arbitration.

`run` is the story: the matter is registered (a 信访 repeat of a matter closed by 复核 is linked
and answered "final, not accepted" at once, Art. 36 ¶3); then, one step at a time, it applies
what people do (the `procedure_action` update, checked by the engine against the table) or
what its windows say when they pass (flag the supervisor, open a route, move on), until the
matter is final and the petitioner has rated the handling (Art. 17, 21) or the time to rate
has passed. Every step ends with one ledger write, its events in `case_events` like a case's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from activities.ledger import LedgerActivities
    from activities.procedures import ProcedureActivities
    from domain import procedure as engine
    from domain.actions import Actor
    from domain.case_models import RECENT_EVENTS, CaseEvent, CaseStatus, CaseView
    from domain.catalogue import Offers
    from domain.ladder import Level
    from domain.naming import PROCEDURE_WORKFLOW
    from domain.petition import Repeat, RepeatAnswer, answer_repeat
    from domain.procedure_models import (
        EarlierQuery,
        ProcedureInput,
        ProcedureResult,
        ProcedureStart,
        ProcedureState,
        check_step,
        matter_status,
    )
    from ledger.rows import CaseRegistration, CaseSnapshot, Notification, Recipient, StepWrite
    from texts import texts
    from texts.terms import label
    from workflows.activity_options import ACTIVITY_TIMEOUT, DB_RETRY

#: How long the petitioner may rate the handling once the matter is final, in statutory days
#: (local practice; a demo policy scales it like every window).
RATING_DAYS = 30


@dataclass
class _Pending:
    action: ProcedureInput
    done: bool = False
    error: str | None = None


@workflow.defn(name=PROCEDURE_WORKFLOW)
class ProcedureWorkflow:
    @workflow.init
    def __init__(self, start: ProcedureStart) -> None:
        self.start = start
        self._ = texts("case", start.lang)
        self.opened_at = workflow.now()
        self.run_ = engine.start(start.table, self.opened_at, start.counting, start.state)
        self.closed_at: datetime | None = None
        self.rated = False
        self.seq = 0
        self.recent: list[CaseEvent] = []
        self._events: list[CaseEvent] = []
        self._notes: list[Notification] = []
        self._registration: CaseRegistration | None = None
        self.queue: list[_Pending] = []
        self.shown = self._view()

    @workflow.run
    async def run(self, start: ProcedureStart) -> ProcedureResult:
        await self._open()
        while self.closed_at is None:
            if self.queue:
                await self._apply(self.queue.pop(0))
                continue
            wake = self._next_wake()
            timeout = None if wake is None else max(wake - workflow.now(), timedelta(0))
            try:
                await workflow.wait_condition(lambda: bool(self.queue), timeout=timeout)
            except TimeoutError:
                await self._on_clock()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return ProcedureResult(
            case_id=start.case_id, status=self.status(), state=self.run_.state,
            closed_at=self.closed_at,
        )  # fmt: skip

    # -- the story's steps ---------------------------------------------------------------

    async def _open(self) -> None:
        start = self.start
        self._registration = CaseRegistration(
            case_id=start.case_id,
            workflow_id=workflow.info().workflow_id,
            intake=start.intake,
            risk=self.start.risk,
            level=Level.county,
            policy_name=start.policy_name,
            opened_at=self.opened_at,
        )
        if start.intake.petition is not None:
            await self._open_petition()
        else:
            road = start.intake.road
            assert road is not None
            self._record(
                "procedure_opened",
                self._("{procedure} opened at {state}; {law}").format(
                    procedure=start.table.title,
                    state=self._term("procedure_state", self.run_.state),
                    law=self._state_law(),
                ),
                data={"from_case": road.from_case},
            )
        await self._flush()

    async def _open_petition(self) -> None:
        petition = self.start.intake.petition
        assert petition is not None
        repeat = answer_repeat(None, new_facts=petition.new_facts, higher_body=False)
        if petition.repeat_of is not None:
            found = await workflow.execute_activity_method(
                ProcedureActivities.earlier_matter,
                EarlierQuery(case_id=petition.repeat_of),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=DB_RETRY,
            )
            repeat = answer_repeat(
                found.earlier, new_facts=petition.new_facts, higher_body=petition.higher_body
            )
        if repeat.answer is not RepeatAnswer.new:
            self._not_accepted(repeat)
            return
        self._record(
            "petition_registered",
            self._("petition received ({channel}), addressed to {to}; {law}").format(
                channel=self._term("petition_channel", petition.channel.value),
                to=petition.addressed_to.name,
                law=self._state_law(),
            ),
            data={"channel": petition.channel.value, "linked_to": repeat.linked_to},
        )

    def _not_accepted(self, repeat: Repeat) -> None:
        """A repeat the law says no body accepts: linked, answered, closed."""
        self.closed_at = workflow.now()
        # Only the view changes (the run ends here, no timer was set): no patch needed.
        self.run_ = engine.ended(self.run_, self.closed_at)
        self._record(
            "petition_not_accepted",
            self._("repeat of {earlier}: not accepted ({law})").format(
                earlier=repeat.linked_to, law=repeat.law
            ),
            data={"answer": repeat.answer.value, "linked_to": repeat.linked_to, "law": repeat.law},
            notify=[self._petitioner()],
        )

    async def _apply(self, item: _Pending) -> None:
        """One accepted action, checked again: a window may have passed since."""
        now = workflow.now()
        try:
            outcome = engine.act(
                self.start.table,
                self.run_,
                item.action.act(now),
                self.start.counting,
                self.start.lang,
            )
        except engine.Refusal as err:
            item.error, item.done = str(err), True
            return
        self._effects(outcome.effects)
        self.run_ = outcome.run
        a = item.action
        if a.action == "rate":
            self.rated = True
        step = self.run_.steps[-1]
        self._record(
            "procedure_action",
            self._("{name}: {action} ({before} → {after}); {law}").format(
                name=a.actor.name,
                action=self._term("procedure_step", a.action),
                before=self._term("procedure_state", step.before),
                after=self._term("procedure_state", step.after),
                law=step.law,
            ),
            actor=a.actor,
            data={
                "action": a.action,
                "facts": a.facts,
                "window": a.window,
                "reason": a.reason,
                "happened_at": a.happened_at.isoformat() if a.happened_at else None,
            },
            notify=[self._petitioner()] if a.action in ("reply", "review_decision") else None,
        )
        self._settle()
        await self._flush()
        item.done = True

    async def _on_clock(self) -> None:
        now = workflow.now()
        if self.run_.final:
            self._close()
        else:
            outcome = engine.expire(self.start.table, self.run_, now, self.start.counting)
            self.run_ = outcome.run
            self._effects(outcome.effects)
            self._settle()
        await self._flush()

    def _settle(self) -> None:
        """A final matter is resolved (`status`); rated, it closes."""
        if self.run_.final and self.rated:
            self._close()

    def status(self) -> CaseStatus:
        """Derived, never set: open, resolved once final, closed once closed."""
        return matter_status(final=self.run_.final, closed=self.closed_at is not None)

    def _close(self) -> None:
        self.closed_at = workflow.now()
        self._record("closed", self._("petition closed"), data={"outcome": "petition"})

    def _effects(self, effects: list[engine.Effect]) -> None:
        for e in effects:
            if e.kind == "flag":
                text = self._("window {window} passed its due time: supervised ({law})")
                notify = [self._supervisor()]
            elif e.kind == "route":
                text = self._("window {window} passed: route {what} opened ({law})")
                notify = [self._petitioner()]
            else:
                text = self._("window {window} passed: the matter moves to {what} ({law})")
                notify = None
            what = self._term("procedure_route" if e.kind == "route" else "procedure_state", e.what)
            self._record(
                f"procedure_{e.kind}",
                text.format(window=self._term("procedure_window", e.window), what=what, law=e.law),
                data={"window": e.window, "what": e.what, "law": e.law},
                notify=notify,
            )

    # -- what people do --------------------------------------------------------------------

    @workflow.update
    async def procedure_action(self, action: ProcedureInput) -> CaseView:
        """An action of the procedure's table (or extend / pause / resume a window); returns
        the matter as it stands after."""
        pending = _Pending(action)
        self.queue.append(pending)
        await workflow.wait_condition(lambda: pending.done)
        if pending.error:
            raise ApplicationError(pending.error, type="ActionRefused", non_retryable=True)
        return self.shown

    @procedure_action.validator
    def _check(self, action: ProcedureInput) -> None:
        if self.closed_at is not None:
            raise ValueError("the matter is closed")
        check_step(ProcedureState(run=self.run_, now=workflow.now()), self.start, action)

    @workflow.query
    def offers(self, asker: Actor) -> Offers:
        """What `asker` may do now: a step of the table while the matter is not closed, to
        the roles its table names for some step allowed in the current state (the step
        itself is checked when sent)."""
        if self.closed_at is not None:
            return Offers(actions=[])
        takers = engine.step_takers(self.start.table, self.run_)
        may = takers is None or asker.role in takers
        return Offers(actions=["procedure"] if may else [])

    @workflow.query
    def view(self) -> CaseView:
        """The matter as of its last written step, with its procedure and windows."""
        return self.shown

    # -- the record --------------------------------------------------------------------------

    def _next_wake(self) -> datetime | None:
        if self.run_.final:
            if self.rated:
                return workflow.now()
            final_at = self.run_.steps[-1].at if self.run_.steps else self.opened_at
            c = self.start.counting
            return final_at + (c.day or timedelta(days=1)) * RATING_DAYS
        return engine.next_due(self.run_)

    def _term(self, kind: str, name: str | None) -> str:
        """A table's machine name (a state, window, step, route) as people read it."""
        return label(kind, name, self.start.lang) if name else ""

    def _state_law(self) -> str:
        return self.start.table.states[self.run_.state].law

    def _petitioner(self) -> Recipient:
        applicant = self.start.intake.applicant
        return Recipient(role="applicant", unit="party", name=applicant.name)

    def _supervisor(self) -> Recipient:
        return Recipient(role="supervisor", unit=self.start.intake.location.county)

    def _record(
        self,
        kind: str,
        summary: str,
        *,
        actor: Actor | None = None,
        data: dict | None = None,
        notify: list[Recipient] | None = None,
    ) -> None:
        self.seq += 1
        run = self.run_
        data = {
            **(data or {}), **run.marks(),
            # Where the matter goes next, for the page of the case it came from (read from
            # the ledger: ledger/procedures.py's `roads_from`).
            "next_window": _next_window(run),
        }  # fmt: skip
        event = CaseEvent(
            seq=self.seq, at=workflow.now(), kind=kind, level=Level.county, summary=summary,
            actor=actor, data=data,
        )  # fmt: skip
        self._events.append(event)
        if notify:
            self._notes.append(
                Notification(
                    case_id=self.start.case_id, seq=self.seq, recipients=notify, message=summary
                )
            )

    async def _flush(self) -> None:
        if not self._events:
            return
        step = StepWrite(
            case_id=self.start.case_id,
            registration=self._registration,
            events=self._events,
            notifications=self._notes,
            snapshot=CaseSnapshot(
                case_id=self.start.case_id,
                status=self.status(),
                level=Level.county,
                assignee=None,
                due_at=engine.next_due(self.run_),
                closed_at=self.closed_at,
                last_seq=self.seq,
            ),
        )
        self._events, self._notes, self._registration = [], [], None
        await workflow.execute_activity_method(
            LedgerActivities.write_step,
            step,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=DB_RETRY,
        )
        self.recent = [*self.recent, *step.events][-RECENT_EVENTS:]
        self.shown = self._view()

    def _view(self) -> CaseView:
        i = self.start.intake
        return CaseView(
            case_id=self.start.case_id,
            workflow_id=workflow.info().workflow_id,
            title=i.title,
            dispute_type=i.dispute_type.value,
            complexity=i.complexity.value,
            risk=self.start.risk,
            location=i.location,
            status=self.status(),
            level=Level.county,
            assignee=None,
            due_at=engine.next_due(self.run_),
            remaining_seconds=None,
            budget=None,
            deadline_moved_by=[],
            extended_seconds=0,
            paused_since=None,
            pause_reason=None,
            paused_total_seconds=0,
            warnings_raised=[],  # the procedure's flags are its own (`procedure.flags`)
            transfer=None,
            visits=[],
            procedure=engine.view(self.run_),
            opened_at=self.opened_at,
            closed_at=self.closed_at,
            policy=self.start.policy_name,
            runs=1,
            events=list(self.recent),
        )


def _next_window(run: engine.Run) -> dict | None:
    """The open window due first: its name, due time and article (None when none runs)."""
    running = [w for w in run.open_windows() if not w.expired and w.due_at is not None]
    if not running:
        return None
    w = min(running, key=lambda w: w.due_at)
    assert w.due_at is not None
    return {"name": w.name, "due_at": w.due_at.isoformat(), "law": w.law}
