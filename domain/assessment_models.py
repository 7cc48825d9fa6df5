"""What the assessment workflow and its activities pass each other. Pure: no Temporal, no I/O."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, model_validator

from domain.campaign_list import CampaignCase
from domain.metrics import DueCase, Metrics
from domain.periods import AssessmentKind, Period, period_of_kind
from domain.report_duties import DutyFigures


class AssessmentInput(BaseModel):
    """Workflow input. `period` None: the period the schedule's run covers (see
    `domain.periods.default_period`); otherwise a label matching the kind."""

    model_config = ConfigDict(extra="forbid")

    kind: AssessmentKind
    period: str | None = None

    @model_validator(mode="after")
    def _period_fits_kind(self) -> AssessmentInput:
        if self.period is not None:  # refused when the run is requested, not when it runs
            period_of_kind(self.kind, self.period)
        return self


class AssessmentResult(BaseModel):
    kind: AssessmentKind
    period: str
    files: list[str]
    #: How many townships the assessment covered (the county rows are not counted).
    townships: int


class ComputeRequest(BaseModel):
    kind: AssessmentKind
    period: str
    #: The moment the overdue and clearance lists are taken at: the workflow's start.
    as_of: datetime


class DeadNotification(BaseModel):
    """A notification no channel delivered in time (see notify/dispatcher.py): the daily
    clearance report lists them so someone phones the recipient instead."""

    id: int
    case_id: str
    seq: int
    kind: str | None
    recipient_role: str
    recipient_unit: str
    recipient_name: str | None
    dead_at: datetime
    attempts: int
    last_error: str | None


class RecurringPair(BaseModel):
    """A (dispute type, place) that keeps coming back (每月一题): its cases in the period and
    how many of them were repeats (linked to another case, or reopened)."""

    dispute_type: str
    township: str
    village: str
    cases: int
    repeats: int


class AssessmentFigures(BaseModel):
    """One assessment's figures: a row per township then per county, and the clearance list
    (overdue everywhere; due within 24 hours too for the daily kind)."""

    kind: AssessmentKind
    period: Period
    as_of: datetime
    metrics: list[Metrics]
    due: list[DueCase]
    #: Daily only: notifications marked dead and not re-queued.
    dead_notifications: list[DeadNotification] = []
    #: Report duties (零报告) of the period: on time, zero share, flagged.
    duties: DutyFigures | None = None
    #: Monthly only: the most frequent (type, place) pairs, for the problem of the month.
    recurring: list[RecurringPair] = []
    #: Daily only: each campaign window's cases still on the ladder (专项行动清单).
    campaigns: list[CampaignCase] = []

    @property
    def townships(self) -> list[str]:
        return [m.scope_unit for m in self.metrics if m.scope_level.value == "township"]


class RecordRequest(BaseModel):
    figures: AssessmentFigures
    #: The files written for this assessment, relative to the reports directory.
    files: list[str]
