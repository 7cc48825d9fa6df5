"""The contract between a case and the child workflow of each department it summons.

The case starts one `DepartmentDutyWorkflow` per summoned department (workflow id from
`domain.naming.duty_workflow_id`), and the child tells the case of every change of its
duty through the case's `duty_changed` signal. Pure: no Temporal, no I/O.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.actions import Actor
from domain.whistle import Department, DutyEvent, DutyState, WhistleKind
from texts import Lang

#: The case workflow's signal a duty reports its changes to.
DUTY_CHANGED_SIGNAL = "duty_changed"


class DutyStart(BaseModel):
    """Child input: one department's duty under one whistle."""

    case_id: str
    case_workflow_id: str
    whistle_seq: int
    whistle_kind: WhistleKind
    department: Department
    summoned_at: datetime
    check_in_by: datetime
    report_by: datetime
    #: The township and county of the case: their supervisors rule on declines.
    township: str
    county: str
    utc_offset_hours: int = 8
    #: The case's language, for the duty's texts in the Web UI and its refusals (None: a duty
    #: summoned before cases had a language: English).
    lang: Lang | None = None


class DutyCheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: Actor


class DutyReport(BaseModel):
    """The department's part: what it found, what it did, the result."""

    model_config = ConfigDict(extra="forbid")

    actor: Actor
    result: str = Field(min_length=1)
    findings: str | None = None
    actions: str | None = None


class DutyDecline(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: Actor
    reason: str = Field(min_length=1)


class DutyRuling(BaseModel):
    """A supervisor of the township or the county upholds or overrules a decline."""

    model_config = ConfigDict(extra="forbid")

    actor: Actor
    uphold: bool
    reason: str = Field(min_length=1)


class DutyChange(BaseModel):
    """Signal from the child to the case: the duty moved."""

    department: str
    whistle_seq: int
    event: DutyEvent
    state: DutyState
    at: datetime
    actor: Actor | None = None
    detail: dict[str, Any] = Field(default_factory=dict)


class DutyView(BaseModel):
    """The duty as it stands: the child's query, and its result when it ends."""

    case_id: str
    whistle_seq: int
    department: Department
    state: DutyState
    check_in_by: datetime
    report_by: datetime
    checked_in_at: datetime | None = None
    reported_at: datetime | None = None
    result: str | None = None
    findings: str | None = None
    actions: str | None = None
    declined_reason: str | None = None
    ruling: str | None = None
