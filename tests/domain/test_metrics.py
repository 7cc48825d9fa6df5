"""The metric definitions on hand-built rows: known counts give exact rates (docs/metrics.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.ladder import Level
from domain.metrics import (
    Ledger,
    Scope,
    compute_metrics,
    count_responded,
    count_stints,
    count_visits,
    due_cases,
    render_table,
    scopes_of,
)
from domain.periods import (
    LOCAL_TZ,
    AssessmentKind,
    PeriodKind,
    default_period,
    parse_period,
    period_of_kind,
)
from tests import ledger_stories as ls

NOV = parse_period("2026-11")
HAIBEI = Scope(level=Level.township, unit=ls.HAIBEI)
QIANLI = Scope(level=Level.township, unit=ls.QIANLI)
COUNTY = Scope(level=Level.county, unit=ls.COUNTY)
RATES = (
    "grid_village_share",
    "mediation_success_rate",
    "first_attempt_rate",
    "on_time_rate",
    "response_rate",
    "satisfaction_rate",
    "reopen_rate",
)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


# -- periods ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "kind", "start", "end"),
    [
        ("2026-11", PeriodKind.month, local(2026, 11, 1), local(2026, 12, 1)),
        ("2026-12", PeriodKind.month, local(2026, 12, 1), local(2027, 1, 1)),
        ("2026-11-23", PeriodKind.day, local(2026, 11, 23), local(2026, 11, 24)),
        ("2026-W47", PeriodKind.week, local(2026, 11, 16), local(2026, 11, 23)),
        # ISO weeks across New Year: 2026 has 53 weeks, 2027-W01 starts on 4 January.
        ("2026-W53", PeriodKind.week, local(2026, 12, 28), local(2027, 1, 4)),
        ("2027-W01", PeriodKind.week, local(2027, 1, 4), local(2027, 1, 11)),
        ("2026-W01", PeriodKind.week, local(2025, 12, 29), local(2026, 1, 5)),
    ],
)
def test_period_labels_cover_local_days(label, kind, start, end):
    period = parse_period(label)

    assert (period.label, period.kind, period.start, period.end) == (label, kind, start, end)
    assert period.start.utcoffset() == timedelta(hours=8)


def test_a_local_month_starts_at_4pm_utc_the_day_before():
    assert NOV.start.astimezone(UTC) == datetime(2026, 10, 31, 16, 0, tzinfo=UTC)
    assert NOV.contains(datetime(2026, 10, 31, 16, 0, tzinfo=UTC))
    assert not NOV.contains(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # 1 Dec, 00:00 local


@pytest.mark.parametrize(
    "label", ["2026-13", "2026-W54", "2025-W53", "2026-02-30", "2026/11", "November", ""]
)
def test_impossible_periods_are_refused_with_the_label_named(label):
    with pytest.raises(ValueError, match="period"):
        parse_period(label)


@pytest.mark.parametrize(
    ("kind", "now", "expected"),
    [
        (AssessmentKind.daily, datetime(2026, 11, 23, 0, 0, tzinfo=UTC), "2026-11-23"),
        # 00:30 on the 23rd in Beijing is still the 22nd in UTC: the local date counts.
        (AssessmentKind.daily, datetime(2026, 11, 22, 16, 30, tzinfo=UTC), "2026-11-23"),
        (AssessmentKind.weekly, datetime(2026, 11, 23, 0, 30, tzinfo=UTC), "2026-W47"),
        (AssessmentKind.weekly, datetime(2027, 1, 4, 0, 30, tzinfo=UTC), "2026-W53"),
        (AssessmentKind.monthly, datetime(2026, 12, 1, 1, 0, tzinfo=UTC), "2026-11"),
        (AssessmentKind.monthly, datetime(2027, 1, 1, 1, 0, tzinfo=UTC), "2026-12"),
    ],
)
def test_a_scheduled_run_covers_today_last_week_or_last_month(kind, now, expected):
    assert default_period(kind, now).label == expected


@pytest.mark.parametrize(
    ("kind", "label"),
    [(AssessmentKind.monthly, "2026-11-23"), (AssessmentKind.daily, "2026-11"),
     (AssessmentKind.weekly, "2026-11")],
)  # fmt: skip
def test_a_period_of_the_wrong_granularity_is_refused(kind, label):
    with pytest.raises(ValueError, match=f"{kind.value} assessment needs"):
        period_of_kind(kind, label)


# -- the definitions on the November ledger -----------------------------------------------------


@pytest.mark.parametrize(("figure", "expected"), list(ls.EXPECTED.items()))
def test_each_figure_of_the_november_ledger_is_exact(figure, expected):
    metrics = compute_metrics(ls.november(), HAIBEI, NOV, ls.AS_OF)

    assert getattr(metrics, figure) == expected


@pytest.mark.parametrize(
    ("scope", "received", "responded", "overdue"),
    [(QIANLI, 1, 0, 1), (COUNTY, 7, 3, 2),
     (Scope(level=Level.village, unit="East Village"), 1, 0, 1),
     (Scope(level=Level.grid, unit="G-07"), 7, 3, 2)],
)  # fmt: skip
def test_scope_selects_the_cases_of_the_unit(scope, received, responded, overdue):
    metrics = compute_metrics(ls.november(), scope, NOV, ls.AS_OF)

    assert (metrics.received, metrics.responded, metrics.overdue) == (received, responded, overdue)


def test_a_month_with_no_cases_has_no_rates_rather_than_zero_or_an_error():
    metrics = compute_metrics(ls.november(), HAIBEI, parse_period("2026-06"), ls.AS_OF)

    assert [getattr(metrics, name) for name in RATES] == [None] * len(RATES)
    assert (metrics.received, metrics.resolved, metrics.paused_hours) == (0, 0, 0)


def test_paused_time_is_excluded_so_a_late_looking_resolution_is_on_time():
    opened = local(2026, 11, 5, 9)
    ledger = Ledger.of(
        [ls.case("P", opened, "resolved", "grid")],
        ls.story(
            "P",
            opened,
            ls.arrive(0, "grid", 24),
            (2, "paused", "grid", {"reason": "appraisal"}, ls.HANDLER),
            (50, "resumed", "grid", {"paused_seconds": 172800, "total_paused_seconds": 172800}),
            ls.resolve(60, "grid"),  # 60 h after opening on a 24 h budget, 48 h of it paused
        ),
    )

    metrics = compute_metrics(ledger, HAIBEI, NOV, ls.AS_OF)

    assert (metrics.stints_ended, metrics.on_time_rate, metrics.paused_hours) == (1, 1.0, 48.0)
    assert metrics.first_attempt_rate == 1.0


def test_a_reopened_case_counts_a_reopening_and_its_second_resolution_is_not_first_attempt():
    opened = local(2026, 11, 3, 9)
    ledger = Ledger.of(
        [ls.case("R", opened, "resolved", "grid")],
        ls.story(
            "R",
            opened,
            ls.arrive(0, "grid", 24),
            ls.resolve(5, "grid"),
            (30, "visit_done", "grid", {"visit": "satisfaction", "result": "dissatisfied"}),
            (30, "reopened", "grid", {"from_level": "grid", "to_level": "grid"}),
            ls.arrive(30, "grid", 24),
            ls.resolve(40, "grid"),
        ),
    )

    metrics = compute_metrics(ledger, HAIBEI, NOV, ls.AS_OF)

    assert (metrics.resolved, metrics.first_attempt_resolved, metrics.reopened) == (2, 1, 1)
    assert (metrics.reopen_rate, metrics.stints_ended, metrics.stints_on_time) == (0.5, 2, 2)


def test_a_pull_up_ends_the_lower_stint_on_time_and_starts_another():
    opened = local(2026, 11, 3, 9)
    ledger = Ledger.of(
        [ls.case("U", opened, "open", "township")],
        ls.story(
            "U",
            opened,
            ls.arrive(0, "grid", 24),
            ls.arrive(3, "township", 96, trigger="pull_up"),
            (100, "deadline_passed", "township", {"due_at": None}),
        ),
    )

    assert count_stints(ledger, NOV) == (2, 1)


@pytest.mark.parametrize(
    ("results", "rated", "satisfied"),
    [
        (["satisfied", "unreachable"], 1, 1),
        (["unreachable", "unreachable"], 0, 0),
        (["satisfied", "dissatisfied", "agreement_broken", "flared_up"], 4, 1),
    ],
)
def test_unreachable_visits_are_left_out_of_satisfaction(results, rated, satisfied):
    opened = local(2026, 11, 3, 9)
    steps = [ls.arrive(0, "grid", 24), ls.resolve(1, "grid")]
    steps += [(2 + i, "visit_done", "grid", {"result": r}) for i, r in enumerate(results)]
    ledger = Ledger.of([ls.case("V", opened, "resolved", "grid")], ls.story("V", opened, *steps))

    assert count_visits(ledger, NOV) == (rated, satisfied)


@pytest.mark.parametrize(
    ("hours", "responded"),
    [(23.5, 1), (24, 1), (24.01, 0)],
)
def test_a_response_counts_only_within_24_hours_of_opening(hours, responded):
    opened = local(2026, 11, 3, 9)
    ledger = Ledger.of(
        [ls.case("W", opened, "open", "grid")],
        ls.story(
            "W",
            opened,
            ls.arrive(0, "grid", 48),
            (hours, "failed", "grid", {"reason": "absent"}, ls.HANDLER),
        ),
    )

    assert count_responded(ledger, NOV) == responded


# -- the clearance list, scopes and the table ---------------------------------------------------


def test_the_clearance_list_puts_the_most_overdue_first_then_the_soonest_due():
    due = due_cases(ls.november(), ls.AS_OF, soon=True)

    assert [(d.case_id, d.state, d.hours) for d in due] == [
        ("D", "overdue", 456.0),  # supervised since 11 Nov 12:00
        ("G", "overdue", 27.0),
        ("I", "due_soon", 5.0),
    ]
    assert [d.case_id for d in due_cases(ls.november(), ls.AS_OF)] == ["D", "G"]


@pytest.mark.parametrize(
    ("township", "units"),
    [
        (None, [ls.HAIBEI, ls.QIANLI, ls.COUNTY]),
        (ls.QIANLI, [ls.QIANLI, ls.COUNTY]),
        ("New Town", ["New Town", ls.COUNTY]),  # no cases yet: a row of zeros
    ],
)
def test_an_assessment_has_a_row_per_township_then_the_county(township, units):
    pairs = [(ls.COUNTY, ls.QIANLI), (ls.COUNTY, ls.HAIBEI), (ls.COUNTY, ls.HAIBEI)]

    assert [s.unit for s in scopes_of(pairs, township)] == units


def test_the_terminal_table_shows_percentages_and_a_dash_for_no_rate():
    ledger = ls.november()
    rows = [compute_metrics(ledger, s, NOV, ls.AS_OF) for s in (HAIBEI, QIANLI, COUNTY)]

    table = render_table(rows)

    lines = table.splitlines()
    assert lines[0] == "period 2026-11, as of 2026-11-30 12:00 UTC+8"
    assert lines[1].split()[:3] == ["unit", "received", "resolved"]
    haibei, qianli, county = lines[3:6]
    assert haibei.split()[2:10] == ["6", "5", "80.0%", "66.7%", "40.0%", "77.8%", "50.0%", "50.0%"]
    assert qianli.split()[2:4] == ["1", "0"] and "—" in qianli
    assert county.startswith("Haibowan District (county)")
    assert len({len(line) for line in lines[1:6]}) == 1  # aligned columns
