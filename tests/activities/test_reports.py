"""Report activities against real PostgreSQL: figures through SQL, files on disk, upserts.

The figures are counted in SQL, so their definitions are tested here, on hand-built ledgers
with known answers (tests/ledger_stories.py and the small stories below)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
from temporalio.testing import ActivityEnvironment

from activities.reports import ReportActivities
from cli.report import assess, print_report
from domain.assessment_models import AssessmentFigures, ComputeRequest, RecordRequest
from domain.metrics import Metrics
from domain.periods import AssessmentKind, parse_period
from domain.policy import ResponseWindow
from tests import ledger_stories as ls
from tests.ledger_stories import Ledger
from texts import Lang


@pytest.fixture
async def ledger(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    """The November stories in the ledger, and no assessments yet."""
    await clean_pool.execute("TRUNCATE assessments")
    await ls.insert(clean_pool, ls.november())
    return clean_pool


@pytest.fixture
def reports(ledger: asyncpg.Pool, tmp_path: Path) -> ReportActivities:
    # English: the assertions below read the files' words (report.html in Chinese and English:
    # tests/activities/test_report_html.py).
    return ReportActivities(ledger, tmp_path / "reports", lang=Lang.en)


async def compute(
    reports: ReportActivities, kind: AssessmentKind = AssessmentKind.monthly, period="2026-11"
) -> AssessmentFigures:
    request = ComputeRequest(kind=kind, period=period, as_of=ls.AS_OF)
    return await ActivityEnvironment().run(reports.compute, request)


def read_csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


async def test_figures_computed_from_the_database_are_exact(reports):
    figures = await compute(reports)

    assert [(m.scope_level.value, m.scope_unit) for m in figures.metrics] == [
        ("township", ls.HAIBEI),
        ("township", ls.QIANLI),
        ("county", ls.COUNTY),
    ]
    assert [(d.case_id, d.state) for d in figures.due] == [("D", "overdue"), ("G", "overdue")]
    qianli, county = figures.metrics[1], figures.metrics[2]
    assert (qianli.received, qianli.responded, qianli.overdue) == (1, 0, 1)
    assert (county.received, county.responded, county.overdue) == (9, 4, 2)


@pytest.mark.parametrize(("figure", "expected"), list(ls.EXPECTED.items()))
async def test_each_figure_of_the_november_ledger_is_exact(reports, figure, expected):
    figures = await compute(reports)

    assert getattr(figures.metrics[0], figure) == expected


async def test_only_the_daily_lists_cases_due_within_24_hours(reports):
    figures = await compute(reports, AssessmentKind.daily, "2026-11-30")

    assert [(d.case_id, d.state, d.hours) for d in figures.due][-1] == ("I", "due_soon", 5.0)
    assert figures.metrics[0].received == 0  # nothing opened on 30 November
    assert figures.metrics[0].received_year_ago is None  # year on year: monthly only


async def test_files_hold_a_row_per_township_and_the_county(reports, tmp_path):
    figures = await compute(reports)

    files = await ActivityEnvironment().run(reports.write_files, figures)

    folder = tmp_path / "reports" / "monthly" / "2026-11"
    names = ["metrics.csv", "overdue.csv", f"{ls.HAIBEI}.png", f"{ls.QIANLI}.png", "summary.md"]
    names.append("report.html")
    assert files == [f"monthly/2026-11/{name}" for name in names]
    rows = read_csv(folder / "metrics.csv")
    assert [(r["scope_level"], r["scope_unit"], r["received"]) for r in rows] == [
        ("township", ls.HAIBEI, "8"),
        ("township", ls.QIANLI, "1"),
        ("county", ls.COUNTY, "9"),
    ]
    assert float(rows[0]["on_time_rate"]) == 9 / 11
    assert (rows[0]["withdrawn"], rows[0]["received_year_ago"]) == ("1", "1")
    assert rows[1]["resolved"] == "0" and rows[1]["grid_village_share"] == ""  # no rate
    assert [r["case_id"] for r in read_csv(folder / "overdue.csv")] == ["D", "G"]
    assert (folder / f"{ls.HAIBEI}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = (folder / "summary.md").read_text(encoding="utf-8")
    assert summary.startswith(f"# Monthly assessment 2026-11 — {ls.COUNTY}")
    row = "| 8 | 50.0% | 75.0% | 50.0% | 83.3% | 1 | 6 | 83.3% | 66.7% | 66.7% | 81.8% | 16.7% |"
    assert f"| {ls.HAIBEI} {row} 48 | 1 | 1 | 1 |" in summary
    assert (
        "| Unit | Received | Response rate | Mediation rate | First-mediation success rate |"
        in summary
    )
    assert "## Overdue cases (2)" in summary
    assert (
        "| D | case D | Haibei Street / Diamond Square Community / G-07 | county | supervised |"
        in summary
    )
    assert "due within 24 hours" not in summary


async def test_the_daily_summary_has_the_clearance_list(reports, tmp_path):
    figures = await compute(reports, AssessmentKind.daily, "2026-11-30")

    await ActivityEnvironment().run(reports.write_files, figures)

    summary = (tmp_path / "reports/daily/2026-11-30/summary.md").read_text(encoding="utf-8")
    assert "## Clearance list: due within 24 hours (1)" in summary
    place = "Haibei Street / Diamond Square Community / G-07"
    assert f"| I | case I | {place} | grid | open | — | green |" in summary


async def test_writing_files_again_replaces_them_and_leaves_no_temporary_files(reports, tmp_path):
    figures = await compute(reports)
    env = ActivityEnvironment()

    first = await env.run(reports.write_files, figures)
    second = await env.run(reports.write_files, figures)

    assert first == second
    written = sorted(p.name for p in (tmp_path / "reports/monthly/2026-11").iterdir())
    assert written == sorted(Path(f).name for f in first)


async def test_recording_twice_upserts_one_row_per_unit(reports, ledger):
    figures = await compute(reports)
    env = ActivityEnvironment()
    request = RecordRequest(figures=figures, files=["monthly/2026-11/metrics.csv"])

    assert await env.run(reports.record, request) == 3
    await ls.insert(ledger, Ledger.of([ls.case("Z", ls.at(11, 20), "open", "grid")], []))
    assert await env.run(reports.record, RecordRequest(figures=await compute(reports), files=[]))

    rows = await ledger.fetch(
        "SELECT scope_level, scope_unit, received, on_time_rate, reopen_rate, overdue, files,"
        " jsonb_array_length(due_cases) AS due FROM assessments"
        " ORDER BY scope_level DESC, scope_unit"
    )
    assert [tuple(r.values()) for r in rows] == [
        ("township", ls.HAIBEI, 9, 9 / 11, 1 / 6, 1, [], 1),
        ("township", ls.QIANLI, 1, None, None, 1, [], 1),
        ("county", ls.COUNTY, 10, 9 / 11, 1 / 6, 2, [], 2),
    ]


async def test_the_terminal_report_shows_one_township_against_its_county(ledger):
    text = await print_report(ledger, "2026-11", ls.HAIBEI, ls.AS_OF)

    units = [line.split("  ")[0].strip() for line in text.splitlines()[3:5]]
    assert units == [ls.HAIBEI, f"{ls.COUNTY} (county)"]
    assert ls.QIANLI not in text
    assert "overdue as of 2026-11-30 12:00 UTC+8: 1" in text
    assert text.splitlines()[-1].startswith("D  Haibei Street")


async def test_the_terminal_report_refuses_a_period_it_cannot_read(ledger):
    with pytest.raises(ValueError, match="2026-13"):
        await print_report(ledger, "2026-13", None, ls.AS_OF)


# -- each definition on a small story of its own --------------------------------------------------


async def haibei(
    pool: asyncpg.Pool, ledger: Ledger, period: str = "2026-11", windows=None
) -> Metrics:
    """Haibei Street's figures for `period` over `ledger` alone."""
    await ls.insert(pool, ledger)
    metrics, _ = await assess(pool, parse_period(period), ls.AS_OF, windows=windows)
    return next(m for m in metrics if m.scope_unit == ls.HAIBEI)


def failed(hours: float, level: str) -> tuple:
    return (hours, "failed", level, {"reason": "no agreement"}, ls.HANDLER)


async def test_one_first_mediation_of_eleven_succeeding_is_one_in_eleven(clean_pool):
    opened = ls.at(11, 3)
    cases = [ls.case(f"S{n:02d}", opened, "resolved", "grid") for n in range(11)]
    events = ls.story("S00", opened, ls.arrive(0, "grid", 24), ls.resolve(2, "grid"))
    for n in range(1, 11):  # the other ten fail at the grid and are settled at the village
        events += ls.story(
            f"S{n:02d}", opened,
            ls.arrive(0, "grid", 24), failed(2, "grid"),
            ls.arrive(2, "village", 48, trigger="failed"), ls.resolve(5, "village"),
        )  # fmt: skip

    m = await haibei(clean_pool, Ledger.of(cases, events))

    assert (m.first_attempts_ended, m.first_attempt_resolved) == (11, 1)
    assert m.first_attempt_rate == 1 / 11  # dividing by resolutions would say 100 %
    assert (m.concluded, m.concluded_resolved, m.mediation_success_rate) == (11, 11, 1.0)


async def test_a_withdrawal_is_neither_success_nor_failure_and_has_its_own_column(clean_pool):
    opened = ls.at(11, 3)
    cases = [ls.case(n, opened, s, "township") for n, s in [("W", "withdrawn"),
             ("R", "resolved"), ("F", "referred")]]  # fmt: skip
    events = [
        *ls.story("W", opened, ls.arrive(0, "township", 96),
                  (1, "withdrawn", "township", {"reason": "settled"}, ls.APPLICANT),
                  (1, "closed", "township", {"outcome": "withdrawn"})),
        *ls.story("R", opened, ls.arrive(0, "township", 96), ls.resolve(3, "township")),
        *ls.story("F", opened, ls.arrive(0, "township", 96),
                  (4, "mediation_failed", "township", {"track": "judicial_pre_filing"}, ls.HANDLER),
                  (4, "referred", "township", {"track": "judicial_pre_filing", "route": "court"}),
                  (4, "closed", "township", {"outcome": "referred"})),
    ]  # fmt: skip

    m = await haibei(clean_pool, Ledger.of(cases, events))

    assert (m.concluded, m.concluded_resolved, m.mediation_success_rate) == (2, 1, 0.5)
    assert m.withdrawn == 1
    assert (m.first_attempts_ended, m.first_attempt_resolved) == (2, 1)  # W's is not counted
    assert (m.stints_ended, m.stints_on_time) == (3, 3)  # a withdrawal ends a stint in time


async def test_a_success_counts_in_the_month_of_its_agreement_and_its_visit_in_the_next(
    clean_pool,
):
    opened = ls.at(11, 30, 8)
    ledger = Ledger.of(
        [ls.case("V", opened, "closed", "grid")],
        ls.story(
            "V",
            opened,
            ls.arrive(0, "grid", 24),
            ls.resolve(6, "grid"),  # 30 November, 14:00
            ls.visit(30, "grid", "satisfied", True, "satisfied"),  # 1 December
            (31 * 24, "closed", "grid", {"outcome": "resolved"}),  # 31 December
        ),
    )  # fmt: skip

    november = await haibei(clean_pool, ledger)
    december, _ = await assess(clean_pool, parse_period("2026-12"), ls.AS_OF)

    assert (november.concluded_resolved, november.visits_reached) == (1, 0)
    assert (december[0].concluded, december[0].visits_reached, december[0].solved_rate) == (
        0, 1, 1.0,
    )  # fmt: skip


async def test_only_the_first_reached_satisfaction_visit_of_a_case_counts(clean_pool):
    opened = ls.at(11, 3)
    ledger = Ledger.of(
        [ls.case("T", opened, "resolved", "grid")],
        ls.story(
            "T",
            opened,
            ls.arrive(0, "grid", 24),
            ls.resolve(2, "grid"),
            ls.visit(26, "grid", "unreachable"),
            ls.visit(50, "grid", "dissatisfied", False, "dissatisfied"),
            ls.visit(74, "grid", "satisfied", True, "satisfied"),
            (80, "visit_done", "grid", {"visit": "performance", "result": "satisfied"}),
        ),
    )  # fmt: skip

    m = await haibei(clean_pool, ledger)

    assert (m.visits_reached, m.visits_solved, m.visits_satisfied) == (1, 0, 0)
    assert (m.solved_rate, m.satisfaction_rate) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("risk", "step", "responded"),
    [
        ("green", (23.5, "failed", "grid", {}, ls.HANDLER), 1),
        ("green", (24, "failed", "grid", {}, ls.HANDLER), 1),
        ("green", (24.01, "failed", "grid", {}, ls.HANDLER), 0),
        ("green", (1, "contacted", "grid", {}, ls.HANDLER), 1),
        # a party's act is not a handler's contact, nor is the engine's
        ("green", (1, "refused", "grid", {"route": "township"}, ls.APPLICANT), 0),
        ("green", (1, "warning", "grid", {"colour": "yellow"}), 0),
        ("red", (1.9, "contacted", "grid", {}, ls.HANDLER), 1),
        ("red", (2.1, "contacted", "grid", {}, ls.HANDLER), 0),
    ],
)
async def test_a_response_counts_within_the_window_of_the_cases_colour(
    clean_pool, risk, step, responded
):
    opened = ls.at(11, 3)
    ledger = Ledger.of(
        [ls.case("W", opened, "open", "grid")],
        ls.story("W", opened, ls.arrive(0, "grid", 48), step, risk=risk),
    )

    m = await haibei(clean_pool, ledger)

    assert (m.received, m.responded) == (1, responded)


async def test_the_response_window_is_the_policys(clean_pool):
    opened = ls.at(11, 3)
    ledger = Ledger.of(
        [ls.case("W", opened, "open", "grid")],
        ls.story("W", opened, ls.arrive(0, "grid", 48), (13, "contacted", "grid", {}, ls.HANDLER)),
    )

    m = await haibei(clean_pool, ledger, windows=ResponseWindow(default="12h"))

    assert (m.responded, m.taken_up, m.mediation_rate) == (0, 1, 1.0)


async def test_a_change_of_track_ends_the_first_attempt_but_the_first_track_does_not(
    clean_pool,
):
    opened = ls.at(11, 3)
    track = {"track": "peoples", "from": None}
    ledger = Ledger.of(
        [ls.case("X", opened, "open", "grid"), ls.case("Y", opened, "resolved", "grid")],
        [
            *ls.story("X", opened, ls.arrive(0, "grid", 48), (0, "mediation_track", "grid", track),
                      (5, "mediation_track", "grid", {"track": "administrative",
                                                      "from": "peoples"}, ls.HANDLER),
                      ls.resolve(9, "grid")),
            *ls.story("Y", opened, ls.arrive(0, "grid", 48), (0, "mediation_track", "grid", track),
                      ls.resolve(9, "grid")),
        ],
    )  # fmt: skip

    m = await haibei(clean_pool, ledger)

    assert (m.first_attempts_ended, m.first_attempt_resolved) == (2, 1)


async def test_a_failure_before_the_deadline_is_on_time_and_a_pull_up_ends_a_stint(clean_pool):
    opened = ls.at(11, 3)
    ledger = Ledger.of(
        [ls.case("U", opened, "open", "township"), ls.case("P", opened, "open", "village")],
        [
            *ls.story("U", opened, ls.arrive(0, "grid", 24),
                      ls.arrive(3, "township", 96, trigger="pull_up"),
                      (100, "deadline_passed", "township", {"due_at": None})),
            *ls.story("P", opened, ls.arrive(0, "grid", 24), failed(5, "grid"),
                      ls.arrive(5, "village", 48, trigger="failed")),
        ],
    )  # fmt: skip

    m = await haibei(clean_pool, ledger)

    assert (m.stints_ended, m.stints_on_time) == (3, 2)  # late: U at the township


async def test_year_on_year_counts_come_only_with_a_month(clean_pool):
    last_year = ls.at(11, 3) - timedelta(days=365)
    ledger = Ledger.of(
        [ls.case("O", last_year, "resolved", "grid")],
        ls.story("O", last_year, ls.arrive(0, "grid", 24), ls.resolve(2, "grid")),
    )

    month = await haibei(clean_pool, ledger)
    week, _ = await assess(clean_pool, parse_period("2026-W45"), ls.AS_OF)

    assert (month.received, month.received_year_ago, month.resolved_year_ago) == (0, 1, 1)
    assert week[0].received_year_ago is None


async def test_the_daily_summary_lists_dead_notifications_and_the_monthly_does_not(
    reports, ledger, tmp_path
):
    dead_id = await ledger.fetchval(
        "INSERT INTO outbox (case_id, seq, recipient_role, recipient_unit, recipient_name,"
        " message, dead_at, attempts, last_error)"
        " VALUES ('I', 1, 'grid_worker', 'G-07', '赵网格员', 'm', now(), 12, 'HTTP 503: down')"
        " RETURNING id"
    )
    await ledger.execute(
        "INSERT INTO outbox (case_id, seq, recipient_role, recipient_unit, message)"
        " VALUES ('I', 1, 'supervisor', 'X', 'still pending')"
    )
    daily = await compute(reports, AssessmentKind.daily, "2026-11-30")
    monthly = await compute(reports)

    assert [(n.id, n.case_id, n.attempts) for n in daily.dead_notifications] == [(dead_id, "I", 12)]
    assert monthly.dead_notifications == []
    await ActivityEnvironment().run(reports.write_files, daily)
    summary = (tmp_path / "reports/daily/2026-11-30/summary.md").read_text(encoding="utf-8")
    assert "## Notifications not delivered (1)" in summary
    assert f"| {dead_id} | I | 1 |" in summary and "grid_worker@G-07 (赵网格员)" in summary
    assert "HTTP 503: down |" in summary


async def test_a_case_is_received_in_the_month_it_was_reported_not_entered(reports, ledger):
    october_before = (await compute(reports, period="2026-10")).metrics[-1].received
    # Case D was reported in October and entered into the engine in November.
    await ledger.execute(
        "UPDATE cases SET reported_at = opened_at - interval '20 days' WHERE case_id = 'D'"
    )
    november = (await compute(reports)).metrics[-1]
    october = (await compute(reports, period="2026-10")).metrics[-1]
    assert (november.received, october.received) == (8, october_before + 1)


async def test_the_report_of_the_current_month_writes_report_html(ledger, tmp_path):
    from cli.report import write_report_files

    files = await write_report_files(ledger, "2026-11", ls.AS_OF, tmp_path, "zh")
    assert "monthly/2026-11/report.html" in files
    html = (tmp_path / "monthly" / "2026-11" / "report.html").read_text(encoding="utf-8")
    assert "2026-11" in html and "<html" in html
