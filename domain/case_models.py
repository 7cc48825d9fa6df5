"""The case as the workflow carries it: inputs, the outcome update, events and the status view.

Every workflow, activity, signal and update takes one of these models and returns one, so
the wire format is explicit and versioned with the code. Pure: no Temporal, no I/O.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.intake_models import CaseIntake, Location
from domain.ladder import Level
from domain.policy import Policy
from domain.risk import RiskColour


class CaseStatus(StrEnum):
    open = "open"
    #: At the county with its deadline gone: under supervision (督办), never closed silently.
    supervised = "supervised"
    resolved = "resolved"


class Actor(BaseModel):
    """Who did something: a person in a role, at a unit."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1)
    role: str = "handler"
    unit: str | None = None


class Assignee(BaseModel):
    """The handler a level gives a case to, from the roster."""

    name: str
    unit: str
    role: str


class CaseStart(BaseModel):
    """Workflow input: the intake record plus the policy in force when it arrived."""

    case_id: str
    intake: CaseIntake
    policy: Policy


class OutcomeInput(BaseModel):
    """A handler's report on the case at its current level."""

    model_config = ConfigDict(extra="forbid")

    outcome: Literal["resolved", "failed"]
    actor: Actor
    #: The level the handler acts at; an outcome meant for an earlier level is refused.
    level: Level | None = None
    reason: str | None = None
    #: Free text of the settlement, e.g. the terms of a mediation agreement.
    agreement: str | None = None

    @model_validator(mode="after")
    def _failure_needs_reason(self) -> OutcomeInput:
        if self.outcome == "failed" and not (self.reason and self.reason.strip()):
            raise ValueError("reason: a failed outcome must say why (it goes up with the case)")
        return self


class CaseEvent(BaseModel):
    """One entry of the case's history; `seq` is its idempotency key in the ledger."""

    seq: int
    at: datetime
    kind: str
    level: Level
    summary: str
    actor: Actor | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class CaseView(BaseModel):
    """What `starter.py status` prints and the workflow's `view` query returns."""

    case_id: str
    workflow_id: str
    title: str
    dispute_type: str
    complexity: str
    risk: RiskColour
    location: Location
    status: CaseStatus
    level: Level
    assignee: Assignee | None
    due_at: datetime | None
    opened_at: datetime
    closed_at: datetime | None
    policy: str
    events: list[CaseEvent]


class CaseResult(BaseModel):
    """Workflow result: how and where the case ended."""

    case_id: str
    status: CaseStatus
    level: Level
    closed_at: datetime


class AssignRequest(BaseModel):
    case_id: str
    level: Level
    location: Location


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
    """The case's current state, written to the ledger after every event."""

    case_id: str
    status: CaseStatus
    level: Level
    assignee: Assignee | None
    due_at: datetime | None
    closed_at: datetime | None
    last_seq: int


class LedgerWrite(BaseModel):
    """One event plus the state it leaves the case in; written in one transaction."""

    event: CaseEvent
    snapshot: CaseSnapshot


class LedgerAck(BaseModel):
    #: False when the event was already in the ledger (a retried activity).
    written: bool
