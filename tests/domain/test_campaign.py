"""Campaign windows: the checked-in winter wage-arrears campaign read with fixed dates, who
it covers, the floor, the deadline cap, the milestones and the file's errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.campaign import at_least, due_milestones, joining, key, next_wake
from domain.campaign_list import clearing_list
from domain.intake_models import DisputeType, RiskFlag
from domain.policy import PolicyError, parse_policy
from domain.risk import RiskColour
from runtime import config

BEIJING = timezone(timedelta(hours=8))
POLICY = parse_policy(config.DEFAULT_POLICY.read_text(encoding="utf-8"), source="policy.toml")
(WINTER,) = POLICY.campaigns
NEW_YEAR = datetime(2027, 1, 1, tzinfo=BEIJING)
SPRING = datetime(2027, 2, 6, tzinfo=BEIJING)


def beijing(*args: int) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def test_the_winter_campaign_runs_from_15_november_to_the_spring_festival():
    assert WINTER.title == "根治欠薪冬季专项行动"
    assert (WINTER.starts, WINTER.ends) == (beijing(2026, 11, 15), SPRING)
    assert [(m.name, m.at) for m in WINTER.milestones] == [
        ("元旦前清零", NEW_YEAR),
        ("春节前清零", SPRING),
    ]
    assert WINTER.risk_floor is RiskColour.yellow


@pytest.mark.parametrize(
    ("dispute_type", "flags", "covered"),
    [
        (DisputeType.wages, [], True),
        (DisputeType.contract, [RiskFlag.wage_arrears], True),
        (DisputeType.neighbour, [], False),
        (DisputeType.labour, [RiskFlag.elderly], False),
    ],
)
def test_a_campaign_covers_its_types_and_flags(dispute_type, flags, covered):
    assert WINTER.covers(dispute_type, flags) is covered


@pytest.mark.parametrize(
    ("now", "running"),
    [
        (beijing(2026, 11, 14, 23, 59), False),
        (beijing(2026, 11, 15), True),
        (beijing(2026, 12, 6, 10), True),
        (beijing(2027, 2, 5, 23, 59), True),
        (SPRING, False),
    ],
)
def test_the_window_includes_its_first_and_last_days(now, running):
    assert WINTER.running(now) is running
    joined = joining(POLICY.campaigns, DisputeType.wages, [], now, [])
    assert joined == ([WINTER] if running else [])


@pytest.mark.parametrize(
    ("colour", "floor", "after"),
    [
        (RiskColour.green, RiskColour.yellow, RiskColour.yellow),
        (RiskColour.yellow, RiskColour.yellow, RiskColour.yellow),
        (RiskColour.red, RiskColour.yellow, RiskColour.red),
        (RiskColour.green, RiskColour.red, RiskColour.red),
    ],
)
def test_a_floor_only_ever_raises_a_colour(colour, floor, after):
    assert at_least(colour, floor) is after


@pytest.mark.parametrize(
    ("now", "due", "capped", "milestone"),
    [
        # Opened on 6 December with twenty working days: due after New Year, capped at it.
        (beijing(2026, 12, 6, 10), beijing(2027, 1, 5), NEW_YEAR, "元旦前清零"),
        # Due before the milestone: the deadline stands.
        (beijing(2026, 12, 6, 10), beijing(2026, 12, 8), beijing(2026, 12, 8), None),
        # After New Year the next milestone is the festival's.
        (beijing(2027, 1, 10), beijing(2027, 3, 1), SPRING, "春节前清零"),
    ],
)
def test_a_deadline_is_capped_at_the_next_milestone(now, due, capped, milestone):
    got, moved_by = WINTER.capped(due, now)
    assert got == capped
    assert (moved_by.name if moved_by else None) == milestone


def test_a_milestone_is_due_once_and_one_met_is_not_again():
    after = beijing(2027, 1, 1, 0, 5)
    assert [m.name for m in due_milestones(WINTER, after, [])] == ["元旦前清零"]
    met = [key(WINTER, WINTER.milestones[0])]
    assert due_milestones(WINTER, after, met) == []


@pytest.mark.parametrize(
    ("now", "joined", "met", "wake"),
    [
        # Before the window: a covered case wakes when it begins.
        (beijing(2026, 11, 1), [], [], beijing(2026, 11, 15)),
        # In it: at the next milestone not yet met.
        (beijing(2026, 12, 6), ["winter-wages-2026"], [], NEW_YEAR),
        (beijing(2027, 1, 2), ["winter-wages-2026"], ["winter-wages-2026/元旦前清零"], SPRING),
        # After it, nothing.
        (beijing(2027, 3, 1), [], [], None),
    ],
)
def test_a_case_wakes_for_the_window_then_each_milestone(now, joined, met, wake):
    assert next_wake(POLICY.campaigns, DisputeType.wages, [], now, joined, met) == wake


def test_a_case_not_covered_never_wakes_for_the_campaign():
    assert next_wake(POLICY.campaigns, DisputeType.family, [], beijing(2026, 11, 1), [], []) is None


DEMO = """
name = "d"
[budgets.simple]
grid = "1m"
village = "1m"
township = "1m"
county = "1m"
[budgets.general]
grid = "1m"
village = "1m"
township = "1m"
county = "1m"
[budgets.complex]
grid = "1m"
village = "1m"
township = "1m"
county = "1m"
[[campaigns]]
name = "demo"
title = "演示"
starts = "+1m"
ends = "+20m"
dispute_types = ["wages"]
milestones = [{ name = "十分钟清零", at = "+10m" }]
"""


def test_relative_times_are_placed_from_when_the_policy_is_read():
    read = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    (demo,) = parse_policy(DEMO, now=read).campaigns
    assert demo.starts == read + timedelta(minutes=1)
    assert demo.milestones[0].at == read + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('starts = "+1m"', 'starts = "+30m"'), "ends"),
        (('dispute_types = ["wages"]', ""), "covers nothing"),
        (('at = "+10m"', 'at = "+40m"'), "outside the window"),
    ],
)
def test_a_campaign_that_cannot_apply_is_refused_naming_it(change, message):
    text = DEMO.replace(*change)
    read = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    with pytest.raises(PolicyError, match=message):
        parse_policy(text, now=read)


def test_relative_times_without_the_time_read_are_refused():
    with pytest.raises(PolicyError, match="campaigns"):
        parse_policy(DEMO)


def test_the_demo_policy_places_its_milestone_six_minutes_after_it_is_read():
    read = datetime(2026, 12, 6, 2, 0, tzinfo=UTC)
    text = (config.ROOT / "policies" / "demo-campaign.toml").read_text(encoding="utf-8")
    (demo,) = parse_policy(text, source="demo-campaign.toml", now=read).campaigns
    assert demo.running(read) and demo.covers(DisputeType.wages, [])
    assert [m.at for m in demo.milestones] == [read + timedelta(minutes=6)]
    # A complex case's grid budget (20 minutes) ends after the milestone: it is capped.
    assert demo.capped(read + timedelta(minutes=20), read)[0] == read + timedelta(minutes=6)


def test_the_clearing_list_puts_supervised_cases_first_then_the_soonest_due():
    as_of = beijing(2026, 12, 20, 8)
    place = dict(county="c", township="t", village="v", grid="g", level="grid")

    def row(case_id, status, hours):
        due = None if hours is None else as_of + timedelta(hours=hours)
        return dict(campaign="w", campaign_title="冬", case_id=case_id, status=status, due_at=due,
                    **place)  # fmt: skip

    rows = [row("A", "open", 30), row("B", "supervised", None), row("C", "open", -2)]
    listed = clearing_list(rows, as_of)
    assert [(c.case_id, c.hours) for c in listed] == [("B", None), ("C", -2.0), ("A", 30.0)]
