"""Deadline policy: durations, parsing the TOML with errors that name the key, deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.intake_models import Complexity
from domain.ladder import Level
from domain.policy import Policy, PolicyError, parse_duration, parse_policy
from domain.risk import RiskColour
from runtime.config import ROOT

POLICY_TOML = ROOT / "policy.toml"
DEMO_TOML = ROOT / "policies" / "demo.toml"

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


# --- parse_policy: the checked-in files --------------------------------------------------


def test_checked_in_policy_parses_with_its_documented_budgets():
    policy = parse_policy(POLICY_TOML.read_text(encoding="utf-8"), source="policy.toml")

    assert policy.name == "county-default-2026"
    assert policy.utc_offset_hours == 8
    assert policy.yellow_amount_cny == 50_000
    assert policy.red_amount_cny == 500_000
    assert policy.budget(Complexity.general, Level.grid) == timedelta(days=1)
    assert policy.budget(Complexity.simple, Level.village) == timedelta(hours=6)
    assert policy.budget(Complexity.complex, Level.county) == timedelta(days=30)
    assert policy.opens_at == {
        RiskColour.green: Level.grid,
        RiskColour.yellow: Level.grid,
        RiskColour.red: Level.township,
    }


@pytest.mark.parametrize(
    ("complexity", "total"),
    [
        (Complexity.simple, timedelta(days=4)),  # 6h + 6h + 12h + 3d
        (Complexity.general, timedelta(days=22)),  # 1 + 2 + 4 + 15
        (Complexity.complex, timedelta(days=50)),  # 2 + 5 + 13 + 30
    ],
)
def test_checked_in_policy_ladder_totals(complexity: Complexity, total: timedelta):
    policy = parse_policy(POLICY_TOML.read_text(encoding="utf-8"))
    assert sum((policy.budget(complexity, level) for level in Level), timedelta()) == total


@pytest.mark.parametrize(
    ("complexity", "days"),
    [(Complexity.simple, 1), (Complexity.general, 7), (Complexity.complex, 20)],
)
def test_checked_in_policy_township_closes_within_the_documented_days(
    complexity: Complexity, days: int
):
    # policy.toml: simple 1 day, general 7, complex 20 (grid + village + township).
    policy = parse_policy(POLICY_TOML.read_text(encoding="utf-8"))
    below_county = (Level.grid, Level.village, Level.township)
    total = sum((policy.budget(complexity, level) for level in below_county), timedelta())
    assert total == timedelta(days=days)


def test_demo_policy_runs_the_ladder_in_minutes():
    policy = parse_policy(DEMO_TOML.read_text(encoding="utf-8"), source="policies/demo.toml")

    assert policy.name == "demo-minutes"
    assert policy.budget(Complexity.general, Level.grid) == timedelta(minutes=2)
    assert policy.budget(Complexity.simple, Level.grid) == timedelta(minutes=1)
    assert policy.budget(Complexity.complex, Level.county) == timedelta(minutes=8)
    assert all(policy.budget(c, lvl) <= timedelta(minutes=8) for c in Complexity for lvl in Level)


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


# --- deadlines and local time ------------------------------------------------------------


@pytest.mark.parametrize(
    ("complexity", "level", "expected"),
    [
        (Complexity.simple, Level.grid, datetime(2026, 11, 20, 2, 30, tzinfo=UTC)),
        (Complexity.general, Level.grid, datetime(2026, 11, 21, 1, 30, tzinfo=UTC)),
        (Complexity.general, Level.county, datetime(2026, 12, 5, 1, 30, tzinfo=UTC)),
        (Complexity.complex, Level.township, datetime(2026, 12, 3, 1, 30, tzinfo=UTC)),
    ],
)
def test_due_at_adds_the_budget_of_the_level(
    complexity: Complexity, level: Level, expected: datetime
):
    policy = parse_policy(MINIMAL)
    opened = datetime(2026, 11, 20, 1, 30, tzinfo=UTC)
    assert policy.due_at(opened, complexity, level) == expected


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


def test_policy_round_trips_through_json_as_a_case_copies_it():
    policy = parse_policy(POLICY_TOML.read_text(encoding="utf-8"))
    copy = Policy.model_validate_json(policy.model_dump_json())
    assert copy == policy
    assert copy.budget(Complexity.general, Level.village) == timedelta(days=2)
