"""DepartmentDutyWorkflow: one summoned department's duty under one whistle (部门报到).

A child of the case. It records the summons, then waits: for the department to check in
before its check-in deadline and to file its part before the report deadline, or to decline
the matter as outside its remit, which a supervisor of the township or the county upholds
(excused) or overrules (supervised). A deadline that passes marks the duty missed and puts
the department under the county's supervision (督办) at once; a supervised department still
checks in and reports. Every move goes to the duty ledger first, then to the case as a
signal. People act through the catalogue's duty actions (check-in, file-report, decline,
rule-decline: `domain/catalogue.py`), queued and applied one at a time by the main loop like
the case's (`workflows/queued_actions.py`), each checked by `domain/duty_checks.py`; the duty
ends when it is reported or excused.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import FailureError

with workflow.unsafe.imports_passed_through():
    from activities.departments import DepartmentActivities
    from domain import duty_checks
    from domain.actions import Actor
    from domain.catalogue import Action
    from domain.duty_contract import (
        DUTY_CHANGED_SIGNAL,
        DutyChange,
        DutyCheckIn,
        DutyDecline,
        DutyReport,
        DutyRuling,
        DutyStart,
        DutyView,
    )
    from domain.duty_models import DutyWrite
    from domain.whistle import FINAL_STATES, DutyEvent, DutyState, next_state
    from texts import Lang, Texts
    from texts.terms import label
    from workflows.activity_options import ACTIVITY_TIMEOUT, DB_RETRY
    from workflows.queued_actions import Pending, queued_action, with_aliases

E, S = DutyEvent, DutyState
#: Like the case ledger's retry, but a move the duty ledger refuses is refused for good.
DUTY_RETRY = dataclasses.replace(DB_RETRY, non_retryable_error_types=["DutyRefused"])
#: The time a move stamps on the duty, the first time it happens.
STAMPS = {E.check_in: "checked_in_at", E.report: "reported_at"}


@workflow.defn
@with_aliases
class DepartmentDutyWorkflow:
    @workflow.init
    def __init__(self, start: DutyStart) -> None:
        self._start = start
        self._duty = DutyView(
            case_id=start.case_id,
            whistle_seq=start.whistle_seq,
            department=start.department,
            state=S.summoned,
            check_in_by=start.check_in_by,
            report_by=start.report_by,
        )
        self._seq = 0
        self.queue: list[Pending] = []

    @workflow.run
    async def run(self, start: DutyStart) -> DutyView:
        await self._record(self._write(E.summon, at=start.summoned_at))
        self._publish()
        # Until reported or excused; an update accepted as it ended still gets its answer.
        while self._duty.state not in FINAL_STATES or self.queue:
            if self.queue:
                await self._apply(self.queue.pop(0))
            elif not await self._wait_for_action_or_deadline():
                await self._missed()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._view()

    # -- the story's steps -------------------------------------------------------------------

    def _deadline(self) -> datetime | None:
        """The deadline the duty's state runs against: none once declined or supervised."""
        d = self._duty
        return {S.summoned: d.check_in_by, S.checked_in: d.report_by}.get(d.state)

    async def _wait_for_action_or_deadline(self) -> bool:
        """True when an update is waiting; False when the state's deadline passed."""
        deadline = self._deadline()
        try:
            await workflow.wait_condition(
                lambda: bool(self.queue),
                timeout=max(deadline - workflow.now(), timedelta(0)) if deadline else None,
                timeout_summary=self._deadline_label() if deadline else None,
            )
        except TimeoutError:
            return False
        return True

    async def _missed(self) -> None:
        """Missed the deadline: supervised by the county at once (the case tells them)."""
        late = E.check_in_overdue if self._duty.state is S.summoned else E.report_overdue
        deadline = self._deadline()
        assert deadline is not None
        await self._move(late, detail={"deadline": self._tz(deadline).isoformat()})
        await self._move(E.supervise, detail={"supervised_by": self._start.county})

    async def _apply(self, item: Pending) -> None:
        """Apply one accepted update, checking it again: the duty may have moved since."""
        try:
            assert item.check is not None
            item.check()
            await item.step(item.action)
        except ValueError as err:
            item.error = str(err)
        except FailureError as err:  # the duty ledger refused it (DutyRefused): nothing moved
            item.error = getattr(err.cause, "message", None) or str(err)
        item.done = True

    async def _move(
        self,
        event: DutyEvent,
        action: BaseModel | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """One move: the duty ledger first, then the workflow's own copy, then the case."""
        state = next_state(self._duty.state, event)
        write = self._write(event, action)
        await self._record(write)
        details = write.model_dump(
            include={"findings", "actions", "result", "declined_reason", "ruling"},
            exclude_none=True,
        )
        stamp = STAMPS.get(event)
        first = {stamp: write.at} if stamp and getattr(self._duty, stamp) is None else {}
        self._duty = self._duty.model_copy(update={"state": state, **details, **first})
        self._publish()
        workflow.logger.info(f"{self._name()}: {event.value}, now {state.value}")
        actor: Actor | None = getattr(action, "actor", None)
        change = DutyChange(
            department=self._start.department.code,
            whistle_seq=self._start.whistle_seq,
            event=event,
            state=state,
            at=write.at,
            actor=actor,
            # The unit too: a county bureau standing in is not at the township.
            detail={"unit": self._start.department.unit, **details, **(detail or {})},
        )
        await self._tell_case(change)

    async def _tell_case(self, change: DutyChange) -> None:
        case = workflow.get_external_workflow_handle(self._start.case_workflow_id)
        try:
            await case.signal(DUTY_CHANGED_SIGNAL, change)
        except FailureError as err:  # the case has closed: the duty ledger still holds it
            workflow.logger.warning(
                f"{self._name()}: case {self._start.case_workflow_id} not told of "
                f"{change.event.value} ({err})"
            )

    async def _record(self, write: DutyWrite) -> None:
        _ = self._texts
        await workflow.execute_activity_method(
            DepartmentActivities.record_duty,
            write,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=DUTY_RETRY,
            summary=_("duty: {event}").format(
                event=label("duty_event", write.event, self._start_lang)
            ),
        )
        self._seq = write.seq

    # -- what people do: the catalogue's duty actions, each checked by domain/duty_checks.py --

    def check_action(self, action: Action, given: BaseModel) -> None:
        action.check(self._duty, self._start, given)

    def answer(self) -> DutyView:
        return self._view()

    async def _take(self, a: BaseModel) -> None:
        await self._move(duty_checks.event_of(a), a)

    @queued_action("check-in")
    async def check_in(self, a: DutyCheckIn) -> None:
        """The department has arrived (报到)."""
        await self._take(a)

    @queued_action("file-report")
    async def file_report(self, a: DutyReport) -> None:
        """The department files its part: what it found, what it did, the result."""
        await self._take(a)

    @queued_action("decline")
    async def decline(self, a: DutyDecline) -> None:
        """The matter is not within the department's remit; a supervisor rules on that."""
        await self._take(a)

    @queued_action("rule-decline")
    async def rule_decline(self, a: DutyRuling) -> None:
        """A supervisor upholds the decline (excused) or overrules it (supervised)."""
        await self._take(a)

    def _write(
        self, event: DutyEvent, action: BaseModel | None = None, at: datetime | None = None
    ) -> DutyWrite:
        return duty_checks.write(self._start, self._seq + 1, event, at or workflow.now(), action)

    # -- what the duty looks like ------------------------------------------------------------

    @workflow.query
    def view(self) -> DutyView:
        """The duty as it stands, its times in the case's local time."""
        return self._view()

    def _deadline_label(self) -> str:
        _ = self._texts
        return _("check-in deadline") if self._duty.state is S.summoned else _("report deadline")

    def _publish(self) -> None:
        """The UI's current details: the department, its state and deadlines."""
        d, s, _, lang = self._duty, self._start, self._texts, self._start_lang
        lines = [
            f"**{label('duty_state', d.state, lang)}** · {self._name()}",
            _("- case {case_id}, whistle {seq} ({kind})").format(
                case_id=s.case_id, seq=s.whistle_seq, kind=label("whistle", s.whistle_kind, lang)
            ),
            _("- check in by {check_in_by}, report by {report_by} (UTC+{offset})").format(
                check_in_by=self._local(d.check_in_by),
                report_by=self._local(d.report_by),
                offset=s.utc_offset_hours,
            ),
        ]
        for name, at in ((_("checked in"), d.checked_in_at), (_("reported"), d.reported_at)):
            if at:
                lines.append(f"- {name} {self._local(at)}")
        for name, text in ((_("result"), d.result), (_("declined"), d.declined_reason),
                           (_("ruling"), d.ruling)):  # fmt: skip
            if text:
                lines.append(f"- {name}: {text}")
        workflow.set_current_details("\n".join(lines))

    def _view(self) -> DutyView:
        """The duty as it stands, its times in the case's local time."""
        d = self._duty
        times = ("check_in_by", "report_by", "checked_in_at", "reported_at")
        return d.model_copy(update={k: self._tz(getattr(d, k)) for k in times if getattr(d, k)})

    def _name(self) -> str:
        return duty_checks.name(self._start)

    def _tz(self, at: datetime) -> datetime:
        return duty_checks.local(self._start, at)

    @property
    def _start_lang(self) -> Lang:
        return duty_checks.lang_of(self._start)

    @property
    def _texts(self) -> Texts:
        """The duty's texts, in its case's language."""
        return duty_checks.texts_of(self._start)

    def _local(self, at: datetime) -> str:
        return duty_checks.local_text(self._start, at)
