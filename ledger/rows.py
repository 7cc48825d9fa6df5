"""The ledger's rows as the workflows write them: a step (its registration, events,
notifications, handlers to pick and the state it leaves the case in) and the answer.

Pydantic models only, no I/O: the case workflow builds a `StepWrite` and the ledger activity
writes it (`ledger/steps.py`) in one transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from domain.case_models import Assignee, CaseEvent, CaseStatus
from domain.intake_models import CaseIntake, Location
from domain.ladder import Level
from domain.risk import RiskColour


class AssignRequest(BaseModel):
    case_id: str
    level: Level
    location: Location
    #: Pick the unit's person of this role (a lead); None: a handler.
    role: str | None = None


class AssignResult(BaseModel):
    assignee: Assignee | None


class CaseRegistration(BaseModel):
    """The ledger's row for a case, written once when the workflow opens it."""

    case_id: str
    workflow_id: str
    intake: CaseIntake
    risk: RiskColour
    level: Level
    policy_name: str
    opened_at: datetime


class CaseSnapshot(BaseModel):
    """The case's current state, written to the ledger with every step."""

    case_id: str
    status: CaseStatus
    level: Level
    assignee: Assignee | None
    due_at: datetime | None
    closed_at: datetime | None
    last_seq: int
    risk: RiskColour | None = None
    location: Location | None = None
    #: The earliest running deadline over all the case's clocks, and which clock sets it
    #: (`domain.urgency`); None from a step written before they were kept.
    deadline: datetime | None = None
    deadline_clock: str | None = None
    #: When the next return visit is due (a resolved case).
    visit_due_at: datetime | None = None


class LedgerAck(BaseModel):
    #: False when the step was already in the ledger (a retried activity): its first event,
    #: or the registration of a step without events.
    written: bool
    #: The handler each of the step's assignments picked (None: nobody on the roster).
    assigned: list[Assignee | None] = Field(default_factory=list)


class Recipient(BaseModel):
    """Who a notification is for: a role at a unit, and a person when one is known."""

    role: str
    unit: str
    name: str | None = None


class Notification(BaseModel):
    """A message about an event; delivered through the outbox, keyed by (case, seq, recipient)."""

    case_id: str
    seq: int
    recipients: list[Recipient]
    message: str


class AssigneeText(BaseModel):
    """How an event's summary names the handler the ledger picks: `before` + the handler
    (`found`, formatted with `name` and `unit`; or `missing`) + `after`."""

    before: str
    found: str
    missing: str
    after: str

    def compose(self, assignee: Assignee | None) -> str:
        who = self.found.format(name=assignee.name, unit=assignee.unit) if assignee else None
        return f"{self.before}{who or self.missing}{self.after}"


class Assignment(BaseModel):
    """A handler to pick from the roster inside a step's ledger write (no activity of its
    own): the events `seqs` get it in their data (`assignee`), the first of them its text and
    its notification (to the handler, or to `fallback` when the unit has nobody)."""

    level: Level
    location: Location
    seqs: list[int]
    text: AssigneeText | None = None
    fallback: Recipient | None = None
    #: Whom the pick makes: the case's handler (an arrival), its lead (包案), or a visitor.
    holds: Literal["handler", "lead", "visit"] = "handler"
    #: The roster role to pick (a lead's); None: a handler of the unit.
    role: str | None = None

    def named(self, events: list[CaseEvent], who: Assignee | None) -> list[CaseEvent]:
        """`events` with the handler picked named in this assignment's: in their data
        (`assignee`) and in the first one's summary. The ledger writes them so, and the
        workflow keeps them so once the ledger answers who it picked."""
        data = {"assignee": who.model_dump() if who else None}
        first = self.seqs[0]
        return [
            e.model_copy(
                update={
                    "data": {**e.data, **data},
                    "summary": self.text.compose(who)
                    if self.text and e.seq == first
                    else e.summary,
                }
            )
            if e.seq in self.seqs
            else e
            for e in events
        ]


class StepWrite(BaseModel):
    """What one step of a case writes to the ledger, in one transaction: the registration
    (the opening step only), its events, the notifications they send and the state the step
    leaves the case in. Idempotent: events on (case_id, seq), notifications on
    (case_id, seq, recipient), the snapshot only forward in `last_seq`."""

    case_id: str
    registration: CaseRegistration | None = None
    events: list[CaseEvent]
    notifications: list[Notification] = Field(default_factory=list)
    assignments: list[Assignment] = Field(default_factory=list)
    #: None only for a registration on its own (an operator's or a test's).
    snapshot: CaseSnapshot | None = None
