"""Governance metrics: the figures a township is judged on, their rates and how they are shown.

The figures are counted in SQL over the ledger (`runtime/report_sql.py`), as one row of counts
per (county, township); this module holds the vocabulary those queries are built from (which
events count as what), the rates computed from the counts, the clearance list and the terminal
table. Every count is additive, so a county's row is the sum of its townships'. Definitions,
with their numerator, denominator, period rule and an example: docs/metrics.md.
A rate is None when its denominator is 0: "no cases" is not "0%". Pure: no I/O, no clock.
"""

from __future__ import annotations

import dataclasses
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from domain.actions import PARTY_ROLES
from domain.ladder import Level
from domain.ledger_rows import CaseRow, Scope
from domain.periods import LOCAL_TZ, Period, PeriodKind, parse_period
from domain.urgency import DUE_SOON, Urgency, urgency
from texts.terminal import pad, width

__all__ = ["LOCAL_TZ", "CaseRow", "DueCase", "Metrics", "Period", "Scope", "UnitCounts"]
__all__ += ["due_cases", "metrics_of", "parse_period", "rate", "render_table", "scopes_of"]
__all__ += ["PARTY_ROLES"]

# -- the vocabulary the SQL counts with (docs/events.md) ----------------------------------------

#: Statuses after which a case can no longer be overdue.
FINISHED = frozenset({"resolved", "closed", "withdrawn", "referred", "merged"})
#: A handler's first contact with the applicant (the `contact` action).
CONTACTED = "contacted"
#: Events with an actor that are not a handler's contact: the intake itself, the
#: applicant's own withdrawal, and a link to a related case (a clerk's desk work). Events
#: whose actor has a party's role never are.
NOT_CONTACT = frozenset({"opened", "withdrawn", "linked"})
#: Outcomes recorded by a mediator: a case with one was taken up (调解率) even without contact.
OUTCOMES = frozenset({"resolved", "failed", "mediation_failed"})
#: The first mediation attempt (the first level and track) ends at the first of these. A
#: `mediation_track` event ends it only when it moves the case off a track (`data.from` set).
ATTEMPT_ENDS = frozenset(
    {"resolved", "failed", "mediation_failed", "escalated", "track_lapsed", "deadline_passed",
     "refused", "referred", "mediation_track"}
)  # fmt: skip
#: A first attempt ended by the applicant's withdrawal is neither a success nor a failure.
WITHDRAWN = "withdrawn"
#: A level's stay (stint) starts with these…
STINT_STARTS = frozenset({"assigned", "escalated"})
#: …and ends with the first of these (`escalated` ends the lower stint and starts the next;
#: `referred` ends the case after the last track failed).
STINT_ENDS = frozenset(
    {"resolved", "failed", "withdrawn", "refused", "referred", "deadline_passed", "escalated"}
)
LATE = "deadline_passed"
#: 信访 (procedures/petition.toml): the windows whose flag makes an acceptance late (register,
#: notify, accept an assignment) and an answer late (the 60(+30)-day handling window); the
#: petitioner's ratings that count as satisfied are SATISFIED's.
PETITION_ACCEPT_WINDOWS = frozenset({"register", "notify", "accept_assigned"})
PETITION_ANSWER_WINDOWS = frozenset({"handle"})
#: The tracks a dispute may reach (三调联动 and the road to court, docs/metrics.md), and what
#: puts a case on each: a `mediation_track` event's `track`, or a matter of a procedure table
#: opened from the case (`procedure_opened.data.from_case`) or that the case holds (events whose
#: `data.procedure` is the table's name). Labour mediation (劳动争议调解仲裁法 Art. 10: people's
#: and enterprise mediation committees) counts with people's mediation.
TRACK_GROUPS = ("peoples", "administrative", "judicial", "arbitration", "court")
TRACK_GROUP_OF = {
    "peoples": "peoples",
    "labour_mediation": "peoples",
    "administrative": "administrative",
    "judicial_pre_filing": "judicial",
    "judicial_post_filing": "judicial",
    "judicial_simplified": "judicial",
    "labour_arbitration": "arbitration",
}
ROAD_GROUP_OF = {"court": "court", "labour_arbitration": "arbitration"}
#: A mediation track's stay ends at the case's first of these after its `mediation_track`…
STAY_ENDS = frozenset(
    {"mediation_track", "resolved", "mediation_failed", "track_lapsed", "referred", "withdrawn",
     "mediation_exhausted", "closed", "arbitration_award_final"}
)  # fmt: skip
#: …and is past its legal limit when it ended by one of these.
STAY_LAPSES = frozenset({"track_lapsed", "mediation_exhausted"})
#: …or when one of these flagged its legal time passing during it (the arbitration committee
#: late to accept or award, Arts. 29, 43; court-referred mediation after filing past its 15 or
#: 7 days, 特邀调解规定 Art. 27): a late step is no stay within the limit, as a road matter's
#: `procedure_flag` is not.
STAY_FLAGS = frozenset({"arbitration_overdue", "track_overdue"})
#: Pre-filing mediation (委派调解, 特邀调解规定 Arts. 21, 27) on the court table: the state, the
#: state a settlement leaves it in, and the states that count as neither success nor failure.
PRE_FILING = "pre_filing_mediation"
PRE_FILING_SETTLED = "settled"
PRE_FILING_NEITHER = frozenset({"withdrawn"})
#: Levels whose resolutions make the grid + village share (小事不出村居).
LOW_LEVELS = frozenset({Level.grid.value, Level.village.value})
#: The satisfaction visit's answers that count as satisfied (满意率); a visit recorded before
#: the `satisfaction` key existed falls back to its `result`.
SATISFIED = frozenset({"satisfied", "basically_satisfied"})
DUE_SOON_WINDOW = DUE_SOON  # domain/urgency.py: what due soon means everywhere


@dataclass(frozen=True, slots=True)
class UnitCounts:
    """The counts of one unit for one period, from which every rate follows."""

    received: int = 0
    responded: int = 0
    taken_up: int = 0
    attempts_ended: int = 0
    attempts_resolved: int = 0
    concluded: int = 0
    concluded_resolved: int = 0
    withdrawn: int = 0
    resolved: int = 0
    resolved_grid_village: int = 0
    visits_reached: int = 0
    visits_solved: int = 0
    visits_satisfied: int = 0
    stints_ended: int = 0
    stints_on_time: int = 0
    paused_seconds: float = 0.0
    reopened: int = 0
    received_year_ago: int = 0
    resolved_year_ago: int = 0
    # 信访 matters (`"procedure": "petition"`): counted apart from the disputes above.
    petitions_received: int = 0
    petitions_repeated: int = 0
    petitions_accepted: int = 0
    petitions_accepted_on_time: int = 0
    petitions_answered: int = 0
    petitions_answered_on_time: int = 0
    petitions_rated: int = 0
    petitions_satisfied: int = 0
    petitions_to_review: int = 0
    petitions_to_re_review: int = 0
    # The tracks a dispute reaches, pre-filing mediation, and each stay on a track ended in
    # the period as (group, days, within its legal limit): tuples add up by concatenation,
    # so a county's medians come from its townships' stays.
    reached_peoples: int = 0
    reached_administrative: int = 0
    reached_judicial: int = 0
    reached_arbitration: int = 0
    reached_court: int = 0
    pre_filing_ended: int = 0
    pre_filing_settled: int = 0
    stays: tuple[tuple[str, float, bool], ...] = ()

    def __add__(self, other: UnitCounts) -> UnitCounts:
        return UnitCounts(
            **{
                f.name: getattr(self, f.name) + getattr(other, f.name)
                for f in dataclasses.fields(self)
            }
        )

    @classmethod
    def of(cls, values: dict[str, object]) -> UnitCounts:
        """From query columns; columns that are not counts (the unit's names) are ignored."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in names})  # type: ignore[arg-type]


class Metrics(BaseModel):
    """The figures of one unit for one period; definitions in docs/metrics.md."""

    period: str
    scope_level: Level
    scope_unit: str
    as_of: datetime
    received: int
    #: 响应率: first contact within the response window ÷ received.
    responded: int
    response_rate: float | None
    #: 调解率: taken up by a mediator ÷ received.
    taken_up: int
    mediation_rate: float | None
    #: 首调成功率: first attempts ended in the period, of those the resolved.
    first_attempts_ended: int
    first_attempt_resolved: int
    first_attempt_rate: float | None
    #: 调解成功率: cases whose mediation concluded in the period, of those the resolved;
    #: withdrawals are neither.
    concluded: int
    concluded_resolved: int
    mediation_success_rate: float | None
    withdrawn: int
    resolved: int
    resolved_grid_village: int
    grid_village_share: float | None
    #: 解决率 and 满意率: per case, on its first reached satisfaction visit.
    visits_reached: int
    visits_solved: int
    solved_rate: float | None
    visits_satisfied: int
    satisfaction_rate: float | None
    stints_ended: int
    stints_on_time: int
    on_time_rate: float | None
    paused_hours: float
    reopened: int
    reopen_rate: float | None
    overdue: int
    due_soon: int
    #: Year on year (monthly assessments): the same month a year earlier; None otherwise.
    received_year_ago: int | None = None
    resolved_year_ago: int | None = None
    #: 信访 (docs/metrics.md): received, repeats; 按期受理率 and 按期办结率 (accepted / answered
    #: with no flag of the window that step closes), 满意率 (the petitioner's rating), the
    #: share of answered matters taken to 复查 and to 复核. Defaults read older figures.
    petitions_received: int = 0
    petitions_repeated: int = 0
    petition_repeat_share: float | None = None
    petitions_accepted: int = 0
    petitions_accepted_on_time: int = 0
    petition_acceptance_on_time_rate: float | None = None
    petitions_answered: int = 0
    petitions_answered_on_time: int = 0
    petition_on_time_rate: float | None = None
    petitions_rated: int = 0
    petitions_satisfied: int = 0
    petition_satisfaction_rate: float | None = None
    petitions_to_review: int = 0
    petition_review_share: float | None = None
    petitions_to_re_review: int = 0
    petition_re_review_share: float | None = None
    #: The tracks (docs/metrics.md): disputes received in the period that reached each track
    #: by the time of the computation, and their share of those received.
    reached_peoples: int = 0
    peoples_share: float | None = None
    reached_administrative: int = 0
    administrative_share: float | None = None
    reached_judicial: int = 0
    judicial_share: float | None = None
    reached_arbitration: int = 0
    arbitration_share: float | None = None
    reached_court: int = 0
    court_share: float | None = None
    #: 诉前调解成功率: pre-filing mediations ended in the period, of those settled.
    pre_filing_ended: int = 0
    pre_filing_settled: int = 0
    pre_filing_success_rate: float | None = None
    #: Stays on a track ended in the period, those within the legal limit, and the median days
    #: of a stay on each track.
    stays_ended: int = 0
    stays_in_limit: int = 0
    in_limit_rate: float | None = None
    days_peoples: float | None = None
    days_administrative: float | None = None
    days_judicial: float | None = None
    days_arbitration: float | None = None
    days_court: float | None = None


class DueCase(BaseModel):
    """A case on the clearance list: overdue (or supervised), or due within 24 hours."""

    case_id: str
    county: str
    township: str
    village: str
    grid: str
    level: str
    status: str
    state: Literal["overdue", "due_soon"]
    due_at: datetime | None
    #: Hours past due for an overdue case (None when no due time is known), hours left otherwise.
    hours: float | None
    #: What a printed list shows besides (`cases.title`, `cases.risk`, the assignee's name);
    #: filled in by the report activity, None where not known.
    title: str | None = None
    risk: str | None = None
    handler: str | None = None


def rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


def median_days(stays: Iterable[tuple[str, float, bool]], group: str) -> float | None:
    """The median length in days (to a tenth) of the stays on `group`'s tracks; None without."""
    days = [d for g, d, _ in stays if g == group]
    return round(statistics.median(days), 1) if days else None


def _track_figures(c: UnitCounts) -> dict[str, object]:
    figures: dict[str, object] = {}
    for group in TRACK_GROUPS:
        reached = getattr(c, f"reached_{group}")
        figures[f"reached_{group}"] = reached
        figures[f"{group}_share"] = rate(reached, c.received)
        figures[f"days_{group}"] = median_days(c.stays, group)
    in_limit = sum(1 for _, _, ok in c.stays if ok)
    return figures | {
        "pre_filing_ended": c.pre_filing_ended,
        "pre_filing_settled": c.pre_filing_settled,
        "pre_filing_success_rate": rate(c.pre_filing_settled, c.pre_filing_ended),
        "stays_ended": len(c.stays),
        "stays_in_limit": in_limit,
        "in_limit_rate": rate(in_limit, len(c.stays)),
    }


def metrics_of(
    counts: UnitCounts, scope: Scope, period: Period, as_of: datetime, due: Sequence[DueCase]
) -> Metrics:
    """The figures of `scope` from its counts; overdue and due-soon from its clearance list."""
    c = counts
    mine = [d for d in due if getattr(d, scope.level.value) == scope.unit]
    yearly = period.kind is PeriodKind.month
    return Metrics(
        period=period.label,
        scope_level=scope.level,
        scope_unit=scope.unit,
        as_of=as_of,
        received=c.received,
        responded=c.responded,
        response_rate=rate(c.responded, c.received),
        taken_up=c.taken_up,
        mediation_rate=rate(c.taken_up, c.received),
        first_attempts_ended=c.attempts_ended,
        first_attempt_resolved=c.attempts_resolved,
        first_attempt_rate=rate(c.attempts_resolved, c.attempts_ended),
        concluded=c.concluded,
        concluded_resolved=c.concluded_resolved,
        mediation_success_rate=rate(c.concluded_resolved, c.concluded),
        withdrawn=c.withdrawn,
        resolved=c.resolved,
        resolved_grid_village=c.resolved_grid_village,
        grid_village_share=rate(c.resolved_grid_village, c.resolved),
        visits_reached=c.visits_reached,
        visits_solved=c.visits_solved,
        solved_rate=rate(c.visits_solved, c.visits_reached),
        visits_satisfied=c.visits_satisfied,
        satisfaction_rate=rate(c.visits_satisfied, c.visits_reached),
        stints_ended=c.stints_ended,
        stints_on_time=c.stints_on_time,
        on_time_rate=rate(c.stints_on_time, c.stints_ended),
        paused_hours=round(c.paused_seconds / 3600, 2),
        reopened=c.reopened,
        reopen_rate=rate(c.reopened, c.resolved),
        overdue=sum(d.state == "overdue" for d in mine),
        due_soon=sum(d.state == "due_soon" for d in mine),
        received_year_ago=c.received_year_ago if yearly else None,
        resolved_year_ago=c.resolved_year_ago if yearly else None,
        petitions_received=c.petitions_received,
        petitions_repeated=c.petitions_repeated,
        petition_repeat_share=rate(c.petitions_repeated, c.petitions_received),
        petitions_accepted=c.petitions_accepted,
        petitions_accepted_on_time=c.petitions_accepted_on_time,
        petition_acceptance_on_time_rate=rate(c.petitions_accepted_on_time, c.petitions_accepted),
        petitions_answered=c.petitions_answered,
        petitions_answered_on_time=c.petitions_answered_on_time,
        petition_on_time_rate=rate(c.petitions_answered_on_time, c.petitions_answered),
        petitions_rated=c.petitions_rated,
        petitions_satisfied=c.petitions_satisfied,
        petition_satisfaction_rate=rate(c.petitions_satisfied, c.petitions_rated),
        petitions_to_review=c.petitions_to_review,
        petition_review_share=rate(c.petitions_to_review, c.petitions_answered),
        petitions_to_re_review=c.petitions_to_re_review,
        petition_re_review_share=rate(c.petitions_to_re_review, c.petitions_answered),
        **_track_figures(c),
    )


def year_earlier(period: Period) -> Period:
    """The same month (week, day) one year earlier: the year-on-year reference."""
    year, rest = period.label.split("-", 1)
    if period.kind is PeriodKind.day and rest == "02-29":
        rest = "02-28"  # a leap day's reference is the last day of February
    if period.kind is PeriodKind.week and rest == "W53":
        rest = "W52"
    return parse_period(f"{int(year) - 1:04d}-{rest}")


def due_cases(cases: Iterable[CaseRow], as_of: datetime, *, soon: bool = False) -> list[DueCase]:
    """Open cases past their due time, or under supervision, as of `as_of` (most overdue
    first); with `soon`, also those due within 24 hours (soonest first). A paused case is never
    overdue: its clock is stopped and its due time moves on when it resumes."""
    overdue: list[DueCase] = []
    coming: list[DueCase] = []
    for case in cases:
        if case.status in FINISHED or case.status == "paused":
            continue
        since = case.due_at
        if case.status == "supervised" and since is None:
            since = case.supervised_since
        row = {
            "case_id": case.case_id,
            "county": case.county,
            "township": case.township,
            "village": case.village,
            "grid": case.grid,
            "level": case.level,
            "status": case.status,
            "due_at": case.due_at,
        }
        if case.status == "supervised" or urgency(case.due_at, as_of) is Urgency.overdue:
            hours = round((as_of - since).total_seconds() / 3600, 1) if since else None
            overdue.append(DueCase(**row, state="overdue", hours=hours))
        elif soon and urgency(case.due_at, as_of) is Urgency.due_soon:
            left = round((case.due_at - as_of).total_seconds() / 3600, 1)
            coming.append(DueCase(**row, state="due_soon", hours=left))
    overdue.sort(key=lambda d: (-(d.hours or 0), d.case_id))
    coming.sort(key=lambda d: (d.hours or 0, d.case_id))
    return overdue + coming


def scopes_of(units: Iterable[tuple[str, str]], township: str | None = None) -> list[Scope]:
    """The rows of an assessment from the ledger's `(county, township)` pairs: each township
    (or only `township`, even one with no cases yet), then its county as the reference row."""
    pairs = set(units)
    townships = sorted({t for _, t in pairs})
    if township is not None:
        # Its own county as the reference; every county when the township is not known yet.
        pairs = {p for p in pairs if p[1] == township} or pairs
        townships = [township]
    counties = sorted({c for c, _ in pairs})
    return [Scope(level=Level.township, unit=t) for t in townships] + [
        Scope(level=Level.county, unit=c) for c in counties
    ]


def counts_of_scopes(
    per_township: dict[tuple[str, str], UnitCounts], scopes: Iterable[Scope]
) -> dict[Scope, UnitCounts]:
    """Each scope's counts: a township's own (summed over counties sharing its name), a
    county's the sum of its townships'."""
    result: dict[Scope, UnitCounts] = {}
    for scope in scopes:
        index = 1 if scope.level is Level.township else 0
        total = UnitCounts()
        for unit, counts in per_township.items():
            if unit[index] == scope.unit:
                total = total + counts
        result[scope] = total
    return result


# -- the terminal table -------------------------------------------------------------------------

#: (header, Metrics field, is a rate)
COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("received", "received", False),
    ("response", "response_rate", True),
    ("mediated", "mediation_rate", True),
    ("1st attempt", "first_attempt_rate", True),
    ("success", "mediation_success_rate", True),
    ("withdrawn", "withdrawn", False),
    ("resolved", "resolved", False),
    ("grid+village", "grid_village_share", True),
    ("solved", "solved_rate", True),
    ("satisfied", "satisfaction_rate", True),
    ("on time", "on_time_rate", True),
    ("reopened", "reopen_rate", True),
    ("paused h", "paused_hours", False),
    ("overdue", "overdue", False),
)
#: Shown after COLUMNS in monthly assessments.
YEAR_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("recv. yr ago", "received_year_ago", False),
    ("res. yr ago", "resolved_year_ago", False),
)


#: The 信访 figures, a table of their own (a matter is no dispute of the table above).
PETITION_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("petitions", "petitions_received", False),
    ("repeats", "petition_repeat_share", True),
    ("accepted on time", "petition_acceptance_on_time_rate", True),
    ("answered on time", "petition_on_time_rate", True),
    ("satisfied", "petition_satisfaction_rate", True),
    ("to review", "petition_review_share", True),
    ("to re-review", "petition_re_review_share", True),
)
#: The tracks a dispute reaches, pre-filing mediation, stays within the legal limit…
TRACK_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    *((group, f"{group}_share", True) for group in TRACK_GROUPS),
    ("pre-filing ok", "pre_filing_success_rate", True),
    ("in limit", "in_limit_rate", True),
)
#: …and the median days of a stay on each track.
DAYS_COLUMNS: tuple[tuple[str, str, bool], ...] = tuple(
    (f"days {group}", f"days_{group}", False) for group in TRACK_GROUPS
)


def columns_for(metrics_list: Sequence[Metrics]) -> tuple[tuple[str, str, bool], ...]:
    """The table's columns: the year-on-year ones only when the rows have them."""
    yearly = any(m.received_year_ago is not None for m in metrics_list)
    return COLUMNS + YEAR_COLUMNS if yearly else COLUMNS


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def cell(metrics: Metrics, name: str, is_rate: bool) -> str:
    value = getattr(metrics, name)
    if is_rate:
        return percent(value)
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True)
class TableWords:
    """The terminal table's words, in the reader's language (the defaults are English)."""

    #: A header per Metrics field; a field missing here keeps its COLUMNS header.
    names: Mapping[str, str] = field(default_factory=dict)
    unit: str = "unit"
    county: str = " (county)"
    #: Formatted with `period` and `as_of` (local time, to the minute).
    title: str = "period {period}, as of {as_of} UTC+8"
    empty: str = "no units to report"


def render_table(
    metrics_list: Sequence[Metrics],
    words: TableWords | None = None,
    columns: Sequence[tuple[str, str, bool]] | None = None,
) -> str:
    """The figures as an aligned text table, one row per unit, for the terminal: the
    disputes' figures, or the `columns` given (PETITION_COLUMNS, TRACK_COLUMNS, …)."""
    words = words or TableWords()
    if not metrics_list:
        return words.empty + "\n"
    columns = columns or columns_for(metrics_list)
    head = [words.unit, *(words.names.get(name, h) for h, name, _ in columns)]
    rows = [
        [m.scope_unit + (words.county if m.scope_level is Level.county else "")]
        + [cell(m, name, is_rate) for _, name, is_rate in columns]
        for m in metrics_list
    ]
    # Chinese names take two terminal cells per character.
    widths = [max(width(r[i]) for r in [head, *rows]) for i in range(len(head))]
    lines = [
        "  ".join(pad(v, w, right=i > 0) for i, (v, w) in enumerate(zip(r, widths, strict=True)))
        for r in [head, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    first = metrics_list[0]
    as_of = f"{first.as_of.astimezone(LOCAL_TZ):%Y-%m-%d %H:%M}"
    return "\n".join([words.title.format(period=first.period, as_of=as_of), *lines]) + "\n"
