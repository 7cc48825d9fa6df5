"""Working-day calendar: the checked-in China schedule, parsing errors, deadlines on it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.calendar import (
    CalendarError,
    Deadline,
    Holiday,
    WorkCalendar,
    add_calendar,
    add_days,
    add_working_days,
    add_working_time,
    parse_calendar,
    working_time_between,
)
from runtime.config import ROOT
from texts import Lang

CN_TOML = ROOT / "calendars" / "cn.toml"
CST = timezone(timedelta(hours=8))  # Beijing time


@pytest.fixture(scope="module")
def cn() -> WorkCalendar:
    return parse_calendar(CN_TOML.read_text(encoding="utf-8"), source="calendars/cn.toml")


def at(text: str) -> datetime:
    """'2026-02-13 10:00' in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=CST)


def end_of(day: str) -> datetime:
    """24:00 of `day` in Beijing time (民法典 Art. 203: a period ends at 24:00 of its last day)."""
    return at(f"{day} 00:00") + timedelta(days=1)


def error_of(text: str, source: str = "test.toml") -> str:
    with pytest.raises(CalendarError) as info:
        parse_calendar(text, source=source)
    return str(info.value)


# --- the checked-in calendar -------------------------------------------------------------


def test_checked_in_calendar_loads_2025_and_2026(cn: WorkCalendar):
    assert cn.name == "cn"
    assert cn.years == [2025, 2026]
    assert cn.known(2025) and cn.known(2026)
    assert not cn.known(2024) and not cn.known(2027)


@pytest.mark.parametrize(("year", "days_off", "make_up"), [(2025, 28, 5), (2026, 33, 6)])
def test_checked_in_calendar_has_the_official_number_of_days(
    cn: WorkCalendar, year: int, days_off: int, make_up: int
):
    holidays = [h for h in cn.holidays if h.days[0].year == year]
    assert sum(len(h.days) for h in holidays) == days_off
    assert sum(len(h.workdays) for h in holidays) == make_up


@pytest.mark.parametrize(
    ("name", "days_off", "make_up"),
    [
        ("New Year's Day", "2025-01-01", ""),
        ("Spring Festival", "2025-01-28..2025-02-04", "2025-01-26 2025-02-08"),
        ("Qingming Festival", "2025-04-04..2025-04-06", ""),
        ("Labour Day", "2025-05-01..2025-05-05", "2025-04-27"),
        ("Dragon Boat Festival", "2025-05-31..2025-06-02", ""),
        ("National Day and Mid-Autumn", "2025-10-01..2025-10-08", "2025-09-28 2025-10-11"),
        ("New Year's Day", "2026-01-01..2026-01-03", "2026-01-04"),
        ("Spring Festival", "2026-02-15..2026-02-23", "2026-02-14 2026-02-28"),
        ("Qingming Festival", "2026-04-04..2026-04-06", ""),
        ("Labour Day", "2026-05-01..2026-05-05", "2026-05-09"),
        ("Dragon Boat Festival", "2026-06-19..2026-06-21", ""),
        ("Mid-Autumn Festival", "2026-09-25..2026-09-27", ""),
        ("National Day", "2026-10-01..2026-10-07", "2026-09-20 2026-10-10"),
    ],
)
def test_checked_in_calendar_matches_the_state_council_notice(
    cn: WorkCalendar, name: str, days_off: str, make_up: str
):
    first, _, last = days_off.partition("..")
    first_day, last_day = date.fromisoformat(first), date.fromisoformat(last or first)
    (holiday,) = [h for h in cn.holidays if h.name == name and h.days[0] == first_day]

    assert holiday.days[-1] == last_day
    assert len(holiday.days) == (last_day - first_day).days + 1  # every day spelled out
    assert holiday.workdays == [date.fromisoformat(d) for d in make_up.split()]


def test_checked_in_make_up_workdays_are_all_weekends(cn: WorkCalendar):
    assert all(day.weekday() >= 5 for h in cn.holidays for day in h.workdays)


# --- is_working_day ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 13), True),  # Friday before Spring Festival
        (date(2026, 2, 14), True),  # Saturday, make-up workday
        (date(2026, 2, 15), False),  # Sunday, first day of Spring Festival
        (date(2026, 2, 16), False),  # Monday inside Spring Festival
        (date(2026, 2, 23), False),  # Monday, last day of Spring Festival
        (date(2026, 2, 24), True),  # Tuesday, back to work
        (date(2026, 2, 28), True),  # Saturday, make-up workday
        (date(2026, 3, 1), False),  # plain Sunday
        (date(2026, 1, 1), False),  # Thursday, New Year's Day
        (date(2026, 1, 4), True),  # Sunday, make-up workday
        (date(2026, 5, 9), True),  # Saturday, Labour Day make-up
        (date(2026, 10, 7), False),  # Wednesday, National Day
        (date(2026, 10, 10), True),  # Saturday, National Day make-up
        (date(2026, 10, 11), False),  # plain Sunday after it
        (date(2026, 11, 27), True),  # plain Friday
        (date(2026, 11, 28), False),  # plain Saturday
        (date(2025, 1, 26), True),  # Sunday, 2025 Spring Festival make-up
        (date(2025, 10, 8), False),  # Wednesday, National Day and Mid-Autumn 2025
        (date(2025, 10, 11), True),  # Saturday, its make-up
        (date(2027, 1, 1), True),  # Friday of an unloaded year: weekends-only assumed
        (date(2027, 1, 2), False),  # Saturday of an unloaded year
    ],
)
def test_is_working_day(cn: WorkCalendar, day: date, working: bool):
    assert cn.is_working_day(day) is working


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 2, 14), "Spring Festival"),
        (date(2026, 2, 20), "Spring Festival"),
        (date(2026, 9, 20), "National Day"),
        (date(2026, 11, 27), None),
    ],
)
def test_holiday_on_names_the_holiday_a_day_belongs_to(cn: WorkCalendar, day: date, name: str):
    holiday = cn.holiday_on(day)
    assert (holiday.name if holiday else None) == name


# --- add_working_days --------------------------------------------------------------------


def test_deadline_across_the_2026_spring_festival(cn: WorkCalendar):
    # Fri 13 Feb 10:00 + 3: Sat 14 (make-up) 1, 15-23 off, Tue 24 2, Wed 25 3.
    deadline = add_working_days(at("2026-02-13 10:00"), 3, cn)

    assert deadline.due == end_of("2026-02-25")
    assert deadline.moved_by == [
        "make-up workday 2026-02-14 (Spring Festival) counted",
        "skipped Spring Festival 2026-02-15..2026-02-23",
    ]
    assert deadline.unknown_years == []
    assert any("Spring Festival" in reason for reason in deadline.moved_by)


def test_why_a_deadline_moved_is_written_in_the_case_language(cn: WorkCalendar):
    deadline = add_working_days(at("2026-02-13 10:00"), 3, cn, lang=Lang.zh)

    assert deadline.moved_by == [
        "2026-02-14为调休上班日（春节），计入",
        "春节2026-02-15..2026-02-23不计",
    ]


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        ("2026-02-13 10:00", 1, "2026-02-14"),  # the make-up Saturday itself
        ("2026-02-13 10:00", 2, "2026-02-24"),
        ("2026-02-18 09:00", 1, "2026-02-24"),  # started inside the holiday
        ("2026-02-27 09:00", 1, "2026-02-28"),  # make-up Saturday 28 Feb
        ("2026-10-09 15:30", 1, "2026-10-10"),  # make-up Saturday 10 Oct
        ("2026-09-30 10:00", 1, "2026-10-08"),  # National Day week skipped
        ("2026-09-30 10:00", 3, "2026-10-10"),  # ... then Thu, Fri, make-up Sat
        ("2026-09-30 10:00", 5, "2026-10-13"),  # ... Sun 11 off, Mon 12, Tue 13
        ("2026-04-30 10:00", 3, "2026-05-08"),  # Labour Day 1-5 May skipped
        ("2026-04-30 10:00", 4, "2026-05-09"),  # ... make-up Saturday 9 May
        ("2026-06-18 10:00", 1, "2026-06-22"),  # Dragon Boat Fri-Sun
        ("2025-12-31 10:00", 1, "2026-01-04"),  # New Year 1-3, make-up Sunday 4 Jan
        ("2025-01-24 10:00", 2, "2025-01-27"),  # Sat off, Sun 26 make-up, Mon
        ("2025-09-26 10:00", 3, "2025-09-30"),  # Sat off, Sun 28 make-up, Mon, Tue
        ("2025-09-30 10:00", 1, "2025-10-09"),  # National Day + Mid-Autumn 1-8 Oct
        ("2026-11-26 10:00", 2, "2026-11-30"),  # plain weekend
        ("2026-11-27 10:00", 1, "2026-11-30"),  # Friday to Monday
        ("2026-11-28 10:00", 1, "2026-11-30"),  # started on a Saturday
        ("2026-11-23 10:00", 5, "2026-11-30"),  # a working week
    ],
)
def test_deadline_ends_at_24_00_of_the_nth_working_day(
    cn: WorkCalendar, start: str, days: int, due: str
):
    assert add_working_days(at(start), days, cn).due == end_of(due)


@pytest.mark.parametrize(
    ("start", "days", "moved_by"),
    [
        ("2026-11-26 10:00", 2, ["weekend 2026-11-28..2026-11-29 skipped"]),
        ("2026-11-23 10:00", 4, []),
        ("2026-09-30 10:00", 5, [
            "skipped National Day 2026-10-01..2026-10-07",
            "make-up workday 2026-10-10 (National Day) counted",
            "weekend 2026-10-11 skipped",
        ]),
        ("2026-02-13 10:00", 10, [
            "make-up workday 2026-02-14 (Spring Festival) counted",
            "skipped Spring Festival 2026-02-15..2026-02-23",
            "make-up workday 2026-02-28 (Spring Festival) counted",
            "weekend 2026-03-01 skipped",
        ]),
        ("2026-09-18 10:00", 10, [
            "weekend 2026-09-19 skipped",
            "make-up workday 2026-09-20 (National Day) counted",
            "skipped Mid-Autumn Festival 2026-09-25..2026-09-27",
            "skipped National Day 2026-10-01..2026-10-07",
        ]),
        ("2026-02-18 09:00", 1, ["skipped Spring Festival 2026-02-19..2026-02-23"]),
    ],
)  # fmt: skip
def test_moved_by_gives_one_reason_per_run_of_days(
    cn: WorkCalendar, start: str, days: int, moved_by: list[str]
):
    assert add_working_days(at(start), days, cn).moved_by == moved_by


def test_a_weekend_next_to_a_holiday_is_reported_separately():
    cal = WorkCalendar(
        name="t", years=[2026], holidays=[Holiday(name="Test Day", days=[date(2026, 11, 27)])]
    )
    deadline = add_working_days(at("2026-11-26 10:00"), 1, cal)

    assert deadline.due == end_of("2026-11-30")
    assert deadline.moved_by == [
        "skipped Test Day 2026-11-27",
        "weekend 2026-11-28..2026-11-29 skipped",
    ]


def test_crossing_into_an_unloaded_year_assumes_weekends_only(cn: WorkCalendar):
    # Thu 31 Dec 2026 + 2: Fri 1 Jan 2027 counts (no 2027 schedule yet), weekend, Mon 4 Jan.
    deadline = add_working_days(at("2026-12-31 10:00"), 2, cn)

    assert deadline.due == end_of("2027-01-04")
    assert deadline.unknown_years == [2027]
    assert deadline.moved_by == ["weekend 2027-01-02..2027-01-03 skipped"]


def test_an_unloaded_year_before_the_calendar_is_reported_too(cn: WorkCalendar):
    # Mon 30 Dec 2024 + 3: Tue 31 (2024, unloaded) 1, 1 Jan 2025 holiday, Thu 2, Fri 3.
    deadline = add_working_days(at("2024-12-30 10:00"), 3, cn)

    assert deadline.due == end_of("2025-01-03")
    assert deadline.unknown_years == [2024]
    assert deadline.moved_by == ["skipped New Year's Day 2025-01-01"]


def test_deadline_is_returned_in_utc(cn: WorkCalendar):
    due = add_working_days(at("2026-02-13 10:00"), 3, cn).due
    assert due.utcoffset() == timedelta(0)
    assert due == datetime(2026, 2, 25, 16, 0, tzinfo=UTC)  # 24:00 on 25 Feb in Beijing


def test_days_are_counted_on_local_dates_not_utc_dates(cn: WorkCalendar):
    # 20:00 UTC on Fri 13 Feb is already Sat 14 Feb 04:00 in Beijing: that Saturday is the
    # start day and does not count, so the first working day is Tue 24 Feb.
    start = datetime(2026, 2, 13, 20, 0, tzinfo=UTC)
    assert add_working_days(start, 1, cn).due == end_of("2026-02-24")
    # Counted in UTC instead, Friday is the start day and the make-up Saturday counts.
    assert add_working_days(start, 1, cn, utc_offset_hours=0).due == datetime(
        2026, 2, 15, 0, 0, tzinfo=UTC
    )


def test_the_time_of_day_of_start_does_not_matter_only_its_day(cn: WorkCalendar):
    # Before issue 9 the deadline kept the start's clock time; the law ends it at 24:00.
    for start in ("2026-11-27 08:59:30.250000", "2026-11-27 23:59", "2026-11-27 00:00:01"):
        assert add_working_days(at(start), 1, cn).due == end_of("2026-11-30")


def test_a_start_at_midnight_is_the_end_of_the_day_before(cn: WorkCalendar):
    # 24:00 on Friday 27 Nov (a deadline) + 1 working day: Monday 30 Nov ends it, not Tuesday.
    assert add_working_days(end_of("2026-11-27"), 1, cn).due == end_of("2026-11-30")
    assert add_working_days(end_of("2026-11-26"), 1, cn).due == end_of("2026-11-27")


def test_naive_start_is_refused(cn: WorkCalendar):
    with pytest.raises(ValueError, match="no timezone"):
        add_working_days(datetime(2026, 2, 13, 10, 0), 1, cn)


@pytest.mark.parametrize("days", [0, -1])
def test_days_must_be_at_least_one(cn: WorkCalendar, days: int):
    with pytest.raises(ValueError, match="at least 1"):
        add_working_days(at("2026-02-13 10:00"), days, cn)


# --- add_calendar ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "due"),
    [
        (timedelta(hours=2), "2026-02-13 12:00"),
        (timedelta(days=7), "2026-02-20 10:00"),  # calendar days ignore the holiday
        (timedelta(days=60), "2026-04-14 10:00"),
    ],
)
def test_add_calendar_is_plain_time_with_no_reasons(delta: timedelta, due: str):
    deadline = add_calendar(at("2026-02-13 10:00"), delta)
    assert deadline == Deadline(due=at(due), moved_by=[], unknown_years=[])
    assert deadline.due.utcoffset() == timedelta(0)


def test_add_calendar_refuses_a_naive_start():
    with pytest.raises(ValueError, match="no timezone"):
        add_calendar(datetime(2026, 2, 13, 10, 0), timedelta(days=1))


# --- for_years and serialisation ---------------------------------------------------------


def test_for_years_keeps_only_the_requested_years(cn: WorkCalendar):
    sliced = cn.for_years([2026, 2027])

    assert sliced.name == "cn"
    assert sliced.years == [2026]  # 2027 is not loaded, so it is not claimed
    assert len(sliced.holidays) == 7
    assert {h.days[0].year for h in sliced.holidays} == {2026}
    assert not sliced.known(2025)
    assert sliced.is_working_day(date(2025, 10, 8))  # a 2025 holiday is a plain Wednesday now
    assert not sliced.is_working_day(date(2026, 10, 7))  # 2026 is still official
    assert add_working_days(at("2026-02-13 10:00"), 3, sliced) == add_working_days(
        at("2026-02-13 10:00"), 3, cn
    )


@pytest.mark.parametrize(
    ("years", "count"), [([2025], 6), ([2025, 2026], 13), ([], 0), ([2030], 0)]
)
def test_for_years_holiday_counts(cn: WorkCalendar, years: list[int], count: int):
    assert len(cn.for_years(years).holidays) == count


def test_calendar_round_trips_through_json(cn: WorkCalendar):
    text = cn.model_dump_json()
    again = WorkCalendar.model_validate_json(text)

    assert again == cn
    assert '"2026-02-15"' in text
    assert "_by_day" not in text
    # The lookup is rebuilt on load, so the copy a workflow receives answers the same.
    assert again.is_working_day(date(2026, 2, 14))
    assert not again.is_working_day(date(2026, 2, 16))


def test_calendar_is_frozen(cn: WorkCalendar):
    with pytest.raises(ValidationError):
        cn.name = "other"  # type: ignore[misc]


def holiday(name: str, days: list[str], workdays: tuple[str, ...] = ()) -> Holiday:
    return Holiday(
        name=name,
        days=[date.fromisoformat(d) for d in days],
        workdays=[date.fromisoformat(d) for d in workdays],
    )


@pytest.mark.parametrize(
    ("holidays", "message"),
    [
        ([holiday("X", ["2026-02-14"], ("2026-02-14",))], "twice"),
        ([holiday("X", ["2026-02-16"], ("2026-02-13",))], "not a weekend"),
        ([holiday("X", ["2025-10-01"])], "outside the loaded years"),
        ([holiday("X", [])], "no days off"),
        ([holiday("X", ["2025-12-31", "2026-01-01"])], "outside the loaded years"),
        ([holiday("X", ["2026-12-31"], ("2025-12-28",))], "outside the loaded years"),
        ([holiday("X", ["2026-05-01"]), holiday("Y", ["2026-05-01"])], "twice"),
    ],
)
def test_hand_built_or_json_calendars_are_checked_too(holidays: list[Holiday], message: str):
    with pytest.raises(ValidationError, match=message):
        WorkCalendar(name="t", years=[2026], holidays=holidays)
    # The same calendar arriving as workflow input JSON is refused the same way.
    payload = {"name": "t", "years": [2026], "holidays": [h.model_dump() for h in holidays]}
    with pytest.raises(ValidationError, match=message):
        WorkCalendar.model_validate_json(json.dumps(payload, default=str))


def test_a_holiday_may_not_span_two_years_even_when_both_are_loaded():
    with pytest.raises(ValidationError, match="2026-01-01 is not in 2025"):
        WorkCalendar(
            name="t", years=[2025, 2026], holidays=[holiday("X", ["2025-12-31", "2026-01-01"])]
        )


# --- parse_calendar: errors name the source and the key ----------------------------------

GOOD = """\
name = "t"

[2026]
holidays = [
  { name = "Spring Festival", days = ["2026-02-15..2026-02-23"] },
  { name = "National Day", days = [2026-10-01, "2026-10-02..2026-10-07"] },
]
workdays = [
  { date = "2026-02-14", holiday = "Spring Festival" },
  { date = 2026-10-10, holiday = "National Day" },
]
"""


def test_ranges_and_toml_date_literals_are_expanded():
    cal = parse_calendar(GOOD, source="t.toml")

    spring, national = cal.holidays
    assert spring.days == [date(2026, 2, d) for d in range(15, 24)]
    assert spring.workdays == [date(2026, 2, 14)]
    assert national.days == [date(2026, 10, d) for d in range(1, 8)]
    assert national.workdays == [date(2026, 10, 10)]


def test_a_year_table_may_have_no_holidays():
    cal = parse_calendar('name = "t"\n[2027]\n', source="t.toml")
    assert cal.years == [2027] and cal.holidays == []
    assert cal.known(2027)


def year_2026(holidays: str, workdays: str = "") -> str:
    return f'name = "t"\n[2026]\nholidays = [{holidays}]\nworkdays = [{workdays}]\n'


SPRING = '{ name = "Spring Festival", days = ["2026-02-15..2026-02-23"] }'


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        (year_2026(SPRING, '{ date = "2026-02-15", holiday = "Spring Festival" }'),
         ["2026.workdays[0].date", "2026-02-15 is already listed at 2026.holidays[0].days[0]"]),
        (year_2026(SPRING, '{ date = "2026-02-13", holiday = "Spring Festival" }'),
         ["2026.workdays[0].date", "2026-02-13 is not a Sat/Sun"]),
        (year_2026('{ name = "New Year", days = ["2025-12-31..2026-01-01"] }'),
         ["2026.holidays[0].days[0]", "2025-12-31 is outside the [2026] table"]),
        (year_2026(SPRING, '{ date = "2027-01-02", holiday = "Spring Festival" }'),
         ["2026.workdays[0].date", "2027-01-02 is outside the [2026] table"]),
        (year_2026('{ name = "X", days = ["2026-02-30"] }'),
         ["2026.holidays[0].days[0]", "'2026-02-30' is not a date"]),
        (year_2026('{ name = "X", days = ["15 Feb 2026"] }'),
         ["2026.holidays[0].days[0]", "'15 Feb 2026'"]),
        (year_2026('{ name = "X", days = ["2026-02-23..2026-02-15"] }'),
         ["2026.holidays[0].days[0]", "ends before it starts"]),
        (year_2026('{ name = "X", days = [20260215] }'),
         ["2026.holidays[0].days[0]", "20260215 is not a date"]),
        (year_2026(SPRING, '{ date = "2026-02-14", holiday = "Lantern" }'),
         ["2026.workdays[0].holiday", "'Lantern' is not a holiday of 2026"]),
        (year_2026(f"{SPRING}, {SPRING}"), ["2026.holidays[1].name", "listed twice"]),
        (year_2026('{ name = "X", days = [] }'), ["2026.holidays[0].days", "non-empty list"]),
        (year_2026('{ days = ["2026-02-16"] }'), ["2026.holidays[0].name", "missing"]),
        (year_2026('{ name = "X", days = ["2026-02-16"], note = "" }'),
         ["2026.holidays[0]", "unknown key 'note'"]),
        (year_2026('{ name = "A", days = ["2026-02-16"] }, { name = "B", days = ["2026-02-16"] }'),
         ["2026.holidays[1].days[0]", "already listed at 2026.holidays[0].days[0]"]),
        ('name = "t"\n[calendar]\n', ["calendar", "not a year table"]),
        ('name = "t"\n[2026]\nextra = 1\n', ["2026", "unknown key 'extra'"]),
        ('[2026]\n', ["name", "missing"]),
        ('name = "t"\n[2026\n', ["not valid TOML"]),
    ],
)  # fmt: skip
def test_parse_errors_name_the_source_and_the_key(text: str, fragments: list[str]):
    message = error_of(text, source="calendars/test.toml")
    assert message.startswith("calendars/test.toml: ")
    for fragment in fragments:
        assert fragment in message


def test_calendar_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_calendar("name = 1", source="t.toml")


# --- add_days: a period of calendar days, as the law counts it --------------------------------


@pytest.mark.parametrize(
    ("start", "days", "last_day", "moved"),
    [
        ("2026-11-20 10:00", 1, "2026-11-23", True),  # Sat 21 is a day off: Monday
        ("2026-11-18 10:00", 2, "2026-11-20", False),  # Friday
        ("2026-11-18 23:59", 2, "2026-11-20", False),  # the hour does not matter
        ("2026-09-05 10:00", 30, "2026-10-08", True),  # 5 Oct falls in National Day
        ("2026-11-20 00:00", 1, "2026-11-20", False),  # from 24:00 on the 19th
        ("2026-02-10 09:00", 5, "2026-02-24", True),  # 15 Feb: Spring Festival to the 24th
        ("2026-02-09 09:00", 5, "2026-02-14", False),  # a make-up Saturday is a working day
    ],
)
def test_a_period_of_days_ends_at_24_00_of_its_last_day_moved_past_days_off(
    cn: WorkCalendar, start: str, days: int, last_day: str, moved: bool
):
    deadline = add_days(at(start), days, cn)

    assert deadline.due == end_of(last_day)
    assert bool(deadline.moved_by) is moved


def test_add_days_names_why_the_last_day_moved(cn: WorkCalendar):
    assert add_days(at("2026-09-05 10:00"), 30, cn).moved_by == [
        "last day 2026-10-05 is a day off (National Day): moved to 2026-10-08"
    ]


# --- a pause on working-day time ---------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "hours"),
    [
        ("2026-11-27 10:00", "2026-11-29 10:00", 14),  # Friday 10:00 to Sunday: 14 h of Friday
        ("2026-11-28 10:00", "2026-11-30 00:00", 0),  # a weekend only
        ("2026-11-26 12:00", "2026-11-30 12:00", 48),  # Thu 12 + Fri 24 + Mon 12
        ("2026-09-30 12:00", "2026-10-08 12:00", 24),  # over National Day: 30 Sep 12 + 8 Oct 12
        ("2026-11-23 09:00", "2026-11-23 09:00", 0),
    ],
)
def test_working_time_between_counts_only_working_days(
    cn: WorkCalendar, start: str, end: str, hours: float
):
    assert working_time_between(at(start), at(end), cn) == timedelta(hours=hours)


@pytest.mark.parametrize(
    ("start", "hours", "end"),
    [
        ("2026-11-27 10:00", 14, "2026-11-28 00:00"),  # exactly filling Friday: its 24:00
        ("2026-11-27 10:00", 15, "2026-11-30 01:00"),  # the weekend is skipped
        ("2026-11-28 00:00", 24, "2026-12-01 00:00"),  # from a Saturday: Monday counts
        ("2026-09-30 12:00", 24, "2026-10-08 12:00"),
        ("2026-11-23 09:00", 0, "2026-11-23 09:00"),
    ],
)
def test_add_working_time_skips_days_off(cn: WorkCalendar, start: str, hours: float, end: str):
    assert add_working_time(at(start), timedelta(hours=hours), cn) == at(end)
