"""Working-day calendar: China's public holidays and make-up workdays, and deadlines on them.

Many limits are counted in working days, and China's working days move every year: the State
Council publishes the holidays (放假) and the weekend days worked to pay for them (调休上班).
The schedule is data (`calendars/cn.toml`), parsed here into a frozen model that each case
copies into its workflow input, so a later edit of the file never changes a running case.
Pure: parsing takes text, deadlines take `start` from the caller (the workflow's clock).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from pydantic import BaseModel, ConfigDict, PrivateAttr, ValidationError

from texts import Lang, texts
from texts.terms import label

_DAY = timedelta(days=1)
_WEEKEND = "weekend"


class CalendarError(ValueError):
    """The calendar file is unreadable or breaks a rule; the message names the key or date."""


class Holiday(BaseModel):
    """One holiday period of one year: its days off and the weekend days worked for it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    days: list[date]
    #: Make-up workdays (调休上班): Saturdays or Sundays that are working days.
    workdays: list[date] = []


class WorkCalendar(BaseModel):
    """Official holidays for some years; any other year is assumed to be weekends-only."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    #: Years whose official schedule is loaded; a year without holidays is still "known".
    years: list[int]
    holidays: list[Holiday]
    # date -> (holiday, is a make-up workday); rebuilt from the fields, never serialised.
    _by_day: dict[date, tuple[Holiday, bool]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        # Checked here, not only in the parser, because a calendar also arrives as workflow
        # input JSON; pydantic reports a ValueError here as a ValidationError.
        self._by_day = _index(self.holidays, self.years)

    def is_working_day(self, day: date) -> bool:
        """A make-up workday works; a holiday does not; otherwise Monday to Friday."""
        entry = self._by_day.get(day)
        return entry[1] if entry is not None else day.weekday() < 5

    def known(self, year: int) -> bool:
        """Whether the official schedule for `year` is loaded."""
        return year in self.years

    def for_years(self, years: Iterable[int]) -> WorkCalendar:
        """A copy holding only `years` (those loaded), so a case carries just its slice."""
        keep = sorted(set(years) & set(self.years))
        return WorkCalendar(
            name=self.name,
            years=keep,
            holidays=[h for h in self.holidays if h.days[0].year in keep],
        )

    def holiday_on(self, day: date) -> Holiday | None:
        """The holiday `day` is off for or worked for, if any."""
        entry = self._by_day.get(day)
        return entry[0] if entry is not None else None


def _index(holidays: list[Holiday], years: list[int]) -> dict[date, tuple[Holiday, bool]]:
    """date -> (its holiday, whether it is a make-up workday); ValueError if ambiguous,
    since an ambiguous day would make is_working_day depend on list order."""
    by_day: dict[date, tuple[Holiday, bool]] = {}
    for holiday in holidays:
        if not holiday.days:
            raise ValueError(f"{holiday.name}: no days off")
        for day in (*holiday.days, *holiday.workdays):
            if day.year not in years:
                raise ValueError(f"{holiday.name}: {day} is outside the loaded years")
            if day.year != holiday.days[0].year:  # for_years slices by a holiday's year
                raise ValueError(f"{holiday.name}: {day} is not in {holiday.days[0].year}")
            if day in by_day:
                raise ValueError(f"{day} is listed twice ({holiday.name})")
            by_day[day] = (holiday, day in holiday.workdays)
            if day in holiday.workdays and day.weekday() < 5:
                raise ValueError(f"{holiday.name}: make-up workday {day} is not a weekend")
    return by_day


#: The calendar of a case that carries none: Monday to Friday work, no holidays known.
WEEKENDS_ONLY = WorkCalendar(name="weekends only", years=[], holidays=[])


def _dates(value: Any, key: str) -> list[date]:
    """'2026-02-15' -> one day; '2026-02-15..2026-02-23' -> every day, both ends included."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return [value]  # a bare TOML date literal
    if not isinstance(value, str):
        raise CalendarError(f"{key}: {value!r} is not a date like '2026-02-15'")
    first, sep, last = value.partition("..")
    try:
        lo = date.fromisoformat(first.strip())
        hi = date.fromisoformat(last.strip()) if sep else lo
    except ValueError:
        raise CalendarError(f"{key}: {value!r} is not a date or 'YYYY-MM-DD..YYYY-MM-DD'") from None
    if hi < lo:
        raise CalendarError(f"{key}: range {value!r} ends before it starts")
    return [lo + i * _DAY for i in range((hi - lo).days + 1)]


def _table(data: Any, key: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise CalendarError(f"{key}: expected a table, got {data!r}")
    extra = sorted(set(data) - allowed)
    if extra:
        raise CalendarError(f"{key}: unknown key {extra[0]!r}")
    return data


def _year(year: int, data: Any, key: str) -> list[Holiday]:
    data = _table(data, key, {"holidays", "workdays"})
    seen: dict[date, str] = {}

    def claim(day: date, where: str) -> None:
        # Every date belongs to its own year's table, so known(year) means exactly that
        # year's days, and for_years slices by table.
        if day.year != year:
            raise CalendarError(f"{where}: {day} is outside the [{year}] table")
        if day in seen:
            raise CalendarError(f"{where}: {day} is already listed at {seen[day]}")
        seen[day] = where

    days_of: dict[str, list[date]] = {}
    for i, entry in enumerate(data.get("holidays", [])):
        where = f"{key}.holidays[{i}]"
        entry = _table(entry, where, {"name", "days"})
        name, values = entry.get("name"), entry.get("days")
        if not isinstance(name, str) or not name.strip():
            raise CalendarError(f"{where}.name: missing or empty")
        if name in days_of:
            raise CalendarError(f"{where}.name: {name!r} is listed twice")
        if not isinstance(values, list) or not values:
            raise CalendarError(f"{where}.days: expected a non-empty list of dates")
        days_of[name] = []
        for j, value in enumerate(values):
            for day in _dates(value, f"{where}.days[{j}]"):
                claim(day, f"{where}.days[{j}]")
                days_of[name].append(day)

    workdays_of: dict[str, list[date]] = {name: [] for name in days_of}
    for i, entry in enumerate(data.get("workdays", [])):
        where = f"{key}.workdays[{i}]"
        entry = _table(entry, where, {"date", "holiday"})
        owner = entry.get("holiday")
        if owner not in workdays_of:
            raise CalendarError(f"{where}.holiday: {owner!r} is not a holiday of {year}")
        for day in _dates(entry.get("date"), f"{where}.date"):
            claim(day, f"{where}.date")
            if day.weekday() < 5:
                raise CalendarError(f"{where}.date: make-up workday {day} is not a Sat/Sun")
            workdays_of[owner].append(day)

    return [
        Holiday(name=name, days=sorted(days), workdays=sorted(workdays_of[name]))
        for name, days in days_of.items()
    ]


def parse_calendar(text: str, *, source: str) -> WorkCalendar:
    """Parse calendar TOML (a `name` and one [YYYY] table per year); errors name the key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise CalendarError(f"{source}: not valid TOML: {err}") from None
    name = data.pop("name", None)
    if not isinstance(name, str) or not name.strip():
        raise CalendarError(f"{source}: name: missing or empty")
    years: list[int] = []
    holidays: list[Holiday] = []
    try:
        for key, table in data.items():
            if not (key.isdigit() and len(key) == 4):
                raise CalendarError(f"{key}: not a year table like [2026]")
            years.append(int(key))
            holidays.extend(_year(int(key), table, key))
        return WorkCalendar(name=name, years=sorted(years), holidays=holidays)
    except (CalendarError, ValidationError) as err:
        raise CalendarError(f"{source}: {err}") from None


@dataclass(frozen=True)
class Deadline:
    """When time runs out, and why it is later than a plain count of days would say."""

    due: datetime
    #: Human-readable reasons the deadline moved: holidays and weekends skipped, make-up
    #: workdays counted; one line per consecutive run of days.
    moved_by: list[str] = field(default_factory=list)
    #: Years crossed without an official schedule loaded: only weekends were skipped there.
    unknown_years: list[int] = field(default_factory=list)


def _start_day(start: datetime, utc_offset_hours: int) -> tuple[date, timezone]:
    """The local day a day count starts after (民法典 Art. 201: the starting day does not
    count). A start at exactly local midnight is 24:00 of the day before — the end of an
    earlier period — so a count from it starts on the day it ends, not a day later."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"start {start.isoformat()} has no timezone")
    zone = timezone(timedelta(hours=utc_offset_hours))
    local = start.astimezone(zone)
    day = local.date()
    if local.timetz().replace(tzinfo=None) == time(0):
        day -= _DAY
    return day, zone


def _end_of(day: date, zone: timezone) -> datetime:
    """24:00 local of `day`, in UTC."""
    return datetime.combine(day + _DAY, time(0), tzinfo=zone).astimezone(UTC)


def add_working_days(
    start: datetime,
    days: int,
    cal: WorkCalendar,
    *,
    utc_offset_hours: int = 8,
    end_of_day: bool = True,
    lang: Lang = Lang.en,
) -> Deadline:
    """The deadline `days` working days after `start`, returned in UTC.

    Counted as the law counts a period of days (民法典 Arts. 201 and 203): on local dates
    (UTC+8 by default; China has no daylight saving), the day of `start` does not count, and
    the period ends at 24:00 local of the n-th following working day ("received Friday 10:00,
    3 working days" ends at 24:00 on the third working day). Years the count crosses without a
    loaded schedule are assumed weekends-only and reported in `unknown_years`.

    `end_of_day` False is the count before issue 9, kept for cases started under it (their
    replay must not change): the deadline keeps the local clock time of `start`. `moved_by`
    is written in `lang`, the case's language.
    """
    _ = texts("case", lang)
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    day, zone = _start_day(start, utc_offset_hours)
    local = start.astimezone(zone)
    if not end_of_day:
        day = local.date()
    moved_by: list[str] = []
    unknown: list[int] = []
    run: list[date] = []  # consecutive days off with the same label, not yet reported
    run_label = ""

    def flush() -> None:
        if run:
            span = f"{run[0]}" if len(run) == 1 else f"{run[0]}..{run[-1]}"
            weekend = run_label == _WEEKEND
            moved_by.append(
                _("weekend {span} skipped").format(span=span)
                if weekend
                else _("skipped {holiday} {span}").format(
                    holiday=label("holiday", run_label, lang), span=span
                )
            )
            run.clear()

    counted = 0
    while counted < days:
        day += _DAY
        if not cal.known(day.year) and day.year not in unknown:
            unknown.append(day.year)
        holiday = cal.holiday_on(day)
        if cal.is_working_day(day):
            flush()
            counted += 1
            if holiday is not None:
                moved_by.append(
                    _("make-up workday {day} ({holiday}) counted").format(
                        day=day, holiday=label("holiday", holiday.name, lang)
                    )
                )
            continue
        off = holiday.name if holiday is not None else _WEEKEND
        if off != run_label:
            flush()
            run_label = off
        run.append(day)
    due = _end_of(day, zone) if end_of_day else datetime.combine(day, local.timetz())
    return Deadline(due=due.astimezone(UTC), moved_by=moved_by, unknown_years=unknown)


def add_days(
    start: datetime,
    days: int,
    cal: WorkCalendar,
    *,
    utc_offset_hours: int = 8,
    lang: Lang = Lang.en,
) -> Deadline:
    """The end of a period of `days` calendar days from `start`, as the law counts it
    (民法典 Arts. 201 and 203): from the next local day, ending at 24:00 local of the last day;
    a last day that is a holiday or a weekend moves to the next working day after it."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    first, zone = _start_day(start, utc_offset_hours)
    last = first + days * _DAY
    moved_by: list[str] = []
    unknown = [] if cal.known(last.year) else [last.year]
    if not cal.is_working_day(last):
        off = last
        while not cal.is_working_day(last):
            last += _DAY
            if not cal.known(last.year) and last.year not in unknown:
                unknown.append(last.year)
        holiday = cal.holiday_on(off)
        why = holiday.name if holiday is not None else _WEEKEND
        _ = texts("case", lang)
        moved_by.append(
            _("last day {day} is a day off ({why}): moved to {last}").format(
                day=off, why=label("holiday", why, lang), last=last
            )
        )
    return Deadline(due=_end_of(last, zone), moved_by=moved_by, unknown_years=unknown)


def working_time_between(
    start: datetime, end: datetime, cal: WorkCalendar, *, utc_offset_hours: int = 8
) -> timedelta:
    """How much of `[start, end)` falls on working days (whole local days of the calendar)."""
    zone = timezone(timedelta(hours=utc_offset_hours))
    cursor, end = start.astimezone(zone), end.astimezone(zone)
    total = timedelta(0)
    while cursor < end:
        midnight = datetime.combine(cursor.date() + _DAY, time(0), tzinfo=zone)
        if cal.is_working_day(cursor.date()):
            total += min(midnight, end) - cursor
        cursor = midnight
    return total


def add_working_time(
    start: datetime, amount: timedelta, cal: WorkCalendar, *, utc_offset_hours: int = 8
) -> datetime:
    """`start` moved on by `amount` of working-day time, skipping days off; in UTC. Exactly
    filling a working day ends at its 24:00."""
    zone = timezone(timedelta(hours=utc_offset_hours))
    cursor, left = start.astimezone(zone), amount
    while left > timedelta(0):
        midnight = datetime.combine(cursor.date() + _DAY, time(0), tzinfo=zone)
        if cal.is_working_day(cursor.date()):
            if cursor + left <= midnight:
                return (cursor + left).astimezone(UTC)
            left -= midnight - cursor
        cursor = midnight
    return cursor.astimezone(UTC)


def add_calendar(start: datetime, delta: timedelta) -> Deadline:
    """A calendar-time deadline, shaped like a working-day one so callers handle both alike."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError(f"start {start.isoformat()} has no timezone")
    return Deadline(due=(start + delta).astimezone(UTC), moved_by=[], unknown_years=[])
