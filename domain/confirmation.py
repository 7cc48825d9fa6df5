"""Judicial confirmation (司法确认) of a mediation agreement: its windows and its outcomes.

(law) The parties may apply jointly to a court within 30 days of the agreement taking effect
(人民调解法 Art. 33); the court decides within 3 days whether to accept and within 15 days of
accepting whether to confirm, +10 with the president's approval (法释〔2011〕5号). A confirmed
agreement is enforceable; one not applied for in time has lapsed (it still binds as a contract).

These are statutory periods, so they are counted the way the law counts them, not as elapsed
time: the day of the starting event does not count, the period ends at 24:00 (local) of its
last day, and a last day that is a holiday or weekend moves to the next working day
(民法典 Art. 201, 203; 民事诉讼法 Art. 85). Pure: the caller gives every time.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from domain.calendar import WEEKENDS_ONLY, WorkCalendar, add_days
from domain.durations import parse_duration
from domain.policy_files import build_table, load_toml

_WHOLE_DAYS = re.compile(r"^\s*(\d+)d\s*$")


class ConfirmationOutcome(StrEnum):
    confirmed = "confirmed"  # 裁定确认: enforceable
    rejected = "rejected"  # 驳回申请: the parties may change the agreement or sue
    lapsed = "lapsed"  # not applied for within the window


def whole_days(text: str) -> int:
    """'30d' -> 30: statutory periods count whole days."""
    match = _WHOLE_DAYS.match(text)
    if not match or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not a whole number of days like '30d'")
    return int(match.group(1))


class ConfirmationPolicy(BaseModel):
    """The `[confirmation]` table; every figure but the reminder is the law's."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    apply_within: str = "30d"
    #: (local) The parties are reminded this long before the window closes: five days leave
    #: time to get both parties to the court together, which a joint application needs.
    remind_before: str = "5d"
    accept: str = "3d"
    decide: str = "15d"
    decide_extension: str = "10d"

    @field_validator("apply_within", "accept", "decide", "decide_extension")
    @classmethod
    def _days(cls, text: str) -> str:
        whole_days(text)
        return text

    @field_validator("remind_before")
    @classmethod
    def _duration(cls, text: str) -> str:
        parse_duration(text)
        return text

    @model_validator(mode="after")
    def _reminder_inside_window(self) -> ConfirmationPolicy:
        # A reminder before the agreement exists could never be sent.
        if parse_duration(self.remind_before) >= timedelta(days=whole_days(self.apply_within)):
            raise ValueError(
                f"remind_before {self.remind_before} is not shorter than {self.apply_within}"
            )
        return self


DEFAULT_CONFIRMATION = ConfirmationPolicy()


class ConfirmationDeadlines(BaseModel):
    """When each step must happen by; a step not yet reachable is None."""

    model_config = ConfigDict(frozen=True)

    apply_by: datetime
    remind_at: datetime
    #: Once the parties have applied.
    accept_by: datetime | None = None
    #: Once the court has accepted; `decide_by_extended` with the president's approval.
    decide_by: datetime | None = None
    decide_by_extended: datetime | None = None


def period_end(
    start: datetime,
    days: int,
    *,
    calendar: WorkCalendar | None = None,
    utc_offset_hours: int = 8,
) -> datetime:
    """The end of a period of `days` days starting at `start`, counted as the law counts:
    from the next day, ending at 24:00 local of the last day, which moves past days off.
    `calendar` None counts weekends only as days off (the engine's convention). The one rule
    of every day count (`domain.calendar.add_days`, which `Policy.after` uses too)."""
    return add_days(start, days, calendar or WEEKENDS_ONLY, utc_offset_hours=utc_offset_hours).due


def confirmation_deadlines(
    agreement_at: datetime,
    policy: ConfirmationPolicy = DEFAULT_CONFIRMATION,
    *,
    applied_at: datetime | None = None,
    accepted_at: datetime | None = None,
    calendar: WorkCalendar | None = None,
    utc_offset_hours: int = 8,
) -> ConfirmationDeadlines:
    """The window to apply (from the agreement taking effect) and its reminder; the court's
    acceptance (from the application) and decision (from acceptance) once those happened."""

    def end(start: datetime, text: str) -> datetime:
        return period_end(
            start, whole_days(text), calendar=calendar, utc_offset_hours=utc_offset_hours
        )

    apply_by = end(agreement_at, policy.apply_within)
    decide_by = decide_by_extended = None
    if accepted_at is not None:
        decide_by = end(accepted_at, policy.decide)
        # The extension runs on from the original last day, not from acceptance again.
        extended_days = whole_days(policy.decide) + whole_days(policy.decide_extension)
        decide_by_extended = period_end(
            accepted_at, extended_days, calendar=calendar, utc_offset_hours=utc_offset_hours
        )
    return ConfirmationDeadlines(
        apply_by=apply_by,
        remind_at=apply_by - parse_duration(policy.remind_before),
        accept_by=end(applied_at, policy.accept) if applied_at is not None else None,
        decide_by=decide_by,
        decide_by_extended=decide_by_extended,
    )


def has_lapsed(deadlines: ConfirmationDeadlines, now: datetime, applied: bool) -> bool:
    """Whether the window closed without an application: record the outcome `lapsed`."""
    return not applied and now >= deadlines.apply_by


def confirmation_policy(table: dict[str, Any] | None) -> ConfirmationPolicy:
    return ConfirmationPolicy.model_validate(table or {})


def parse_confirmation_policy(text: str, *, source: str = "policy") -> ConfirmationPolicy:
    """The `[confirmation]` table of a policy file; other tables are ignored."""
    data = load_toml(text, source=source)
    return build_table(data, "confirmation", confirmation_policy, source=source)
