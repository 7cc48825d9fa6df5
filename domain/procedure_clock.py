"""When a statutory window ends: days, working days and months as the law counts them.

民法典 Arts. 200–204: a period in days or months starts counting on the day after its starting
event (Art. 201); a period in months ends on the same-numbered day of the last month, or that
month's last day when it has no such day (Art. 202); a last day that is a public holiday or a
weekend moves to the next working day and the period ends at 24:00 (Art. 203). Periods that do
not count (an appraisal, a hearing: 审限规定 Art. 9, 信访工作条例 Art. 36 ¶2) push the end back
by the days they lasted. A demo policy may run every statutory day as a few minutes: the same
count, scaled; a window in working days first finds its last day on the calendar, so each
scaled day keeps its weekday and holiday character (5 working days from a Friday are 7 scaled
days: the weekend runs too, as it would). Pure: every time comes from the caller.
"""

from __future__ import annotations

import calendar as months_calendar
from datetime import date, datetime, timedelta, timezone

from pydantic import BaseModel, ConfigDict

from domain.calendar import WorkCalendar, _start_day, add_days, add_working_days
from domain.procedure_table import Length


class Pause(BaseModel):
    """A period that does not count: from `start` until `end` (None while it lasts)."""

    model_config = ConfigDict(frozen=True)

    reason: str
    start: datetime
    end: datetime | None = None


def month_end(start: date, months: int) -> date:
    """The last day of a period of `months` months from `start` (民法典 Art. 202)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, months_calendar.monthrange(year, month)[1]))


def _local_date(moment: datetime, utc_offset_hours: int) -> date:
    return moment.astimezone(timezone(timedelta(hours=utc_offset_hours))).date()


def paused_days(
    pauses: list[Pause], unit: str, cal: WorkCalendar, *, utc_offset_hours: int
) -> int | None:
    """Whole days the pauses lasted (working days for a window in working days): each from
    the local day it began to the day it ended. None while a pause lasts."""
    total = 0
    for pause in pauses:
        if pause.end is None:
            return None
        first = _local_date(pause.start, utc_offset_hours)
        last = _local_date(pause.end, utc_offset_hours)
        if unit == "wd":
            days = (first + timedelta(days=i + 1) for i in range((last - first).days))
            total += sum(1 for day in days if cal.is_working_day(day))
        else:
            total += (last - first).days
    return total


def calendar_days(starts_at: datetime, length: Length, *, utc_offset_hours: int) -> int:
    """A length in days or months as the calendar days it spans from `starts_at`."""
    if length.unit != "mo":
        return length.amount
    first, _zone = _start_day(starts_at, utc_offset_hours)
    return (month_end(first, length.amount) - first).days


def working_days_span(starts_at: datetime, amount: int, cal: WorkCalendar, offset: int) -> int:
    """The calendar days from `starts_at`'s local day to the last of `amount` working days
    after it (weekends, holidays and make-up workdays as `cal` has them)."""
    first, _zone = _start_day(starts_at, offset)
    due = add_working_days(starts_at, amount, cal, utc_offset_hours=offset).due
    return (_local_date(due - timedelta(microseconds=1), offset) - first).days


def window_due(
    starts_at: datetime,
    length: Length,
    pauses: list[Pause],
    cal: WorkCalendar,
    *,
    utc_offset_hours: int = 8,
    day: timedelta | None = None,
    scaled_calendar: bool = False,
) -> datetime | None:
    """When a window of `length` (its extensions included) from `starts_at` ends, the
    `pauses` not counted; None while a pause lasts. `day` runs each statutory day as that
    long (a demo policy), pauses then counting as the time they lasted; with
    `scaled_calendar`, a window in working days runs the calendar days it spans from
    `starts_at`'s local day (before, each working day ran as one scaled day)."""
    if any(p.end is None for p in pauses):
        return None
    if day is not None:
        if length.unit == "mo":
            days = calendar_days(starts_at, length, utc_offset_hours=utc_offset_hours)
        elif length.unit == "wd" and scaled_calendar:
            days = working_days_span(starts_at, length.amount, cal, utc_offset_hours)
        else:
            days = length.amount
        lost = sum((p.end - p.start for p in pauses if p.end is not None), timedelta(0))
        return starts_at + days * day + lost
    extra = paused_days(pauses, length.unit, cal, utc_offset_hours=utc_offset_hours) or 0
    if length.unit == "wd":
        return add_working_days(
            starts_at, length.amount + extra, cal, utc_offset_hours=utc_offset_hours
        ).due
    days = calendar_days(starts_at, length, utc_offset_hours=utc_offset_hours)
    return add_days(starts_at, days + extra, cal, utc_offset_hours=utc_offset_hours).due
