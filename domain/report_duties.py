"""Report duties (零报告): who reports to whom, how often, by when, and what state a duty is in.

Every reporting unit files a report each period it owes one, saying "zero" (nothing to report)
or the matters it holds. Daily units owe one every calendar day; weekly units on their weekday,
and every day inside a sensitive period (Two Sessions, Spring Festival). Holidays and 调休 never
suspend a duty: a day is a day. At the cut-off (local time) a unit that has not filed is
reminded; `escalate_after` later the level it reports to is told and the miss recorded (督办).

A zero report filed after a case from that unit was reported in the same period is flagged
("zero report, case found"): the report said nothing while something was known.

Pure: the policy from TOML text, the duties of a day, a duty's state from its filing and the
time; the workflow and the services pass in "now".
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.durations import parse_duration
from domain.policy_files import PolicyError, load_toml, problems
from texts import Lang, texts

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class Frequency(StrEnum):
    daily = "daily"
    weekly = "weekly"


class DutyState(StrEnum):
    """`due`: not filed, before the cut-off; `missing`: not filed, cut-off passed; `filed`:
    matters on time; `zero`: a zero report on time; `late`: filed after the cut-off;
    `flagged`: a zero report while a case from the unit was reported that period."""

    due = "due"
    filed = "filed"
    zero = "zero"
    late = "late"
    missing = "missing"
    flagged = "flagged"


class ReportKind(StrEnum):
    zero = "zero"
    matters = "matters"


class ReportingUnit(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    unit: str = Field(min_length=1, max_length=200)
    reports_to: str = Field(min_length=1, max_length=200)
    every: Frequency = Frequency.daily


class SensitivePeriod(BaseModel):
    """Dates (both ends included) on which every unit reports daily."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    name: str = Field(min_length=1, max_length=100)
    start: date = Field(alias="from")
    end: date = Field(alias="to")

    @model_validator(mode="after")
    def _ordered(self) -> SensitivePeriod:
        if self.end < self.start:
            raise ValueError(f"{self.name}: 'to' is before 'from'")
        return self

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


class DutyPolicy(BaseModel):
    """The report-duty table of a county (policies/duties.toml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=100)
    utc_offset_hours: int = 8
    #: Local time of day by which each period's report is due.
    cutoff: time
    #: After the cut-off, the level above is told of a unit still missing.
    escalate_after: timedelta
    #: The day a weekly unit reports, outside sensitive periods.
    weekly_on: str = "monday"
    sensitive: tuple[SensitivePeriod, ...] = ()
    units: tuple[ReportingUnit, ...] = Field(min_length=1)

    @field_validator("cutoff", mode="before")
    @classmethod
    def _cutoff(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return time.fromisoformat(value)
            except ValueError:
                raise ValueError(f"{value!r} is not a time of day like '16:00'") from None
        return value

    @field_validator("escalate_after", mode="before")
    @classmethod
    def _escalate(cls, value: Any) -> Any:
        # "1h" as written in the file; an ISO "PT1H" as stored (JSON) is pydantic's to read.
        if isinstance(value, str) and not value.startswith("P"):
            return parse_duration(value)
        return value

    @field_validator("weekly_on")
    @classmethod
    def _weekday(cls, value: str) -> str:
        if value not in WEEKDAYS:
            raise ValueError(f"{value!r} is not one of {', '.join(WEEKDAYS)}")
        return value

    @model_validator(mode="after")
    def _units_once(self) -> DutyPolicy:
        seen = [u.unit for u in self.units]
        twice = sorted({u for u in seen if seen.count(u) > 1})
        if twice:
            raise ValueError(f"units listed twice: {', '.join(twice)}")
        return self

    @property
    def zone(self) -> timezone:
        return timezone(timedelta(hours=self.utc_offset_hours))

    def sensitive_on(self, day: date) -> SensitivePeriod | None:
        return next((p for p in self.sensitive if p.covers(day)), None)

    def unit(self, name: str) -> ReportingUnit | None:
        return next((u for u in self.units if u.unit == name), None)

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()


def units_under(policy: DutyPolicy, unit: str) -> set[str]:
    """The reporting units `unit` sees: itself and every unit whose chain of `reports_to`
    reaches it (a village its grids; a township its villages and their grids, when the
    villages are in the table). A unit not in the table sees only what reports to it."""
    parent = {u.unit: u.reports_to for u in policy.units}
    seen = set()
    for u in parent:
        at, steps = u, 0
        while at is not None and steps <= len(parent):  # a cycle in the table ends here
            if at == unit:
                seen.add(u)
                break
            at, steps = parent.get(at), steps + 1
    return seen


def parse_duty_policy(text: str, *, source: str = "duties") -> DutyPolicy:
    data = load_toml(text, source=source)
    try:
        return DutyPolicy.model_validate(data)
    except ValueError as err:
        detail = problems(err) if hasattr(err, "errors") else str(err)
        raise PolicyError(f"{source}: {detail}") from None


class Duty(BaseModel):
    """One unit's report owed for one period, due at `cutoff_at`."""

    model_config = ConfigDict(frozen=True)

    unit: str
    reports_to: str
    day: date
    every: Frequency
    #: Why a weekly unit owes a report today: the sensitive period's name.
    sensitive: str | None = None
    period_start: datetime
    cutoff_at: datetime
    escalate_at: datetime


def _midnight(day: date, zone: timezone) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def duty_of(policy: DutyPolicy, unit: ReportingUnit, day: date) -> Duty | None:
    """The report `unit` owes on `day`, or None. A weekly unit's period runs from the day after
    its previous report day; a daily one (or any unit in a sensitive period) covers the day."""
    period = policy.sensitive_on(day)
    weekly_day = WEEKDAYS[day.weekday()] == policy.weekly_on
    if unit.every is Frequency.weekly and not (weekly_day or period):
        return None
    zone = policy.zone
    daily = unit.every is Frequency.daily or period is not None
    start_day = day if daily else day - timedelta(days=6)
    cutoff_at = datetime.combine(day, policy.cutoff, tzinfo=zone)
    return Duty(
        unit=unit.unit,
        reports_to=unit.reports_to,
        day=day,
        every=Frequency.daily if daily else Frequency.weekly,
        sensitive=period.name if period and unit.every is Frequency.weekly else None,
        period_start=_midnight(start_day, zone),
        cutoff_at=cutoff_at,
        escalate_at=cutoff_at + policy.escalate_after,
    )


def duties_on(policy: DutyPolicy, day: date, unit: str | None = None) -> list[Duty]:
    """Every report owed on `day` (of `unit` only, when given), in the policy's order."""
    found = (duty_of(policy, u, day) for u in policy.units if unit is None or u.unit == unit)
    return [d for d in found if d is not None]


class Filing(BaseModel):
    """What a unit filed for a duty (a row of `duty_reports`)."""

    kind: ReportKind
    filed_at: datetime
    cases: tuple[str, ...] = ()
    flagged: bool = False


def state_of(duty: Duty, filing: Filing | None, now: datetime) -> DutyState:
    if filing is None:
        return DutyState.due if now < duty.cutoff_at else DutyState.missing
    if filing.flagged:
        return DutyState.flagged
    if filing.filed_at > duty.cutoff_at:
        return DutyState.late
    return DutyState.zero if filing.kind is ReportKind.zero else DutyState.filed


class ReportRequest(BaseModel):
    """A unit's report: "zero", or the matters it holds (case ids, and a note)."""

    model_config = ConfigDict(extra="forbid")

    unit: str | None = Field(
        default=None, max_length=200, description="the reporting unit; default: the token's"
    )
    kind: ReportKind = ReportKind.zero
    cases: list[str] = Field(default_factory=list, max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    day: date | None = Field(default=None, description="the duty's day; default: today")


def check_report(
    policy: DutyPolicy,
    request: ReportRequest,
    *,
    person_unit: str | None,
    today: date,
    lang: Lang | str = Lang.zh,
) -> str | None:
    """Why this report cannot be filed, or None: the caller files for their own unit, that unit
    owes a report that day (today or earlier, never ahead), zero means no cases."""
    _ = texts("case", lang).gettext
    unit = request.unit or person_unit
    if not unit:
        return _("A report is filed by a unit: this token has none.")
    if person_unit != unit:
        return _("Only {unit} files its own report.").format(unit=unit)
    if policy.unit(unit) is None:
        return _("{unit} has no report duty in policy {policy}.").format(
            unit=unit, policy=policy.name
        )
    day = request.day or today
    if day > today:
        return _("A report cannot be filed for a day still to come.")
    if not duties_on(policy, day, unit):
        return _("{unit} owes no report on {day}.").format(unit=unit, day=day.isoformat())
    if request.kind is ReportKind.zero and request.cases:
        return _("A zero report names no cases.")
    if request.kind is ReportKind.matters and not (request.cases or request.note):
        return _("A report of matters names its cases or says what they are.")
    return None


def is_flagged(kind: ReportKind, cases_reported_before: int) -> bool:
    """A zero report while a case from the unit was reported earlier in the period."""
    return kind is ReportKind.zero and cases_reported_before > 0


class DutyFigures(BaseModel):
    """The period's report-duty figures of the daily and monthly reports."""

    #: The days counted (the daily report's is the day before its own).
    first: date | None = None
    last: date | None = None
    owed: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0
    zero: int = 0
    flagged: int = 0

    @property
    def filed(self) -> int:
        return self.on_time + self.late

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.owed if self.owed else None

    @property
    def zero_share(self) -> float | None:
        return self.zero / self.filed if self.filed else None


def figures_of(duties: list[tuple[Duty, Filing | None]], now: datetime) -> DutyFigures:
    """Figures of the duties whose cut-off has passed by `now` (one still due is not yet
    owed). A flagged or late zero report is still a zero report; flagged ones count as on
    time or late as their time says."""
    owed = [(d, f) for d, f in duties if d.cutoff_at <= now]
    filed = [(d, f) for d, f in owed if f is not None]
    return DutyFigures(
        owed=len(owed),
        on_time=sum(f.filed_at <= d.cutoff_at for d, f in filed),
        late=sum(f.filed_at > d.cutoff_at for d, f in filed),
        missing=len(owed) - len(filed),
        zero=sum(f.kind is ReportKind.zero for _, f in filed),
        flagged=sum(f.flagged for _, f in filed),
    )


class NoticeKind(StrEnum):
    reminder = "reminder"
    escalation = "escalation"

    @property
    def recipient_role(self) -> str:
        """The role an outbox row of this notice names (notification routes match on it): the
        unit that owes the report, or the level above that supervises it (督办)."""
        return "reporting_unit" if self is NoticeKind.reminder else "supervisor"

    @property
    def event(self) -> str:
        """The notification's `event` in the machine contract (docs/notifications.md)."""
        return f"duty_{self.value}"


def duty_key(unit: str, day: date, kind: NoticeKind) -> str:
    """The business key of a duty notice in the outbox: "<day>/<kind>/<unit>" (the unit last,
    so a unit's name may hold any character)."""
    return f"{day.isoformat()}/{kind.value}/{unit}"


def parse_duty_key(key: str) -> tuple[str, date, NoticeKind]:
    """(unit, day, kind) of a `duty_key`."""
    day, kind, unit = key.split("/", 2)
    return unit, date.fromisoformat(day), NoticeKind(kind)


class DutyRoundInput(BaseModel):
    """A duty round (the schedule's action): the policy as put in force, and the day (None:
    the local day of the round's start)."""

    model_config = ConfigDict(extra="forbid")

    policy: DutyPolicy
    day: date | None = None


class NoticeRequest(BaseModel):
    """Tell the units of `day` that have not filed: themselves (reminder) or the unit they
    report to (escalation)."""

    policy: DutyPolicy
    day: date
    kind: NoticeKind
    at: datetime


class NoticeResult(BaseModel):
    units: list[str]


class DutyRoundResult(BaseModel):
    day: date
    owed: int
    reminded: list[str]
    escalated: list[str]
