"""The updates of DepartmentDutyWorkflow: what a department and its supervisors do to a duty.

A mixin of `workflows/department_duty.py` (one level: the duty is small). The department's
own staff (role: its code; unit: its unit) check in, file its part or decline; a supervisor of
the case's township or county rules on a decline. A validator refuses, with the reason, a
wrong actor or a move the duty's state machine does not allow, and nothing of a refused
update is recorded. An accepted update waits in a queue until the main loop applies it, and
is checked again then: a deadline may have moved the duty on in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ValidationError
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.actions import SUPERVISOR, Actor
    from domain.authority import NotAllowed
    from domain.duty_contract import (
        DutyCheckIn,
        DutyDecline,
        DutyReport,
        DutyRuling,
        DutyStart,
        DutyView,
    )
    from domain.duty_models import DutyWrite
    from domain.whistle import DutyEvent, next_state
    from texts import Lang, Texts, texts
    from texts.terms import label

E = DutyEvent
#: The department's own people act on its duty; supervisors rule on a decline.
STAFF_EVENTS = frozenset({E.check_in, E.report, E.decline})


@dataclass
class PendingMove:
    """An accepted update waiting for the main loop to apply it."""

    event: DutyEvent
    action: BaseModel
    done: bool = False
    error: str | None = None


class DutyUpdates:
    _start: DutyStart
    _duty: DutyView
    _seq: int  # the last write's seq in the duty ledger
    _queue: list[PendingMove]

    # -- who may act, and when ---------------------------------------------------------------

    def _check(self, event: DutyEvent, action: BaseModel) -> None:
        """Refuse, with the reason, a wrong actor or a move the duty cannot take now."""
        actor: Actor = action.actor  # type: ignore[attr-defined]
        s, d = self._start, self._start.department
        _ = self._texts
        who = f"{actor.name} ({actor.role}{', ' + actor.unit if actor.unit else ''})"
        if event in STAFF_EVENTS and (actor.role, actor.unit) != (d.code, d.unit):
            raise NotAllowed(
                _(
                    "{who} may not act for {department}: only its own staff may (role {code}, "
                    "unit {unit})"
                ).format(who=who, department=self._name(), code=d.code, unit=d.unit)
            )
        if event not in STAFF_EVENTS and not (
            actor.role == SUPERVISOR and actor.unit in (s.township, s.county)
        ):
            raise NotAllowed(
                _(
                    "{who} may not rule on the decline of {department}: only a supervisor of "
                    "{township} or {county} may"
                ).format(who=who, department=self._name(), township=s.township, county=s.county)
            )
        try:
            next_state(self._duty.state, event)
        except ValueError as err:
            state = label("duty_state", self._duty.state, self._start_lang)
            raise ValueError(
                _("{department} is {state}: {reason}").format(
                    department=self._name(), state=state, reason=err
                )
            ) from None
        if event is E.check_in and self._duty.checked_in_at is not None:
            at = self._local(self._duty.checked_in_at)
            raise ValueError(
                _("{department} already checked in at {at}").format(department=self._name(), at=at)
            )
        try:
            self._write(event, action)
        except ValidationError as err:
            raise ValueError("; ".join(e["msg"] for e in err.errors())) from None

    def _write(
        self, event: DutyEvent, action: BaseModel | None = None, at: datetime | None = None
    ) -> DutyWrite:
        """The duty ledger's write of `event`: ValidationError (a ValueError) if it lacks
        what the event needs, such as a report's result."""
        s, details = self._start, dict[str, Any]()
        if event is E.summon:
            details = {"unit": s.department.unit, "whistle_kind": s.whistle_kind,
                       "check_in_by": s.check_in_by, "report_by": s.report_by}  # fmt: skip
        elif isinstance(action, DutyReport):
            details = action.model_dump(include={"result", "findings", "actions"})
        elif isinstance(action, DutyDecline):
            details = {"declined_reason": action.reason}
        elif isinstance(action, DutyRuling):
            details = {"ruling": action.reason}
        return DutyWrite(
            case_id=s.case_id,
            whistle_seq=s.whistle_seq,
            department=s.department.code,
            seq=self._seq + 1,
            event=event,
            at=at or workflow.now(),
            **details,
        )

    async def _submit(self, event: DutyEvent, action: BaseModel) -> DutyView:
        item = PendingMove(event, action)
        self._queue.append(item)
        await workflow.wait_condition(lambda: item.done)
        if item.error:
            raise ApplicationError(item.error, type="ActionRefused", non_retryable=True)
        return self._view()

    # -- the updates -------------------------------------------------------------------------

    @workflow.update
    async def check_in(self, a: DutyCheckIn) -> DutyView:
        """The department has arrived (报到)."""
        return await self._submit(E.check_in, a)

    @check_in.validator
    def _v_check_in(self, a: DutyCheckIn) -> None:
        self._check(E.check_in, a)

    @workflow.update
    async def file_report(self, a: DutyReport) -> DutyView:
        """The department files its part: what it found, what it did, the result."""
        return await self._submit(E.report, a)

    @file_report.validator
    def _v_file_report(self, a: DutyReport) -> None:
        self._check(E.report, a)

    @workflow.update
    async def decline(self, a: DutyDecline) -> DutyView:
        """The matter is not within the department's remit; a supervisor rules on that."""
        return await self._submit(E.decline, a)

    @decline.validator
    def _v_decline(self, a: DutyDecline) -> None:
        self._check(E.decline, a)

    @workflow.update
    async def rule_on_decline(self, a: DutyRuling) -> DutyView:
        """A supervisor upholds the decline (excused) or overrules it (supervised)."""
        return await self._submit(E.uphold if a.uphold else E.overrule, a)

    @rule_on_decline.validator
    def _v_rule_on_decline(self, a: DutyRuling) -> None:
        self._check(E.uphold if a.uphold else E.overrule, a)

    # -- what the duty looks like ------------------------------------------------------------

    def _view(self) -> DutyView:
        """The duty as it stands, its times in the case's local time."""
        d = self._duty
        times = ("check_in_by", "report_by", "checked_in_at", "reported_at")
        return d.model_copy(update={k: self._tz(getattr(d, k)) for k in times if getattr(d, k)})

    def _name(self) -> str:
        d = self._start.department
        return f"{d.name} ({d.code}, {d.unit})"

    def _tz(self, at: datetime) -> datetime:
        return at.astimezone(timezone(timedelta(hours=self._start.utc_offset_hours)))

    @property
    def _start_lang(self) -> Lang:
        return self._start.lang or Lang.en

    @property
    def _texts(self) -> Texts:
        """The duty's texts, in its case's language."""
        return texts("case", self._start_lang)

    def _local(self, at: datetime) -> str:
        return f"{self._tz(at):%Y-%m-%d %H:%M}"
