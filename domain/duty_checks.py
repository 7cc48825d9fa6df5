"""Whether an action may be taken on a department's duty now: the duty's pure checks.

The department's own staff (role: its code; unit: its unit) check in, file its part or
decline; a supervisor of the case's township or county rules on a decline. A check raises
ValueError with the reason for a wrong actor or a move the duty's state machine
(`domain.whistle.next_state`) does not allow. `DepartmentDutyWorkflow` runs the same check as
each update's validator and again when it applies the update. Pure: no Temporal, no I/O, no
clock (a write's time is passed in).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ValidationError

from domain.actions import Actor
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
from domain.roles import SUPERVISOR
from domain.whistle import DutyEvent, next_state
from texts import Lang, Texts, texts
from texts.terms import label

E = DutyEvent
#: The department's own people act on its duty; supervisors rule on a decline.
STAFF_EVENTS = frozenset({E.check_in, E.report, E.decline})


def event_of(action: BaseModel) -> DutyEvent:
    """The duty's move an action asks for (a ruling: uphold or overrule)."""
    if isinstance(action, DutyRuling):
        return E.uphold if action.uphold else E.overrule
    return {DutyCheckIn: E.check_in, DutyReport: E.report, DutyDecline: E.decline}[type(action)]


def lang_of(start: DutyStart) -> Lang:
    """The duty's language: its case's (English for a duty summoned before cases had one)."""
    return start.lang or Lang.en


def texts_of(start: DutyStart) -> Texts:
    return texts("case", lang_of(start))


def name(start: DutyStart) -> str:
    d = start.department
    return f"{d.name} ({d.code}, {d.unit})"


def local(start: DutyStart, at: datetime) -> datetime:
    """`at` in the case's local time."""
    return at.astimezone(timezone(timedelta(hours=start.utc_offset_hours)))


def local_text(start: DutyStart, at: datetime) -> str:
    return f"{local(start, at):%Y-%m-%d %H:%M}"


def write(
    start: DutyStart, seq: int, event: DutyEvent, at: datetime, action: BaseModel | None = None
) -> DutyWrite:
    """The duty ledger's write of `event`: ValidationError (a ValueError) if it lacks what
    the event needs, such as a report's result."""
    details = dict[str, Any]()
    if event is E.summon:
        details = {"unit": start.department.unit, "whistle_kind": start.whistle_kind,
                   "check_in_by": start.check_in_by, "report_by": start.report_by}  # fmt: skip
    elif isinstance(action, DutyReport):
        details = action.model_dump(include={"result", "findings", "actions"})
    elif isinstance(action, DutyDecline):
        details = {"declined_reason": action.reason}
    elif isinstance(action, DutyRuling):
        details = {"ruling": action.reason}
    return DutyWrite(
        case_id=start.case_id,
        whistle_seq=start.whistle_seq,
        department=start.department.code,
        seq=seq,
        event=event,
        at=at,
        **details,
    )


def check_actor(start: DutyStart, event: DutyEvent, actor: Actor) -> None:
    """Staff of the department for its own moves; a supervisor above for a ruling."""
    d, _ = start.department, texts_of(start)
    who = f"{actor.name} ({actor.role}{', ' + actor.unit if actor.unit else ''})"
    if event in STAFF_EVENTS and (actor.role, actor.unit) != (d.code, d.unit):
        raise NotAllowed(
            _(
                "{who} may not act for {department}: only its own staff may (role {code}, "
                "unit {unit})"
            ).format(who=who, department=name(start), code=d.code, unit=d.unit)
        )
    if event not in STAFF_EVENTS and not (
        actor.role == SUPERVISOR and actor.unit in (start.township, start.county)
    ):
        raise NotAllowed(
            _(
                "{who} may not rule on the decline of {department}: only a supervisor of "
                "{township} or {county} may"
            ).format(who=who, department=name(start), township=start.township, county=start.county)
        )


def check(duty: DutyView, start: DutyStart, action: BaseModel) -> None:
    """Refuse, with the reason, a wrong actor or a move the duty cannot take now."""
    event, _ = event_of(action), texts_of(start)
    check_actor(start, event, action.actor)  # type: ignore[attr-defined]
    try:
        next_state(duty.state, event)
    except ValueError as err:
        state = label("duty_state", duty.state, lang_of(start))
        raise ValueError(
            _("{department} is {state}: {reason}").format(
                department=name(start), state=state, reason=err
            )
        ) from None
    if event is E.check_in and duty.checked_in_at is not None:
        at = local_text(start, duty.checked_in_at)
        raise ValueError(
            _("{department} already checked in at {at}").format(department=name(start), at=at)
        )
    try:
        # Whatever the write would lack (a blank result): its seq and time do not matter here.
        write(start, 1, event, start.summoned_at, action)
    except ValidationError as err:
        raise ValueError("; ".join(e["msg"] for e in err.errors())) from None
