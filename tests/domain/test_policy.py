"""Deadline policy: durations, parsing the TOML with errors that name the key, deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.calendar import WorkCalendar, parse_calendar
from domain.intake_models import Complexity, DisputeType
from domain.ladder import Level
from domain.mediation_policy import Track
from domain.policy import Budget, Policy, PolicyError, parse_duration, parse_policy
from domain.risk import RiskColour
from runtime.config import ROOT

POLICY_TOML = ROOT / "policy.toml"
DEMO_TOML = ROOT / "policies" / "demo.toml"
CN_TOML = ROOT / "calendars" / "cn.toml"
CST = timezone(timedelta(hours=8))  # Beijing time


@pytest.fixture(scope="module")
def policy() -> Policy:
    """The checked-in policy.toml, without a calendar (weekends only)."""
    return parse_policy(POLICY_TOML.read_text(encoding="utf-8"), source="policy.toml")


@pytest.fixture(scope="module")
def cn() -> WorkCalendar:
    return parse_calendar(CN_TOML.read_text(encoding="utf-8"), source="calendars/cn.toml")


@pytest.fixture(scope="module")
def with_cn(policy: Policy, cn: WorkCalendar) -> Policy:
    """policy.toml carrying the China calendar, as a case started in 2026 copies it."""
    return policy.model_copy(update={"calendar": cn.for_years([2026, 2027])})


def at(text: str) -> datetime:
    """'2026-02-13 10:00' in Beijing time; '2026-02-13 24:00' is the end of that day."""
    if text.endswith(" 24:00"):
        return at(text.replace(" 24:00", " 00:00")) + timedelta(days=1)
    return datetime.fromisoformat(text).replace(tzinfo=CST)


MINIMAL = """\
name = "test-policy"

[budgets.simple]
grid = "1h"
village = "2h"
township = "3h"
county = "4h"

[budgets.general]
grid = "1d"
village = "2d"
township = "4d"
county = "15d"

[budgets.complex]
grid = "2d"
village = "5d"
township = "13d"
county = "30d"
"""


def error_of(text: str, source: str = "test.toml") -> str:
    with pytest.raises(PolicyError) as info:
        parse_policy(text, source=source)
    return str(info.value)


# --- parse_duration ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        ("0.5d", timedelta(hours=12)),
        ("1.5h", timedelta(minutes=90)),
        (" 2m ", timedelta(minutes=2)),
        ("3 d", timedelta(days=3)),
    ],
)
def test_parse_duration_reads_number_and_unit(text: str, expected: timedelta):
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "7", "7w", "-1d", "abc", "d", "1.d", "1h30m", "1D"])
def test_parse_duration_rejects_malformed_text_and_quotes_it(text: str):
    with pytest.raises(ValueError, match="is not a duration") as info:
        parse_duration(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize("text", ["0m", "0s", "0.0d"])
def test_parse_duration_rejects_zero_length(text: str):
    with pytest.raises(ValueError, match="must be longer than zero") as info:
        parse_duration(text)
    assert repr(text) in str(info.value)


# --- Budget.parse --------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "days"), [("5wd", 5), ("1wd", 1), ("20wd", 20), (" 3 wd ", 3)])
def test_budget_parse_reads_working_days(text: str, days: int):
    budget = Budget.parse(text)
    assert budget.working_days == days
    assert budget.calendar is None
    assert budget.text == text.strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("30m", timedelta(minutes=30)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        ("0.5d", timedelta(hours=12)),
    ],
)
def test_budget_parse_reads_calendar_durations(text: str, expected: timedelta):
    budget = Budget.parse(text)
    assert budget.calendar == expected
    assert budget.working_days is None
    assert budget.text == text


@pytest.mark.parametrize("text", ["0wd", "1.5wd", "0.5wd", "2.0001wd"])
def test_budget_parse_refuses_working_days_that_are_not_whole_and_positive(text: str):
    with pytest.raises(ValueError, match="working days must be a whole number") as info:
        Budget.parse(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    ("text", "why"),
    [("soon", "is not a duration"), ("5w", "is not a duration"), ("0d", "longer than zero")],
)
def test_budget_parse_refuses_malformed_or_zero_calendar_time(text: str, why: str):
    with pytest.raises(ValueError, match=why) as info:
        Budget.parse(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("1000000000d", "at most 3653d"),
        ("99999999999999999999d", "at most 3653d"),
        ("3000000d", "at most 3653d"),
        ("3654d", "at most 3653d"),
        ("87697h", "at most 3653d"),
        ("2501wd", "at most 2500wd"),
        ("99999999999999999999wd", "at most 2500wd"),
    ],
)
def test_budget_parse_bounds_every_duration(text: str, limit: str):
    with pytest.raises(ValueError, match=limit) as info:
        Budget.parse(text)
    assert repr(text) in str(info.value)


@pytest.mark.parametrize("text", ["3653d", "2500wd", "87672h"])
def test_budget_parse_accepts_the_longest_durations(with_cn: Policy, text: str):
    # The date arithmetic a workflow does with them stays in range.
    budget = Budget.parse(text)
    start = datetime(2026, 11, 23, tzinfo=UTC)
    assert with_cn.after(start, budget).due > start


def test_parse_duration_refuses_working_days():
    # Visits and retries are calendar time only; a "wd" there is a mistake, not a day count.
    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration("5wd")


# --- parse_policy: the checked-in files --------------------------------------------------


def test_checked_in_policy_parses_with_its_documented_budgets(policy: Policy):
    assert policy.name == "county-default-2026"
    assert policy.utc_offset_hours == 8
    assert policy.yellow_amount_cny == 50_000
    assert policy.red_amount_cny == 500_000
    assert policy.budget(Complexity.general, Level.grid).calendar == timedelta(days=1)
    assert policy.budget(Complexity.simple, Level.village).calendar == timedelta(hours=6)
    assert policy.budget(Complexity.complex, Level.county).working_days == 20
    assert policy.budget(Complexity.general, Level.county).working_days == 10
    assert policy.opens_at == {
        RiskColour.green: Level.grid,
        RiskColour.yellow: Level.grid,
        RiskColour.red: Level.township,
    }
    assert policy.calendar is None


def test_checked_in_policy_has_its_documented_warnings_extensions_and_visits(policy: Policy):
    assert (policy.warnings.yellow, policy.warnings.red) == (0.5, 0.8)
    assert policy.extension_cap == 0.5
    assert policy.transfer_objection_window == "5wd"
    assert Budget.parse(policy.transfer_objection_window).working_days == 5
    visits = policy.return_visits
    assert visits.schedule == {"satisfaction": "1d", "performance": "30d"}
    assert (visits.window, visits.retry_after, visits.retries) == ("2d", "1d", 2)
    assert (visits.reopen_window, visits.reopen_at) == ("90d", "same")


@pytest.mark.parametrize(
    ("complexity", "below_county", "county_working_days"),
    [
        (Complexity.simple, timedelta(days=1), 3),  # 6h + 6h + 12h, then 3wd
        (Complexity.general, timedelta(days=7), 10),  # 1 + 2 + 4, then 10wd
        (Complexity.complex, timedelta(days=20), 20),  # 2 + 5 + 13, then 20wd
    ],
)
def test_checked_in_policy_ladder_totals(
    policy: Policy, complexity: Complexity, below_county: timedelta, county_working_days: int
):
    # Only calendar budgets add up as timedeltas; the county counts working days.
    budgets = {level: policy.budget(complexity, level) for level in Level}
    calendar_levels = [lv for lv, b in budgets.items() if b.calendar is not None]
    assert calendar_levels == [Level.grid, Level.village, Level.township]
    assert sum((budgets[lv].calendar for lv in calendar_levels), timedelta()) == below_county
    assert budgets[Level.county].working_days == county_working_days
    assert budgets[Level.county].calendar is None


@pytest.mark.parametrize(
    ("complexity", "due", "holidays"),
    [
        # Mon 03-02 09:00 + 24h = Tue 03-03 09:00, then 3wd: Wed, Thu, Fri, to 24:00 Fri.
        (Complexity.simple, "2026-03-06 24:00", []),
        # 1d to 24:00 Tue 03-03, 2d to Thu 03-05, 4d to Mon 03-09 (each ends at 24:00 and
        # the next counts from the following day), then 10wd: 03-10..13, 03-16..20, 03-23.
        (Complexity.general, "2026-03-23 24:00", []),
        # 2d to Wed 03-04, 5d to Mon 03-09, 13d to Sun 03-22: a day off, so Mon 03-23; then
        # 20wd across Qingming (04-04..04-06) to Tue 04-21.
        (Complexity.complex, "2026-04-21 24:00", ["Qingming Festival"]),
    ],
)
def test_checked_in_policy_whole_ladder_on_the_china_calendar(
    with_cn: Policy, complexity: Complexity, due: str, holidays: list[str]
):
    moment, moved = at("2026-03-02 09:00"), []
    for level in Level:
        deadline = with_cn.deadline(moment, complexity, level)
        moment = deadline.due
        moved += deadline.moved_by
    assert moment == at(due)
    assert [h for h in ("Qingming Festival", "Spring Festival") if any(h in m for m in moved)] == (
        holidays
    )


@pytest.mark.parametrize(
    ("complexity", "days"),
    [(Complexity.simple, 1), (Complexity.general, 7), (Complexity.complex, 20)],
)
def test_checked_in_policy_township_closes_within_the_documented_days(
    policy: Policy, complexity: Complexity, days: int
):
    # policy.toml: simple 1 day, general 7, complex 20 (grid + village + township).
    below_county = (Level.grid, Level.village, Level.township)
    total = sum((policy.budget(complexity, level).calendar for level in below_county), timedelta())
    assert total == timedelta(days=days)


def test_demo_policy_runs_the_ladder_in_minutes():
    policy = parse_policy(DEMO_TOML.read_text(encoding="utf-8"), source="policies/demo.toml")

    assert policy.name == "demo-minutes"
    assert policy.budget(Complexity.general, Level.grid).calendar == timedelta(minutes=2)
    assert policy.budget(Complexity.simple, Level.grid).calendar == timedelta(minutes=1)
    assert policy.budget(Complexity.complex, Level.county).calendar == timedelta(minutes=8)
    budgets = [policy.budget(c, lvl) for c in Complexity for lvl in Level]
    assert all(b.working_days is None for b in budgets)
    assert all(b.calendar is not None and b.calendar <= timedelta(minutes=8) for b in budgets)
    assert Budget.parse(policy.transfer_objection_window).calendar == timedelta(minutes=3)
    assert policy.return_visits.retries == 1


# --- risk budgets ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("complexity", "level", "risk", "expected"),
    [
        # [risk_budgets.red] township = "1d" wins over every complexity's township budget.
        (Complexity.general, Level.township, RiskColour.red, timedelta(days=1)),
        (Complexity.complex, Level.township, RiskColour.red, timedelta(days=1)),
        (Complexity.simple, Level.township, RiskColour.red, timedelta(days=1)),
        # Green and yellow have no override: the complexity's budget applies.
        (Complexity.general, Level.township, RiskColour.green, timedelta(days=4)),
        (Complexity.general, Level.township, RiskColour.yellow, timedelta(days=4)),
        (Complexity.complex, Level.township, RiskColour.green, timedelta(days=13)),
        # Red overrides only the levels it names.
        (Complexity.general, Level.village, RiskColour.red, timedelta(days=2)),
    ],
)
def test_risk_budgets_override_the_complexity_budget(
    policy: Policy, complexity: Complexity, level: Level, risk: RiskColour, expected: timedelta
):
    assert policy.budget(complexity, level, risk).calendar == expected


def test_risk_budget_of_red_at_the_county_falls_back_to_working_days(policy: Policy):
    assert policy.budget(Complexity.general, Level.county, RiskColour.red).working_days == 10


def test_red_deadline_at_the_township_uses_the_override(policy: Policy):
    start = at("2026-03-02 09:00")
    red = policy.deadline(start, Complexity.general, Level.township, RiskColour.red)
    green = policy.deadline(start, Complexity.general, Level.township)
    assert red.due == at("2026-03-03 24:00")  # 1d: the next day, to its end
    assert green.due == at("2026-03-06 24:00")


def test_risk_budgets_bad_duration_names_the_key():
    message = error_of(MINIMAL + '\n[risk_budgets.red]\ntownship = "0wd"\n')
    assert "risk_budgets.red.township" in message
    assert "'0wd'" in message


# --- deadline() on the working-day calendar ----------------------------------------------


def test_deadline_in_working_days_skips_the_spring_festival(with_cn: Policy):
    # Fri 02-13 10:00; Sat 02-14 is a make-up workday (1), 02-15..02-23 off, Tue 24 (2), Wed 25 (3).
    deadline = with_cn.deadline(at("2026-02-13 10:00"), Complexity.simple, Level.county)

    assert deadline.due == datetime(2026, 2, 26, 0, 0, tzinfo=CST)  # 24:00 on Wed 25
    assert deadline.due.tzinfo is UTC
    assert with_cn.local(deadline.due).isoformat() == "2026-02-26T00:00:00+08:00"
    assert deadline.moved_by == [
        "make-up workday 2026-02-14 (Spring Festival) counted",
        "skipped Spring Festival 2026-02-15..2026-02-23",
    ]
    assert deadline.unknown_years == []


def test_deadline_without_a_calendar_skips_weekends_only(policy: Policy):
    deadline = policy.deadline(at("2026-02-13 10:00"), Complexity.simple, Level.county)

    assert deadline.due == at("2026-02-18 24:00")  # Mon 16, Tue 17, Wed 18
    assert deadline.moved_by == ["weekend 2026-02-14..2026-02-15 skipped"]
    assert not any("Spring Festival" in line for line in deadline.moved_by)
    assert deadline.unknown_years == [2026]


def test_a_limit_in_days_ends_at_24_00_of_a_last_day_moved_past_holidays(with_cn: Policy):
    # Before issue 9: 10:00 on 02-17, in the middle of the festival. 民法典 Art. 203: the last
    # day (Tue 02-17) is a holiday, so the period ends on the first working day after it.
    deadline = with_cn.deadline(at("2026-02-13 10:00"), Complexity.general, Level.township)
    assert deadline.due == at("2026-02-24 24:00")
    assert deadline.moved_by == [
        "last day 2026-02-17 is a day off (Spring Festival): moved to 2026-02-24"
    ]


@pytest.mark.parametrize(
    ("budget", "due"),
    [("48h", "2026-02-15 10:00"), ("30m", "2026-02-13 10:30"), ("0.5d", "2026-02-13 22:00"),
     ("2d", "2026-02-24 24:00"), ("1wd", "2026-02-14 24:00")],
)  # fmt: skip
def test_hours_are_exact_and_only_whole_days_end_at_midnight(with_cn, budget, due):
    assert with_cn.after(at("2026-02-13 10:00"), Budget.parse(budget)).due == at(due)


def test_after_adds_an_extension_budget(with_cn: Policy):
    start = at("2026-09-30 18:00")
    # 2d: the last day, 10-02, is in National Day (10-01..10-07): 24:00 on Thu 10-08.
    assert with_cn.after(start, Budget.parse("2d")).due == at("2026-10-08 24:00")
    # Thu 10-08, Fri 10-09, Sat 10-10 (make-up workday).
    assert with_cn.after(start, Budget.parse("3wd")).due == at("2026-10-10 24:00")
    # An extension from a deadline at 24:00 counts from the next day, not a day later.
    assert with_cn.after(at("2026-10-09 24:00"), Budget.parse("1wd")).due == at("2026-10-10 24:00")


def test_deadline_reports_years_without_a_loaded_calendar(with_cn: Policy):
    # The case carries 2026 only (2027 is not in calendars/cn.toml yet).
    deadline = with_cn.deadline(at("2026-12-28 09:00"), Complexity.general, Level.county)
    assert deadline.unknown_years == [2027]
    assert deadline.due == at("2027-01-11 24:00")  # weekends only in 2027


# --- reopening ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reopen_at", "resolved_at", "expected"),
    [
        ("same", Level.grid, Level.grid),
        ("same", Level.township, Level.township),
        ("same", Level.county, Level.county),
        ("above", Level.grid, Level.village),
        ("above", Level.village, Level.township),
        ("above", Level.township, Level.county),
        ("above", Level.county, Level.county),  # nothing above the county
    ],
)
def test_reopen_level(reopen_at: str, resolved_at: Level, expected: Level):
    policy = parse_policy(MINIMAL + f'\n[return_visits]\nreopen_at = "{reopen_at}"\n')
    assert policy.return_visits.reopen_at == reopen_at
    assert policy.reopen_level(resolved_at) is expected


def test_defaults_apply_when_optional_keys_are_absent():
    policy = parse_policy(MINIMAL)

    assert policy.utc_offset_hours == 8
    assert policy.yellow_amount_cny == 50_000
    assert policy.red_amount_cny == 500_000
    assert policy.opens_at[RiskColour.red] is Level.township
    assert policy.opens_at[RiskColour.green] is Level.grid


# --- parse_policy: errors name the key ---------------------------------------------------


def test_missing_complexity_section_is_named():
    text = MINIMAL.split("[budgets.complex]")[0]
    message = error_of(text)
    assert "budgets.complex" in message
    assert message.startswith("test.toml:")


def test_missing_level_is_named():
    text = MINIMAL.replace('township = "4d"\n', "")
    assert "missing budgets.general.township" in error_of(text)


def test_bad_duration_names_the_full_key_and_the_value():
    text = MINIMAL.replace('village = "2d"', 'village = "2 weeks"')
    message = error_of(text)
    assert "budgets.general.village" in message
    assert "'2 weeks'" in message


def test_zero_duration_is_refused_with_its_key():
    text = MINIMAL.replace('county = "4h"', 'county = "0m"')
    message = error_of(text)
    assert "budgets.simple.county" in message
    assert "longer than zero" in message


def test_unknown_top_level_key_is_named():
    message = error_of("red_amount = 1\n" + MINIMAL)
    assert "red_amount" in message
    assert "Extra inputs are not permitted" in message


def test_unknown_level_in_budgets_is_named():
    text = MINIMAL.replace('grid = "1d"', 'grid = "1d"\nhamlet = "1d"')
    assert "hamlet" in error_of(text)


def test_invalid_toml_names_the_source():
    message = error_of('name = "unterminated\n', source="policies/broken.toml")
    assert message.startswith("policies/broken.toml: not valid TOML")


def test_partial_opens_at_is_refused_naming_the_missing_colour():
    # Without this check the policy parsed and a green case crashed the workflow (KeyError).
    message = error_of('[opens_at]\nred = "township"\n\n' + MINIMAL.split("\n", 1)[1])
    assert "missing opens_at.green" in message


def test_full_opens_at_overrides_the_default():
    text = MINIMAL + '\n[opens_at]\ngreen = "grid"\nyellow = "village"\nred = "county"\n'
    assert parse_policy(text).opens_at == {
        RiskColour.green: Level.grid,
        RiskColour.yellow: Level.village,
        RiskColour.red: Level.county,
    }


def test_missing_name_is_named():
    text = MINIMAL.replace('name = "test-policy"\n', "")
    message = error_of(text)
    assert "name" in message
    assert "Field required" in message


def test_policy_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_policy("not toml at all [")


@pytest.mark.parametrize(
    ("extra", "key", "why"),
    [
        ('[return_visits]\nwindow = "soon"', "return_visits.window", "'soon' is not a duration"),
        ('[return_visits]\nwindow = "2wd"', "return_visits.window", "'2wd' is not a duration"),
        ('[return_visits]\nretry_after = "0h"', "return_visits.retry_after", "longer than zero"),
        (
            '[return_visits]\nreopen_window = "3 months"',
            "return_visits.reopen_window",
            "'3 months'",
        ),
        ("[return_visits]\nretries = -1", "return_visits.retries", "greater than or equal to 0"),
        ('[return_visits]\nreopen_at = "below"', "return_visits.reopen_at", "'same' or 'above'"),
        (
            '[return_visits]\nschedule = { satisfaction = "later" }',
            "schedule.satisfaction",
            "'later'",
        ),
        (
            '[return_visits]\nschedule = { audit = "1d" }',
            "return_visits.schedule.audit",
            "'satisfaction'",
        ),
        ("[warnings]\nyellow = 1.5", "warnings.yellow", "less than 1"),
        ("[warnings]\nred = 0", "warnings.red", "greater than 0"),
        ("[warnings]\norange = 0.6", "warnings.orange", "Extra inputs are not permitted"),
        (
            'transfer_objection_window = "soon"',
            "transfer_objection_window",
            "'soon' is not a duration",
        ),
        ('transfer_objection_window = "0wd"', "transfer_objection_window", "whole number"),
        ("extension_cap = -0.1", "extension_cap", "greater than or equal to 0"),
    ],
)
def test_invalid_optional_settings_are_refused_naming_the_key(extra: str, key: str, why: str):
    # Top-level keys go before the first table; tables go at the end.
    text = (
        extra + "\n" + MINIMAL
        if extra.startswith(("transfer", "extension"))
        else (MINIMAL + "\n" + extra + "\n")
    )
    message = error_of(text)
    assert message.startswith("test.toml:")
    assert key in message
    assert why in message


@pytest.mark.parametrize(
    ("yellow", "red"),
    [(0.9, 0.5), (0.8, 0.8)],
)
def test_yellow_warning_must_come_before_red(yellow: float, red: float):
    message = error_of(MINIMAL + f"\n[warnings]\nyellow = {yellow}\nred = {red}\n")
    assert "warnings" in message
    assert "yellow" in message and "red" in message


# --- deadlines and local time ------------------------------------------------------------


@pytest.mark.parametrize(
    ("complexity", "level", "expected"),
    [
        (Complexity.simple, Level.grid, datetime(2026, 11, 20, 2, 30, tzinfo=UTC)),
        # Days end at 24:00 local (16:00 UTC) of their last day; a Saturday moves to Monday.
        (Complexity.general, Level.grid, datetime(2026, 11, 23, 16, 0, tzinfo=UTC)),
        (Complexity.general, Level.county, datetime(2026, 12, 7, 16, 0, tzinfo=UTC)),
        (Complexity.complex, Level.township, datetime(2026, 12, 3, 16, 0, tzinfo=UTC)),
    ],
)
def test_deadline_adds_the_budget_of_the_level(
    complexity: Complexity, level: Level, expected: datetime
):
    policy = parse_policy(MINIMAL)
    opened = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert policy.deadline(opened, complexity, level).due == expected


def test_local_renders_beijing_time():
    policy = parse_policy(MINIMAL)
    moment = datetime(2026, 11, 20, 17, 0, tzinfo=UTC)

    local = policy.local(moment)

    assert local.isoformat() == "2026-11-21T01:00:00+08:00"
    assert local.utcoffset() == timedelta(hours=8)
    assert local == moment


def test_local_follows_the_policy_offset():
    policy = parse_policy("utc_offset_hours = -5\n" + MINIMAL)
    moment = datetime(2026, 11, 20, 3, 0, tzinfo=timezone(timedelta(hours=8)))
    assert policy.local(moment).isoformat() == "2026-11-19T14:00:00-05:00"


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "edited"), ("red_amount_cny", 1.0), ("utc_offset_hours", 0)],
)
def test_policy_is_frozen(field: str, value: object):
    policy = parse_policy(MINIMAL)
    with pytest.raises(ValidationError, match="frozen"):
        setattr(policy, field, value)
    assert getattr(policy, field) != value


def test_policy_round_trips_through_json_as_a_case_copies_it(policy: Policy):
    copy = Policy.model_validate_json(policy.model_dump_json())
    assert copy == policy
    assert copy.budget(Complexity.general, Level.village).calendar == timedelta(days=2)
    assert copy.budget(Complexity.general, Level.county).working_days == 10
    assert copy.budget(Complexity.general, Level.township, RiskColour.red).calendar == timedelta(
        days=1
    )


def test_policy_with_a_calendar_round_trips_through_json(policy: Policy, cn: WorkCalendar):
    p = policy.model_copy(update={"calendar": cn.for_years([2026, 2027])})
    assert p.calendar is not None and p.calendar.years == [2026]

    copy = Policy.model_validate_json(p.model_dump_json())

    assert copy == p
    assert copy.calendar == p.calendar
    # The rebuilt calendar still knows its holidays (its day index is not serialised).
    assert copy.calendar is not None and not copy.calendar.is_working_day(at("2026-02-17").date())
    assert copy.calendar.is_working_day(at("2026-02-14").date())  # make-up Saturday
    start = at("2026-02-13 10:00")
    assert copy.deadline(start, Complexity.simple, Level.county) == p.deadline(
        start, Complexity.simple, Level.county
    )
    assert copy.deadline(start, Complexity.simple, Level.county).due == at("2026-02-25 24:00")


@pytest.mark.parametrize(
    ("flags", "amount", "expected"),
    [
        ([], None, RiskColour.green),
        ([], 50_000, RiskColour.yellow),  # policy.toml's yellow_amount_cny
        ([], 500_000, RiskColour.red),  # its red_amount_cny
        (["minors"], 10, RiskColour.yellow),
        (["self_harm"], None, RiskColour.red),
    ],
)
def test_risk_of_grades_on_the_policys_own_thresholds(flags, amount, expected):
    policy = parse_policy(POLICY_TOML.read_text(encoding="utf-8"))
    assert policy.risk_of(flags, DisputeType.debt, amount) is expected


# --- a pause moves the due time ------------------------------------------------------------


@pytest.mark.parametrize(
    ("budget", "paused", "resumed", "due", "moved_to"),
    [
        # A 48-hour pause from Friday 10:00 loses 14 working hours (Friday's), not 48: the
        # deadline moves from 24:00 Tue 12-01 to 14:00 Thu 12-03, never onto a Sunday.
        ("3wd", "2026-11-27 10:00", "2026-11-29 10:00", "2026-12-01 24:00", "2026-12-02 14:00"),
        # A pause over a weekend only loses nothing.
        ("3wd", "2026-11-28 09:00", "2026-11-29 18:00", "2026-12-01 24:00", "2026-12-01 24:00"),
        # Over National Day: 30 Sep 12:00 to 8 Oct 12:00 loses 24 working hours, made up on
        # Saturday 10-10, a make-up workday.
        ("5wd", "2026-09-30 12:00", "2026-10-08 12:00", "2026-10-09 24:00", "2026-10-10 24:00"),
        # Calendar budgets move by the whole pause.
        ("2d", "2026-11-27 10:00", "2026-11-29 10:00", "2026-11-30 24:00", "2026-12-02 24:00"),
        ("12h", "2026-11-27 10:00", "2026-11-27 11:30", "2026-11-27 22:00", "2026-11-27 23:30"),
    ],
)
def test_a_pause_moves_the_due_time_by_the_time_it_took_from_the_budget(
    with_cn: Policy, budget: str, paused: str, resumed: str, due: str, moved_to: str
):
    moved = with_cn.resume_due(at(due), at(paused), at(resumed), Budget.parse(budget))

    assert moved == at(moved_to)


# --- the response window (响应率) ------------------------------------------------------------


def test_the_checked_in_response_window_is_a_day_and_two_hours_for_red(policy: Policy):
    window = policy.response_window
    assert window.of(RiskColour.green) == window.of(RiskColour.yellow) == timedelta(hours=24)
    assert window.of(RiskColour.red) == timedelta(hours=2)


@pytest.mark.parametrize(
    ("table", "colour", "expected"),
    [("", RiskColour.red, timedelta(hours=2)),
     ('default = "12h"', RiskColour.yellow, timedelta(hours=12)),
     ('default = "12h"\nyellow = "4h"', RiskColour.yellow, timedelta(hours=4)),
     ('red = "30m"', RiskColour.red, timedelta(minutes=30))],
)  # fmt: skip
def test_the_response_window_table_overrides_by_colour(table, colour, expected):
    policy = parse_policy(MINIMAL + f"\n[response_window]\n{table}\n")
    assert policy.response_window.of(colour) == expected


@pytest.mark.parametrize(("table", "key"), [('red = "soon"', "red"), ('blue = "1h"', "blue")])
def test_a_bad_response_window_names_its_key(table, key):
    message = error_of(MINIMAL + f"\n[response_window]\n{table}\n")
    assert f"response_window.{key}" in message


def test_a_case_started_before_the_law_count_keeps_its_deadlines(policy: Policy):
    # The frozen policy a running case carries has no `day_count`: it keeps the old count, so
    # replaying its history yields the same timers.
    frozen = policy.model_dump(mode="json")
    del frozen["day_count"]
    old = Policy.model_validate(frozen)
    start = at("2026-11-27 10:00")

    assert (old.day_count, policy.day_count) == ("elapsed", "law")
    assert old.after(start, Budget.parse("1d")).due == at("2026-11-28 10:00")
    assert old.after(start, Budget.parse("3wd")).due == at("2026-12-02 10:00")
    assert policy.after(start, Budget.parse("1d")).due == at("2026-11-30 24:00")
    assert policy.after(start, Budget.parse("3wd")).due == at("2026-12-02 24:00")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[mediation]\narbitration_accept = "7d"', "mediation.arbitration_accept"),
        ('[mediation]\narbitration_appeal = "30d"', "mediation.arbitration_appeal"),
        ('[mediation.limits]\nlabour_arbitration = "60d"', "mediation.limits.labour_arbitration"),
        (
            '[mediation.extensions.labour_arbitration]\nneeds = "approval"\ncap = "30d"',
            "mediation.extensions.labour_arbitration",
        ),
    ],
)
def test_a_policy_file_setting_arbitrations_lengths_is_sent_to_its_procedure_table(text, key):
    with pytest.raises(PolicyError) as refused:
        parse_policy(text, source="county.toml")
    assert f"county.toml: {key}:" in str(refused.value)
    assert "procedures/labour_arbitration.toml" in str(refused.value)


@pytest.mark.parametrize(
    ("key", "where"),
    [
        ("apply_within", "windows.apply.length"),
        ("accept", "windows.court_accept.length"),
        ("decide", "windows.court_decide.length"),
        ("decide_extension", "windows.court_decide.extension"),
    ],
)
def test_a_policy_file_setting_judicial_confirmations_lengths_is_sent_to_its_table(key, where):
    with pytest.raises(PolicyError) as refused:
        parse_policy(f'[confirmation]\n{key} = "20d"', source="county.toml")
    assert f"county.toml: confirmation.{key}:" in str(refused.value)
    assert f"procedures/judicial_confirmation.toml ({where})" in str(refused.value)


def test_a_policy_file_may_still_set_the_confirmation_reminder_and_old_starts_still_decode():
    policy = parse_policy(MINIMAL + '\n[confirmation]\nremind_before = "3d"', source="c.toml")
    assert policy.confirmation.remind_before == "3d"
    # A start frozen before carries the lengths in its copy of the policy: it still decodes.
    frozen = policy.model_dump(mode="json")
    frozen["confirmation"] |= {"apply_within": "30d", "decide_extension": "10d"}
    assert Policy.model_validate(frozen).confirmation.decide_extension == "10d"


@pytest.mark.parametrize(
    ("text", "key", "where"),
    [
        ('[mediation.limits]\njudicial_pre_filing = "20d"', "mediation.limits.judicial_pre_filing",
         "windows.pre_filing.length"),
        ('[mediation.limits]\njudicial_simplified = "5d"', "mediation.limits.judicial_simplified",
         "windows.entrusted_simplified.length"),
        ('[mediation.extensions.judicial_post_filing]\nneeds = "consent"',
         "mediation.extensions.judicial_post_filing", "windows.entrusted.extension"),
    ],
)  # fmt: skip
def test_a_policy_file_setting_court_referred_mediations_lengths_is_sent_to_the_court_table(
    text, key, where
):
    with pytest.raises(PolicyError) as refused:
        parse_policy(text, source="county.toml")
    assert f"county.toml: {key}:" in str(refused.value)
    assert f"procedures/court.toml ({where})" in str(refused.value)


def test_a_policy_file_may_still_set_the_other_tracks_limits():
    policy = parse_policy(MINIMAL + '\n[mediation.limits]\npeoples = "20d"', source="county.toml")
    assert policy.mediation.limits[Track.peoples] == "20d"
