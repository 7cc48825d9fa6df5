"""A matter's start on its procedure's table: the state it opens in, refusals with their field."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from runtime import config
from service.intake import policy_with_calendar, procedure_start
from tests import factories
from texts import Lang


def _petition(kind: str):
    addressed = {"kind": kind, "name": "区信访局"}
    return factories.intake(
        "XF-1", procedure="petition", petition={"channel": "letter", "addressed_to": addressed}
    )


@pytest.mark.parametrize(
    ("kind", "state"), [("office", "registered"), ("body", "received_by_body")]
)
def test_a_petition_starts_where_the_body_it_is_addressed_to_acts(kind, state):
    start = procedure_start(_petition(kind), factories.DEFAULT_POLICY, Lang.zh)
    assert (start.table.name, start.state, start.counting.day) == ("petition", state, None)


@pytest.mark.parametrize(
    ("procedure", "road", "message"),
    [
        ("tribunal", {"start": "filed"}, "procedure: no table 'tribunal'"),
        ("court", {"start": "judged"}, "road.start: court starts in one of"),
    ],
)
def test_a_road_with_no_table_or_a_start_its_table_lacks_is_refused_naming_the_field(
    procedure, road, message
):
    intake = factories.intake("FY-1", procedure=procedure, road=road)
    with pytest.raises(ValueError, match=message):
        procedure_start(intake, factories.DEFAULT_POLICY, Lang.zh)


def test_the_demo_policy_runs_a_statutory_day_as_a_minute():
    demo = factories.DEFAULT_POLICY.model_copy(update={"procedure_day": "1m"})
    intake = factories.intake("FY-2", procedure="court", road={"start": "filed"})
    assert procedure_start(intake, demo, Lang.zh).counting.day == timedelta(minutes=1)


@pytest.mark.parametrize(
    "fields",
    [
        {"procedure": "petition"},  # no petition block
        {"procedure": "court"},  # no road
        {"road": {"start": "filed"}},  # a road without a procedure
    ],
)
def test_intake_refuses_a_procedure_without_its_fields(fields):
    with pytest.raises(ValueError, match=r"come together|comes with"):
        factories.intake("X-1", **fields)


def test_a_matter_counts_working_days_on_the_calendar_the_policy_carries():
    # As the CLI and the API start one: the checked-in policy with calendars/cn.toml's years.
    policy = policy_with_calendar(
        config.DEFAULT_POLICY.read_text(encoding="utf-8"), "policy.toml",
        config.DEFAULT_CALENDAR.read_text(encoding="utf-8"), "cn.toml",
        datetime(2026, 9, 1, tzinfo=UTC),
    )  # fmt: skip
    intake = factories.intake(
        "XF-9", procedure="petition",
        petition={"channel": "letter", "addressed_to": {"kind": "office", "name": "信访局"}},
    )  # fmt: skip
    counting = procedure_start(intake, policy, Lang.zh).counting
    # National Day is off; Saturday 10 October is its make-up workday (调休上班).
    assert counting.day is None and not counting.calendar.is_working_day(date(2026, 10, 1))
    assert counting.calendar.is_working_day(date(2026, 10, 10))
    demo = procedure_start(intake, policy.model_copy(update={"procedure_day": "1m"}), Lang.zh)
    assert demo.counting.scaled_calendar and demo.counting.calendar == counting.calendar
