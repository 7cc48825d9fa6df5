"""Assessment periods: a day, an ISO week or a month of local (Beijing) time.

"日清周评月考核" — clear every day, review every week, assess every month. A period label is
'2026-11-23' (a day), '2026-W47' (an ISO week, Monday to Sunday) or '2026-11' (a month); each
covers `[start, end)` in UTC+8, the local time of every county the engine serves (China has no
daylight saving, so a fixed offset is exact). Pure: no I/O, no clock — "now" is passed in.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

#: Beijing time. Period boundaries are local midnights, not UTC ones.
LOCAL_TZ = timezone(timedelta(hours=8), "UTC+8")

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class PeriodKind(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class AssessmentKind(StrEnum):
    """The three rhythms of the assessment cycle and the period each one covers."""

    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"

    @property
    def period_kind(self) -> PeriodKind:
        return {
            AssessmentKind.daily: PeriodKind.day,
            AssessmentKind.weekly: PeriodKind.week,
            AssessmentKind.monthly: PeriodKind.month,
        }[self]


class Period(BaseModel):
    """A labelled half-open interval `[start, end)` of aware datetimes (UTC+8)."""

    model_config = ConfigDict(frozen=True)

    label: str
    kind: PeriodKind
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ)


def day_period(day: date) -> Period:
    return Period(
        label=day.isoformat(),
        kind=PeriodKind.day,
        start=_midnight(day),
        end=_midnight(day + timedelta(days=1)),
    )


def week_period(iso_year: int, week: int) -> Period:
    """ISO week `week` of `iso_year`: the ISO year, which differs from the calendar year
    around New Year (2026-W53 ends on Sunday 2027-01-03; 2027-W01 starts Monday 2027-01-04)."""
    monday = date.fromisocalendar(iso_year, week, 1)  # ValueError for a week that does not exist
    return Period(
        label=f"{iso_year:04d}-W{week:02d}",
        kind=PeriodKind.week,
        start=_midnight(monday),
        end=_midnight(monday + timedelta(days=7)),
    )


def month_period(year: int, month: int) -> Period:
    first = date(year, month, 1)
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return Period(
        label=f"{year:04d}-{month:02d}",
        kind=PeriodKind.month,
        start=_midnight(first),
        end=_midnight(following),
    )


def parse_period(label: str) -> Period:
    """'2026-11-23', '2026-W47' or '2026-11' -> Period; ValueError naming the label otherwise."""
    text = label.strip()
    try:
        if match := _DAY.match(text):
            return day_period(date(*(int(g) for g in match.groups())))
        if match := _WEEK.match(text):
            return week_period(int(match.group(1)), int(match.group(2)))
        if match := _MONTH.match(text):
            return month_period(int(match.group(1)), int(match.group(2)))
    except ValueError as err:
        raise ValueError(f"period {label!r} does not exist: {err}") from None
    raise ValueError(
        f"period {label!r} must be a day '2026-11-23', an ISO week '2026-W47' or a month '2026-11'"
    )


def default_period(kind: AssessmentKind, now: datetime) -> Period:
    """The period a scheduled run covers when none is given, from the local date of `now`:
    daily -> today (the clearance list as of now), weekly -> the previous ISO week,
    monthly -> the previous month."""
    today = now.astimezone(LOCAL_TZ).date()
    if kind is AssessmentKind.daily:
        return day_period(today)
    if kind is AssessmentKind.weekly:
        iso = (today - timedelta(days=7)).isocalendar()
        return week_period(iso.year, iso.week)
    last_month = today.replace(day=1) - timedelta(days=1)
    return month_period(last_month.year, last_month.month)


def period_of_kind(kind: AssessmentKind, label: str) -> Period:
    """`label` parsed, refused unless it is the kind's granularity: a monthly assessment of a
    single day would mislead whoever reads it."""
    period = parse_period(label)
    if period.kind is not kind.period_kind:
        raise ValueError(
            f"a {kind.value} assessment needs a {kind.period_kind.value} period, "
            f"not {label!r} (a {period.kind.value})"
        )
    return period


def resolve_period(kind: AssessmentKind, label: str | None, now: datetime) -> Period:
    """The period of an assessment run: `label` when given, else the default for `now`."""
    return default_period(kind, now) if label is None else period_of_kind(kind, label)
