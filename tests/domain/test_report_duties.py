"""Report duties (零报告): who owes a report which day, a duty's state, the filing checks and
the figures. Fixed dates only: nothing here depends on today."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from domain.policy_files import PolicyError
from domain.report_duties import (
    DutyPolicy,
    DutyState,
    Filing,
    ReportingUnit,
    ReportKind,
    ReportRequest,
    SensitivePeriod,
    check_report,
    duties_on,
    figures_of,
    is_flagged,
    parse_duty_policy,
    state_of,
    units_under,
)

POLICY = DutyPolicy(
    name="t",
    cutoff=time(16, 0),
    escalate_after=timedelta(hours=1),
    weekly_on="monday",
    sensitive=(
        SensitivePeriod.model_validate(
            {"name": "Two Sessions", "from": "2027-03-03", "to": "2027-03-15"}
        ),
    ),
    units=(
        ReportingUnit(unit="G-01", reports_to="V-1", every="daily"),
        ReportingUnit(unit="V-1", reports_to="T-1", every="weekly"),
    ),
)


@pytest.mark.parametrize(
    ("day", "units"),
    [
        (date(2026, 12, 6), ["G-01"]),  # a Sunday: daily units only
        (date(2026, 12, 7), ["G-01", "V-1"]),  # Monday: the weekly one too
        (date(2026, 10, 1), ["G-01"]),  # National Day: a holiday suspends nothing
        (date(2026, 10, 5), ["G-01", "V-1"]),  # a Monday inside the holiday: weekly still owed
        (date(2027, 3, 6), ["G-01", "V-1"]),  # a Saturday of the Two Sessions: daily for all
        (date(2027, 3, 16), ["G-01"]),  # the day after
    ],
)
def test_who_owes_a_report_on_a_day(day, units):
    assert [d.unit for d in duties_on(POLICY, day)] == units


def test_a_weekly_unit_in_a_sensitive_period_reports_daily_and_says_why():
    (_, village) = duties_on(POLICY, date(2027, 3, 4))
    assert village.every == "daily" and village.sensitive == "Two Sessions"
    assert village.period_start == datetime(2027, 3, 4, tzinfo=POLICY.zone)


def test_a_weekly_period_covers_the_week_up_to_its_day():
    (_, village) = duties_on(POLICY, date(2026, 12, 7))
    assert village.period_start == datetime(2026, 12, 1, tzinfo=POLICY.zone)
    assert village.cutoff_at == datetime(2026, 12, 7, 16, tzinfo=POLICY.zone)
    assert village.escalate_at == datetime(2026, 12, 7, 17, tzinfo=POLICY.zone)


DUTY = duties_on(POLICY, date(2026, 12, 6))[0]
BEFORE = DUTY.cutoff_at - timedelta(minutes=5)
AFTER = DUTY.cutoff_at + timedelta(minutes=5)


@pytest.mark.parametrize(
    ("filing", "now", "state"),
    [
        (None, BEFORE, DutyState.due),
        (None, AFTER, DutyState.missing),
        (Filing(kind=ReportKind.zero, filed_at=BEFORE), AFTER, DutyState.zero),
        (Filing(kind=ReportKind.matters, filed_at=BEFORE, cases=("C1",)), AFTER, DutyState.filed),
        (Filing(kind=ReportKind.zero, filed_at=AFTER), AFTER, DutyState.late),
        (Filing(kind=ReportKind.zero, filed_at=BEFORE, flagged=True), AFTER, DutyState.flagged),
    ],
)
def test_a_duty_state(filing, now, state):
    assert state_of(DUTY, filing, now) is state


TODAY = date(2026, 12, 6)


@pytest.mark.parametrize(
    ("request_", "unit", "refused"),
    [
        (ReportRequest(), "G-01", False),
        (ReportRequest(kind="matters", cases=["C1"]), "G-01", False),
        (ReportRequest(kind="matters", note="两户争执已调处"), "G-01", False),
        (ReportRequest(), None, True),  # a token without a unit
        (ReportRequest(unit="G-01"), "G-02", True),  # someone else's unit
        (ReportRequest(), "V-9", True),  # no duty in the policy
        (ReportRequest(unit="V-1"), "V-1", True),  # weekly unit on a Sunday
        (ReportRequest(day=date(2026, 12, 7)), "G-01", True),  # a day still to come
        (ReportRequest(cases=["C1"]), "G-01", True),  # zero naming a case
        (ReportRequest(kind="matters"), "G-01", True),  # matters naming nothing
    ],
)
def test_what_a_filing_check_refuses(request_, unit, refused, english):
    reason = check_report(POLICY, request_, person_unit=unit, today=TODAY, lang="en")
    assert (reason is not None) is refused, reason


def test_a_refusal_speaks_chinese_by_default():
    reason = check_report(POLICY, ReportRequest(), person_unit="V-9", today=TODAY)
    assert reason is not None and "V-9" in reason and "policy" not in reason


@pytest.mark.parametrize(
    ("kind", "cases", "flagged"),
    [(ReportKind.zero, 1, True), (ReportKind.zero, 0, False), (ReportKind.matters, 2, False)],
)
def test_a_zero_report_is_flagged_only_when_a_case_came_in(kind, cases, flagged):
    assert is_flagged(kind, cases) is flagged


def test_nine_of_ten_on_time_is_ninety_percent_and_zero_share_counts_filed_ones():
    policy = POLICY.model_copy(
        update={"units": tuple(ReportingUnit(unit=f"G-{i}", reports_to="V") for i in range(10))}
    )
    duties = duties_on(policy, TODAY)
    at = duties[0].cutoff_at - timedelta(hours=1)
    pairs = [
        (
            d,
            Filing(
                kind=ReportKind.zero if i % 3 else ReportKind.matters,
                filed_at=at,
                flagged=i == 4,
            ),
        )
        for i, d in enumerate(duties[:9])
    ] + [(duties[9], None)]
    figures = figures_of(pairs, duties[0].escalate_at)
    assert (figures.owed, figures.on_time, figures.missing) == (10, 9, 1)
    assert figures.on_time_rate == pytest.approx(0.9)
    assert figures.zero == 6 and figures.zero_share == pytest.approx(6 / 9)
    assert figures.flagged == 1
    # Before the cut-off nothing is owed yet.
    assert figures_of(pairs, at).owed == 0


def test_the_shipped_policies_parse_and_round_trip_through_json():
    from pathlib import Path

    for name in ("duties.toml", "demo-duties.toml"):
        path = Path(__file__).resolve().parents[2] / "policies" / name
        policy = parse_duty_policy(path.read_text(encoding="utf-8"), source=name)
        assert DutyPolicy.model_validate_json(policy.model_dump_json(by_alias=True)) == policy


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('name = "x"\ncutoff = "25:00"\nescalate_after = "1h"\n[[units]]\nunit="a"\n'
         'reports_to="b"', "cutoff"),
        ('name = "x"\ncutoff = "16:00"\nescalate_after = "soon"\n[[units]]\nunit="a"\n'
         'reports_to="b"', "escalate_after"),
        ('name = "x"\ncutoff = "16:00"\nescalate_after = "1h"', "units"),
        ('name = "x"\ncutoff = "16:00"\nescalate_after = "1h"\nweekly_on = "someday"\n'
         '[[units]]\nunit="a"\nreports_to="b"', "weekly_on"),
        ('name = "x"\ncutoff = "16:00"\nescalate_after = "1h"\n[[units]]\nunit="a"\n'
         'reports_to="b"\n[[units]]\nunit="a"\nreports_to="c"', "twice"),
    ],
)  # fmt: skip
def test_a_bad_duty_policy_is_refused_naming_the_key(text, words):
    with pytest.raises(PolicyError, match=words):
        parse_duty_policy(text, source="bad.toml")


def test_times_compare_across_zones():
    # A filing stored in UTC compares with a cut-off in local time.
    filed = DUTY.cutoff_at.astimezone(UTC) - timedelta(seconds=1)
    assert state_of(DUTY, Filing(kind=ReportKind.zero, filed_at=filed), AFTER) is DutyState.zero


CHAIN = DutyPolicy.model_validate(
    {
        "name": "chain",
        "cutoff": "16:00",
        "escalate_after": "1h",
        "units": [
            {"unit": "网格1", "reports_to": "一村", "every": "daily"},
            {"unit": "网格2", "reports_to": "二村", "every": "daily"},
            {"unit": "一村", "reports_to": "镇", "every": "weekly"},
            {"unit": "甲", "reports_to": "乙", "every": "daily"},
            {"unit": "乙", "reports_to": "甲", "every": "daily"},  # a cycle ends, never loops
        ],
    }
)


@pytest.mark.parametrize(
    ("unit", "seen"),
    [
        ("网格1", {"网格1"}),
        ("一村", {"一村", "网格1"}),
        ("二村", {"网格2"}),  # not in the table itself: what reports to it
        ("镇", {"一村", "网格1"}),
        ("县", set()),
        ("甲", {"甲", "乙"}),
    ],
)
def test_a_unit_sees_itself_and_the_units_reporting_to_it_up_the_chain(unit, seen):
    assert units_under(CHAIN, unit) == seen
