"""The words of the report files: each figure's name and definition, in the report's language.

Shared by summary.md, report.html and the charts, so a figure has one name everywhere. The
names follow the county's assessment sheets (响应率, 调解率, 首调成功率, 调解成功率, 解决率,
满意率); the definitions are docs/metrics.md's, shortened: numerator ÷ denominator and the
period a case counts in. The CSV files keep their English column names (the machine contract).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.assessment_models import AssessmentFigures
from domain.metrics import DAYS_COLUMNS, PETITION_COLUMNS, TRACK_COLUMNS, Metrics, columns_for
from texts import Lang, Texts, texts
from texts.terms import label


@dataclass(frozen=True)
class Figure:
    """One column of the figures table: the Metrics field, its name, whether it is a rate."""

    field: str
    name: str
    is_rate: bool


@dataclass(frozen=True)
class Definition:
    """A figure's definition as the report prints it."""

    name: str
    numerator: str
    denominator: str
    period: str


def report_texts(lang: Lang | str) -> Texts:
    return texts("report", lang)


def figure_names(lang: Lang | str) -> dict[str, str]:
    """The name of each figure column (a Metrics field) for people."""
    _ = report_texts(lang)
    return {
        "received": _("Received"),
        "response_rate": _("Response rate"),
        "mediation_rate": _("Mediation rate"),
        "first_attempt_rate": _("First-mediation success rate"),
        "mediation_success_rate": _("Mediation success rate"),
        "withdrawn": _("Withdrawn"),
        "resolved": _("Resolved"),
        "grid_village_share": _("Resolved at grid or village"),
        "solved_rate": _("Solved rate"),
        "satisfaction_rate": _("Satisfaction rate"),
        "on_time_rate": _("On-time rate"),
        "reopen_rate": _("Reopen rate"),
        "paused_hours": _("Paused hours"),
        "overdue": _("Overdue"),
        "received_year_ago": _("Received a year ago"),
        "resolved_year_ago": _("Resolved a year ago"),
        "petitions_received": _("Petitions received"),
        "petition_repeat_share": _("Repeat petitions"),
        "petition_acceptance_on_time_rate": _("Petitions accepted on time"),
        "petition_on_time_rate": _("Petitions answered on time"),
        "petition_satisfaction_rate": _("Petitioners satisfied"),
        "petition_review_share": _("Taken to review"),
        "petition_re_review_share": _("Taken to re-review"),
        "peoples_share": _("Reached people's mediation"),
        "administrative_share": _("Reached administrative mediation"),
        "judicial_share": _("Reached court-referred mediation"),
        "arbitration_share": _("Reached labour arbitration"),
        "court_share": _("Reached the court road"),
        "pre_filing_success_rate": _("Pre-filing mediation success rate"),
        "in_limit_rate": _("Closed within the legal limit"),
        "days_peoples": _("People's mediation"),
        "days_administrative": _("Administrative mediation"),
        "days_judicial": _("Court-referred mediation"),
        "days_arbitration": _("Labour arbitration"),
        "days_court": _("Court road"),
    }


@dataclass(frozen=True)
class FigureTable:
    """A table of figures after the disputes' own: its heading and its columns."""

    heading: str
    figures: list[Figure]


def more_tables(lang: Lang | str) -> list[FigureTable]:
    """The 信访 figures, the tracks' and the days per track, each a table of its own."""
    _ = report_texts(lang)
    names = figure_names(lang)

    def of(columns: tuple[tuple[str, str, bool], ...]) -> list[Figure]:
        return [Figure(field, names[field], is_rate) for _, field, is_rate in columns]

    return [
        FigureTable(_("Letters and visits (petitions)"), of(PETITION_COLUMNS)),
        FigureTable(_("Tracks and the court road"), of(TRACK_COLUMNS)),
        FigureTable(_("Days on each track (median)"), of(DAYS_COLUMNS)),
    ]


def unit_name(m: Metrics, lang: Lang | str) -> str:
    """A row's unit as the report names it: '海博湾区（县级）' for the county's own row."""
    _ = report_texts(lang)
    if m.scope_level.value == "county":
        return _("{unit} (county)").format(unit=m.scope_unit)
    return m.scope_unit


def county_to_compare(figures: AssessmentFigures) -> Metrics | None:
    """The county a township's chart marks for comparison: with one county (the usual
    deployment) every township is compared with it; with none or several, with nothing."""
    counties = {m.scope_unit: m for m in figures.metrics if m.scope_level.value == "county"}
    return next(iter(counties.values())) if len(counties) == 1 else None


def chart_title(m: Metrics, figures: AssessmentFigures, lang: Lang | str) -> str:
    _ = report_texts(lang)
    return _("{unit}: rates, {period}").format(unit=m.scope_unit, period=figures.period.label)


def chart_footer(m: Metrics, lang: Lang | str) -> str:
    """The counts under a township's chart."""
    _ = report_texts(lang)
    return _(
        "received {received} · resolved {resolved} · withdrawn {withdrawn}"
        " · overdue {overdue} · paused {paused} h"
    ).format(
        received=m.received,
        resolved=m.resolved,
        withdrawn=m.withdrawn,
        overdue=m.overdue,
        paused=f"{m.paused_hours:g}",
    )


def figures_of(metrics: list[Metrics], lang: Lang | str) -> list[Figure]:
    """The table's columns in domain.metrics' order (year on year only when the rows have it)."""
    names = figure_names(lang)
    return [Figure(field, names[field], is_rate) for _, field, is_rate in columns_for(metrics)]


def chart_rates(lang: Lang | str) -> list[Figure]:
    """The rates a township's chart shows, in the table's order."""
    names = figure_names(lang)
    return [
        Figure(field, names[field], True)
        for _, field, is_rate in columns_for([])
        if is_rate and field != "reopen_rate"  # a rate where less is better: not a bar
    ]


def definitions(lang: Lang | str) -> list[Definition]:
    """The headline figures' definitions: what is counted over what, and when."""
    _ = report_texts(lang)
    names = figure_names(lang)
    receipt = _("the month, week or day the case was received")
    return [
        Definition(
            names["response_rate"],
            _(
                "cases received whose handler first contacted the applicant within the "
                "response window (24 h; red-risk cases 2 h)"
            ),
            _("cases received"),
            receipt,
        ),
        Definition(
            names["mediation_rate"],
            _("cases received that a mediator took up (a contact or a recorded outcome)"),
            _("cases received"),
            receipt,
        ),
        Definition(
            names["first_attempt_rate"],
            _("first attempts that ended in an agreement"),
            _(
                "cases whose first attempt (first level and track) ended in the period; "
                "withdrawals count in neither"
            ),
            _("the period the first attempt ended"),
        ),
        Definition(
            names["mediation_success_rate"],
            _("mediations that concluded with an agreement"),
            _(
                "cases whose mediation concluded in the period (an agreement, or referred "
                "after the last track); withdrawals count in neither"
            ),
            _("the period of the agreement or referral"),
        ),
        Definition(
            names["solved_rate"],
            _("visits where the applicant answered that the dispute is solved"),
            _("cases whose first satisfaction visit that reached the applicant was in the period"),
            _("the period of that visit"),
        ),
        Definition(
            names["satisfaction_rate"],
            _("visits where the applicant was satisfied or basically satisfied"),
            _("cases whose first satisfaction visit that reached the applicant was in the period"),
            _("the period of that visit"),
        ),
        Definition(
            names["grid_village_share"],
            _("resolutions made at the grid or the village"),
            _("resolutions in the period"),
            _("the period of the resolution"),
        ),
        Definition(
            names["on_time_rate"],
            _("level stints ended before their deadline (paused time does not count)"),
            _("level stints ended in the period"),
            _("the period the stint ended"),
        ),
        Definition(
            names["reopen_rate"],
            _("reopenings in the period"),
            _("resolutions in the period"),
            _("the period of the events"),
        ),
        Definition(
            names["petition_acceptance_on_time_rate"],
            _("petitions accepted with no window to register, notify or accept flagged before"),
            _("petitions accepted in the period"),
            _("the period of the acceptance"),
        ),
        Definition(
            names["petition_on_time_rate"],
            _("written replies given with the handling window (60 days, +30 once) not flagged"),
            _("written replies in the period"),
            _("the period of the reply"),
        ),
        Definition(
            names["petition_satisfaction_rate"],
            _("ratings of satisfied or basically satisfied"),
            _("petitioners' ratings in the period"),
            _("the period of the rating"),
        ),
        Definition(
            _("Share reaching a track"),
            _(
                "cases received that were put on the track (people's, administrative, "
                "court-referred mediation) or that led to a matter of labour arbitration or "
                "of the court road, by the time of the computation"
            ),
            _("cases received"),
            receipt,
        ),
        Definition(
            names["pre_filing_success_rate"],
            _("pre-filing court mediations that ended settled"),
            _("pre-filing court mediations ended in the period; withdrawals count in neither"),
            _("the period the mediation ended"),
        ),
        Definition(
            names["in_limit_rate"],
            _(
                "stays on a track that ended before their time limit lapsed (a road matter: "
                "no window of it flagged)"
            ),
            _("stays on a track ended in the period (mediation tracks and road matters)"),
            _("the period the stay ended"),
        ),
        Definition(
            _("Days on each track (median)"),
            _("the middle length in days of the stays on the track"),
            _("stays on the track ended in the period"),
            _("the period the stay ended"),
        ),
    ]


def duty_cells(figures: AssessmentFigures, lang: Lang) -> list[tuple[str, str]]:
    """The report duties' figures (零报告) as (name, value) pairs; none without duties."""
    d = figures.duties
    if d is None or not d.owed:
        return []
    _ = report_texts(lang)

    def share(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    days = f"{d.first}" if d.first == d.last else f"{d.first} – {d.last}"
    return [
        (_("Days"), days),
        (_("Reports owed"), str(d.owed)),
        (_("On time"), f"{d.on_time} ({share(d.on_time_rate)})"),
        (_("Late"), str(d.late)),
        (_("Missing"), str(d.missing)),
        (_("Zero reports (share of those filed)"), f"{d.zero} ({share(d.zero_share)})"),
        (_("Zero reports flagged: a case was found"), str(d.flagged)),
    ]


def recurring_rows(figures: AssessmentFigures, lang: Lang) -> list[tuple[str, str, int, int]]:
    """The recurring problems (每月一题) as (dispute type, place, cases, repeats) rows."""
    return [
        (label("dispute_type", r.dispute_type, lang), f"{r.township} {r.village}", r.cases,
         r.repeats)
        for r in figures.recurring
    ]  # fmt: skip
