"""The metric definitions on hand-built rows: known counts give exact rates (docs/metrics.md)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.ladder import Level
from domain.metrics import (
    CaseRow,
    Scope,
    TableWords,
    UnitCounts,
    counts_of_scopes,
    due_cases,
    metrics_of,
    render_table,
    scopes_of,
    year_earlier,
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
    "response_rate",
    "mediation_rate",
    "first_attempt_rate",
    "mediation_success_rate",
    "grid_village_share",
    "solved_rate",
    "satisfaction_rate",
    "on_time_rate",
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


# -- counts to figures -----------------------------------------------------------------------------
# The counts themselves are SQL: their definitions are tested on hand-built ledgers in
# tests/activities/test_reports.py.


@pytest.mark.parametrize(
    ("label", "reference"),
    [("2026-11", "2025-11"), ("2026-01", "2025-01"), ("2026-W47", "2025-W47"),
     ("2026-W53", "2025-W52"), ("2028-02-29", "2027-02-28"), ("2026-11-23", "2025-11-23")],
)  # fmt: skip
def test_the_year_on_year_reference_is_the_same_period_a_year_earlier(label, reference):
    assert year_earlier(parse_period(label)).label == reference


COUNTS = UnitCounts(
    received=8, responded=4, taken_up=6, attempts_ended=6, attempts_resolved=3, concluded=6,
    concluded_resolved=5, withdrawn=1, resolved=6, resolved_grid_village=5, visits_reached=3,
    visits_solved=2, visits_satisfied=2, stints_ended=11, stints_on_time=9,
    paused_seconds=48 * 3600, reopened=1, received_year_ago=1, resolved_year_ago=2,
)  # fmt: skip


def test_each_rate_divides_its_own_counts():
    m = metrics_of(COUNTS, HAIBEI, NOV, ls.AS_OF, [])

    assert (m.response_rate, m.mediation_rate, m.first_attempt_rate) == (0.5, 0.75, 0.5)
    assert (m.mediation_success_rate, m.grid_village_share) == (5 / 6, 5 / 6)
    assert (m.solved_rate, m.satisfaction_rate, m.on_time_rate) == (2 / 3, 2 / 3, 9 / 11)
    assert (m.reopen_rate, m.paused_hours, m.withdrawn) == (1 / 6, 48.0, 1)
    assert (m.received_year_ago, m.resolved_year_ago) == (1, 2)


def test_a_period_with_no_cases_has_no_rates_rather_than_zero_or_an_error():
    m = metrics_of(UnitCounts(), HAIBEI, NOV, ls.AS_OF, [])

    assert [getattr(m, name) for name in RATES] == [None] * len(RATES)
    assert (m.received, m.resolved, m.paused_hours) == (0, 0, 0)


def test_year_on_year_counts_are_only_given_for_a_month():
    m = metrics_of(COUNTS, HAIBEI, parse_period("2026-W47"), ls.AS_OF, [])

    assert (m.received_year_ago, m.resolved_year_ago) == (None, None)


def test_a_countys_counts_are_the_sum_of_its_townships():
    per_township = {(ls.COUNTY, ls.HAIBEI): COUNTS, (ls.COUNTY, ls.QIANLI): UnitCounts(received=1)}

    new_town = Scope(level=Level.township, unit="New Town")

    counts = counts_of_scopes(per_township, [HAIBEI, QIANLI, new_town, COUNTY])

    assert counts[COUNTY].received == 9 and counts[COUNTY].responded == 4
    assert counts[QIANLI] == UnitCounts(received=1)
    assert counts[new_town] == UnitCounts()


# -- the clearance list, scopes and the table ---------------------------------------------------


def clearance_rows() -> list[CaseRow]:
    def row(case_id, status, due_at=None, township=ls.HAIBEI, since=None):
        return CaseRow(
            case_id=case_id, county=ls.COUNTY, township=township, village="V", grid="G-07",
            status=status, level="grid", opened_at=ls.at(11, 1), due_at=due_at,
            supervised_since=since,
        )  # fmt: skip

    return [
        row("D", "supervised", since=ls.at(11, 11, 12)),
        row("G", "open", ls.at(11, 29), township=ls.QIANLI),
        row("I", "open", ls.AS_OF + timedelta(hours=5)),
        row("J", "paused", ls.at(10, 2)),  # paused: never overdue
        row("L", "resolved", ls.at(10, 2)),  # finished
        row("Q", "open", ls.AS_OF + timedelta(hours=30)),  # not yet due soon
    ]


def test_the_clearance_list_puts_the_most_overdue_first_then_the_soonest_due():
    due = due_cases(clearance_rows(), ls.AS_OF, soon=True)

    assert [(d.case_id, d.state, d.hours) for d in due] == [
        ("D", "overdue", 456.0),  # supervised since 11 Nov 12:00
        ("G", "overdue", 27.0),
        ("I", "due_soon", 5.0),
    ]
    assert [d.case_id for d in due_cases(clearance_rows(), ls.AS_OF)] == ["D", "G"]


def test_overdue_and_due_soon_figures_count_the_units_own_cases():
    due = due_cases(clearance_rows(), ls.AS_OF, soon=True)

    counts = [metrics_of(UnitCounts(), s, NOV, ls.AS_OF, due) for s in (HAIBEI, QIANLI, COUNTY)]

    assert [(m.overdue, m.due_soon) for m in counts] == [(1, 1), (1, 0), (2, 1)]


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
    rows = [
        metrics_of(COUNTS, HAIBEI, NOV, ls.AS_OF, []),
        metrics_of(UnitCounts(received=1), QIANLI, NOV, ls.AS_OF, []),
        metrics_of(COUNTS + UnitCounts(received=1), COUNTY, NOV, ls.AS_OF, []),
    ]

    table = render_table(rows)

    lines = table.splitlines()
    assert lines[0] == "period 2026-11, as of 2026-11-30 12:00 UTC+8"
    assert lines[1].split()[:5] == ["unit", "received", "response", "mediated", "1st"]
    haibei, qianli, county = lines[3:6]
    assert haibei.split()[2:9] == ["8", "50.0%", "75.0%", "50.0%", "83.3%", "1", "6"]
    assert haibei.split()[-2:] == ["1", "2"]  # year on year
    assert qianli.split()[2:4] == ["1", "0.0%"] and "—" in qianli  # no attempt ended
    assert county.startswith("Haibowan District (county)")
    assert len({len(line) for line in lines[1:6]}) == 1  # aligned columns


def test_a_table_without_a_month_has_no_year_on_year_columns():
    row = metrics_of(COUNTS, HAIBEI, parse_period("2026-W47"), ls.AS_OF, [])

    assert "yr ago" not in render_table([row])


def test_the_terminal_table_takes_its_words_and_aligns_chinese_by_display_width():
    import unicodedata

    rows = [metrics_of(COUNTS, HAIBEI, NOV, ls.AS_OF, []),
            metrics_of(COUNTS, COUNTY, NOV, ls.AS_OF, [])]  # fmt: skip
    words = TableWords(names={"response_rate": "响应率", "received": "受理数"}, unit="单位",
                       county="（县级）", title="统计期 {period}，截至 {as_of}")  # fmt: skip

    lines = render_table(rows, words).splitlines()

    def cells(line: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)

    assert lines[0] == "统计期 2026-11，截至 2026-11-30 12:00"
    assert lines[1].split()[:3] == ["单位", "受理数", "响应率"]
    assert lines[4].startswith("Haibowan District（县级）")
    assert len({cells(line) for line in lines[1:5]}) == 1


def test_petition_figures_are_rates_of_their_own_counts_and_none_without_a_denominator():
    counts = UnitCounts(
        petitions_received=10, petitions_repeated=2, petitions_accepted=8,
        petitions_accepted_on_time=6, petitions_answered=5, petitions_answered_on_time=4,
        petitions_rated=4, petitions_satisfied=3, petitions_to_review=2, petitions_to_re_review=1,
    )  # fmt: skip
    m = metrics_of(counts, HAIBEI, NOV, ls.AS_OF, [])
    assert (m.petition_repeat_share, m.petition_acceptance_on_time_rate) == (0.2, 0.75)
    assert (m.petition_on_time_rate, m.petition_satisfaction_rate) == (0.8, 0.75)
    assert (m.petition_review_share, m.petition_re_review_share) == (0.4, 0.2)
    assert m.received == 0 and m.response_rate is None  # disputes are counted apart
    empty = metrics_of(UnitCounts(), HAIBEI, NOV, ls.AS_OF, [])
    assert empty.petition_on_time_rate is None and empty.petition_satisfaction_rate is None
    assert (counts + counts).petitions_to_review == 4  # a county sums its townships
