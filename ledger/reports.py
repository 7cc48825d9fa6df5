"""The figures counted in PostgreSQL: one row of counts per (county, township) and period.

Each query reads only what the period needs, through indexes (migrations 006, 010): cases
received in the period, by when they were reported (受理: `cases_reported_at`), events of the
counted kinds in the period (`case_events_kind_at`) and, for "was this the case's first …?",
the case's earlier events by its primary key. Nothing is decoded in Python but the counts, so
a month of a county's ledger takes well under a second (bench/report.py). Which events count
as what is `domain.metrics`'s vocabulary, passed in as parameters; the definitions are
docs/metrics.md. `assess` reads one period's counts and the clearance list in one snapshot and
turns them into figures with the pure `domain.metrics`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import asyncpg

from domain.metrics import (
    ATTEMPT_ENDS,
    CONTACTED,
    DUE_SOON_WINDOW,
    FINISHED,
    LATE,
    LOW_LEVELS,
    NOT_CONTACT,
    OUTCOMES,
    PARTY_ROLES,
    PETITION_ACCEPT_WINDOWS,
    PETITION_ANSWER_WINDOWS,
    PRE_FILING,
    PRE_FILING_NEITHER,
    PRE_FILING_SETTLED,
    ROAD_GROUP_OF,
    SATISFIED,
    STAY_ENDS,
    STAY_FLAGS,
    STAY_LAPSES,
    STINT_ENDS,
    STINT_STARTS,
    TRACK_GROUP_OF,
    TRACK_GROUPS,
    WITHDRAWN,
    CaseRow,
    DueCase,
    Metrics,
    UnitCounts,
    counts_of_scopes,
    due_cases,
    metrics_of,
    scopes_of,
    year_earlier,
)
from domain.periods import Period, PeriodKind
from domain.policy import ResponseWindow
from domain.risk import RiskColour

Unit = tuple[str, str]
#: The steps of a road matter that can end pre-filing mediation or make the matter final.
ROAD_STEPS = frozenset({"procedure_action", "procedure_moved"})

# A case merged into another (domain/related.py) is counted once, as that other case: every
# query below leaves merged cases out (docs/metrics.md).

# Received, responded (first contact within the window of the colour the case opened with)
# and taken up (contact or an outcome, as of now), per unit: disputes only, a 信访 matter
# (`intake.procedure`) is no dispute received on the ladder…
_REACHED_GROUPS = "".join(
    f",\n       count(*) FILTER (WHERE '{g}' = ANY(f.groups) OR '{g}' = ANY(r.groups))"
    f" AS reached_{g}"
    for g in TRACK_GROUPS
)
# …and the tracks each reached (TRACK_GROUP_OF, ROAD_GROUP_OF as $10, $11): a track it was put
# on, a procedure its events belong to, a road matter opened from it (`procedure_opened`'s
# `from_case`, found through the kind's index rather than every case's intake).
_RECEIVED = f"""
SELECT c.county, c.township,
       count(*) AS received,
       count(*) FILTER (WHERE f.contact <= c.opened_at + CASE f.risk WHEN 'red' THEN $3::interval
                                                            WHEN 'yellow' THEN $4::interval
                                                            ELSE $5::interval END) AS responded,
       count(*) FILTER (WHERE f.contact IS NOT NULL OR f.outcome IS NOT NULL) AS taken_up
       {_REACHED_GROUPS}
  FROM cases c
  CROSS JOIN LATERAL (
        SELECT min(e.at) FILTER (
                 WHERE e.kind = $6
                    OR (e.actor IS NOT NULL AND e.kind <> ALL($7::text[])
                        AND coalesce(e.actor ->> 'role', '') <> ALL($8::text[]))) AS contact,
               min(e.at) FILTER (WHERE e.kind = ANY($9::text[])) AS outcome,
               coalesce(max(e.data ->> 'risk') FILTER (WHERE e.kind = 'opened'), c.risk) AS risk,
               array_agg(DISTINCT coalesce($10::jsonb ->> (e.data ->> 'track'),
                                           $11::jsonb ->> (e.data ->> 'procedure')))
                 FILTER (WHERE (e.kind = 'mediation_track' AND $10::jsonb ? (e.data ->> 'track'))
                            OR $11::jsonb ? (e.data ->> 'procedure')) AS groups
          FROM case_events e
         WHERE e.case_id = c.case_id) f
  LEFT JOIN (
        SELECT o.data ->> 'from_case' AS from_case,
               array_agg(DISTINCT $11::jsonb ->> (o.data ->> 'procedure')) AS groups
          FROM case_events o
         WHERE o.kind = 'procedure_opened' AND o.data ->> 'from_case' IS NOT NULL
           AND $11::jsonb ? (o.data ->> 'procedure')
         GROUP BY 1) r ON r.from_case = c.case_id
 WHERE c.reported_at >= $1 AND c.reported_at < $2
   AND c.intake ->> 'procedure' IS NULL AND c.status <> 'merged'
 GROUP BY c.county, c.township
"""

# A first attempt's end: one of ATTEMPT_ENDS; `mediation_track` only when it leaves a track.
_ATTEMPT_END = (
    "({e}.kind = ANY($3::text[])"
    " AND ({e}.kind <> 'mediation_track' OR {e}.data ->> 'from' IS NOT NULL))"
)
_ATTEMPT_END_OR_WITHDRAWAL = "(" + _ATTEMPT_END + " OR {e}.kind = $4)"
# A conclusion of mediation: an agreement, or the case closed as referred (last track failed,
# mediation refused above the village).
_CONCLUSION = (
    "({e}.kind = 'resolved' OR ({e}.kind = 'closed' AND {e}.data ->> 'outcome' = 'referred'))"
)
# A satisfaction visit that reached the applicant.
_REACHED = (
    "({e}.kind = 'visit_done' AND {e}.data ->> 'visit' = 'satisfaction'"
    " AND {e}.data ->> 'result' IS DISTINCT FROM 'unreachable')"
)


# Every event-based count in one pass over the period's events of the counted kinds. For each
# such event one lateral read of its case's earlier events (by the primary key) says what came
# before it: an attempt's end, a conclusion, a reached visit, the last stint boundary, and the
# last track boundary: when that is a `mediation_track`, the event ends a stay on that track
# (its track and start read by the primary key, for those events only; late when it lapsed or
# a flag of its legal time came after its start, STAY_FLAGS). The stays' parallel
# arrays are aggregated side by side over the same rows, so they stay aligned.
_EVENTS = f"""
SELECT c.county, c.township,
       count(*) FILTER (WHERE e.kind = 'resolved') AS resolved,
       count(*) FILTER (WHERE e.kind = 'resolved' AND e.level = ANY($8::text[]))
           AS resolved_grid_village,
       count(*) FILTER (WHERE {_ATTEMPT_END.format(e="e")} AND NOT h.attempt_before)
           AS attempts_ended,
       count(*) FILTER (WHERE e.kind = 'resolved' AND NOT h.attempt_before) AS attempts_resolved,
       count(*) FILTER (WHERE {_CONCLUSION.format(e="e")} AND NOT h.concluded_before)
           AS concluded,
       count(*) FILTER (WHERE e.kind = 'resolved' AND NOT h.concluded_before)
           AS concluded_resolved,
       count(*) FILTER (WHERE e.kind = $4) AS withdrawn,
       count(*) FILTER (WHERE {_REACHED.format(e="e")} AND NOT h.reached_before) AS visits_reached,
       count(*) FILTER (WHERE {_REACHED.format(e="e")} AND NOT h.reached_before
                          AND e.data ->> 'solved' = 'true') AS visits_solved,
       count(*) FILTER (WHERE {_REACHED.format(e="e")} AND NOT h.reached_before
                          AND coalesce(e.data ->> 'satisfaction', e.data ->> 'result')
                              = ANY($9::text[])) AS visits_satisfied,
       count(*) FILTER (WHERE e.kind = ANY($5::text[]) AND h.boundary_before = ANY($6::text[]))
           AS stints_ended,
       count(*) FILTER (WHERE e.kind = ANY($5::text[]) AND h.boundary_before = ANY($6::text[])
                          AND e.kind <> $10) AS stints_on_time,
       coalesce(sum((e.data ->> 'paused_seconds')::float8) FILTER (WHERE e.kind = 'resumed'), 0)
           AS paused_seconds,
       count(*) FILTER (WHERE e.kind = 'reopened') AS reopened,
       array_agg((SELECT b.data ->> 'track' FROM case_events b
                   WHERE b.case_id = e.case_id AND b.seq = h.stay_bound))
         FILTER (WHERE e.kind = ANY($11::text[]) AND h.stay_bound = h.track_bound) AS stay_tracks,
       array_agg((SELECT extract(epoch FROM e.at - b.at) / 86400 FROM case_events b
                   WHERE b.case_id = e.case_id AND b.seq = h.stay_bound))
         FILTER (WHERE e.kind = ANY($11::text[]) AND h.stay_bound = h.track_bound) AS stay_days,
       array_agg(e.kind <> ALL($12::text[]) AND coalesce(h.flag_bound, 0) < h.stay_bound)
         FILTER (WHERE e.kind = ANY($11::text[]) AND h.stay_bound = h.track_bound) AS stay_in_limit
  FROM case_events e
  JOIN cases c USING (case_id)
  CROSS JOIN LATERAL (
        SELECT coalesce(bool_or({_ATTEMPT_END_OR_WITHDRAWAL.format(e="p")}), false)
                   AS attempt_before,
               coalesce(bool_or({_CONCLUSION.format(e="p")}), false) AS concluded_before,
               coalesce(bool_or({_REACHED.format(e="p")}), false) AS reached_before,
               (array_agg(p.kind ORDER BY p.seq DESC)
                  FILTER (WHERE p.kind = ANY($5::text[]) OR p.kind = ANY($6::text[])))[1]
                   AS boundary_before,
               max(p.seq) FILTER (WHERE p.kind = ANY($11::text[])) AS stay_bound,
               max(p.seq) FILTER (WHERE p.kind = 'mediation_track') AS track_bound,
               max(p.seq) FILTER (WHERE p.kind = ANY($13::text[])) AS flag_bound
          FROM case_events p
         WHERE p.case_id = e.case_id AND p.seq < e.seq) h
 WHERE e.kind = ANY($7::text[]) AND e.at >= $1 AND e.at < $2 AND c.status <> 'merged'
 GROUP BY c.county, c.township
"""

_RECEIVED_COUNT = """
SELECT county, township, count(*) AS received_year_ago
  FROM cases WHERE reported_at >= $1 AND reported_at < $2 AND intake ->> 'procedure' IS NULL
   AND status <> 'merged'
 GROUP BY county, township
"""

_RESOLVED_COUNT = """
SELECT c.county, c.township, count(*) AS resolved_year_ago
  FROM case_events e JOIN cases c USING (case_id)
 WHERE e.kind = 'resolved' AND e.at >= $1 AND e.at < $2 AND c.status <> 'merged'
 GROUP BY c.county, c.township
"""

# Open cases past due or due soon, and every case under supervision (with since when).
_DUE = f"""
SELECT c.case_id, c.county, c.township, c.village, c.grid, c.status, c.level, c.opened_at,
       c.due_at,
       CASE WHEN c.status = 'supervised' AND c.due_at IS NULL
            THEN (SELECT max(s.at) FROM case_events s
                   WHERE s.case_id = c.case_id AND s.kind = 'supervised') END AS supervised_since
  FROM cases c
 WHERE c.status NOT IN ({", ".join(f"'{s}'" for s in sorted(FINISHED | {"paused"}))})
   AND (c.status = 'supervised' OR c.due_at < $1)
"""

# 信访 matters, by their events in the period: received (registered or answered "not
# accepted"), repeats, acceptances and answers (on time: no earlier flag of the window that
# step closes), ratings, requests for 复查 and 复核.
_PETITION_STEP = "(e.kind = 'procedure_action' AND e.data ->> 'action' = '{action}')"
_FLAGGED_BEFORE = """EXISTS (SELECT 1 FROM case_events p WHERE p.case_id = e.case_id
                         AND p.seq < e.seq AND p.kind = 'procedure_flag'
                         AND p.data ->> 'window' = ANY(${n}::text[]))"""
_PETITIONS = f"""
SELECT c.county, c.township,
       count(*) FILTER (WHERE e.kind IN ('petition_registered', 'petition_not_accepted'))
           AS petitions_received,
       count(*) FILTER (WHERE e.kind = 'petition_not_accepted'
                           OR (e.kind = 'petition_registered'
                               AND e.data ->> 'linked_to' IS NOT NULL)) AS petitions_repeated,
       count(*) FILTER (WHERE {_PETITION_STEP.format(action="accept")}) AS petitions_accepted,
       count(*) FILTER (WHERE {_PETITION_STEP.format(action="accept")}
                          AND NOT {_FLAGGED_BEFORE.format(n=3)}) AS petitions_accepted_on_time,
       count(*) FILTER (WHERE {_PETITION_STEP.format(action="reply")}) AS petitions_answered,
       count(*) FILTER (WHERE {_PETITION_STEP.format(action="reply")}
                          AND NOT {_FLAGGED_BEFORE.format(n=4)}) AS petitions_answered_on_time,
       count(*) FILTER (WHERE {_PETITION_STEP.format(action="rate")}) AS petitions_rated,
       count(*) FILTER (WHERE {_PETITION_STEP.format(action="rate")}
                          AND e.data -> 'facts' ->> 'rating' = ANY($5::text[]))
           AS petitions_satisfied,
       count(*) FILTER (WHERE {_PETITION_STEP.format(action="request_review")})
           AS petitions_to_review,
       count(*) FILTER (WHERE {_PETITION_STEP.format(action="request_re_review")})
           AS petitions_to_re_review
  FROM case_events e
  JOIN cases c USING (case_id)
 WHERE c.intake ->> 'procedure' = 'petition' AND e.at >= $1 AND e.at < $2
 GROUP BY c.county, c.township
"""

# Road matters (procedures other than 信访: ROAD_GROUP_OF as $6), by their steps in the period
# (`procedure_action`, `procedure_moved`), each with a lateral read of its earlier events of the
# same procedure: a step that leaves pre-filing mediation ends it (settled, or not), and the
# first step that makes the matter final ends its stay on the road — days from the
# procedure's first event, within the limit when no window of it was flagged before.
_ROADS = """
SELECT c.county, c.township,
       count(*) FILTER (WHERE h.state_before = $3 AND e.data ->> 'state' <> $3
                          AND e.data ->> 'state' <> ALL($5::text[])) AS pre_filing_ended,
       count(*) FILTER (WHERE h.state_before = $3 AND e.data ->> 'state' = $4)
           AS pre_filing_settled,
       array_agg(e.data ->> 'procedure' ORDER BY e.case_id, e.seq)
         FILTER (WHERE e.data ->> 'final' = 'true' AND NOT h.final_before) AS road_tables,
       array_agg(extract(epoch FROM e.at - coalesce(h.first_at, e.at)) / 86400
                 ORDER BY e.case_id, e.seq)
         FILTER (WHERE e.data ->> 'final' = 'true' AND NOT h.final_before) AS road_days,
       array_agg(NOT h.flagged ORDER BY e.case_id, e.seq)
         FILTER (WHERE e.data ->> 'final' = 'true' AND NOT h.final_before) AS road_in_limit
  FROM case_events e
  JOIN cases c USING (case_id)
  CROSS JOIN LATERAL (
        SELECT (array_agg(p.data ->> 'state' ORDER BY p.seq DESC))[1] AS state_before,
               min(p.at) AS first_at,
               coalesce(bool_or(p.data ->> 'final' = 'true'), false) AS final_before,
               coalesce(bool_or(p.kind = 'procedure_flag'), false) AS flagged
          FROM case_events p
         WHERE p.case_id = e.case_id AND p.seq < e.seq
           AND p.data ->> 'procedure' = e.data ->> 'procedure') h
 WHERE e.kind = ANY($7::text[]) AND e.at >= $1 AND e.at < $2
   AND $6::jsonb ? (e.data ->> 'procedure') AND c.status <> 'merged'
 GROUP BY c.county, c.township
"""

# Every township that ever had a case gets a row, even in a month it had none.
_UNITS = "SELECT DISTINCT county, township FROM cases"


def _merge(rows: list[asyncpg.Record], into: dict[Unit, dict[str, object]]) -> None:
    for row in rows:
        values = dict(row)
        unit = (values.pop("county"), values.pop("township"))
        into.setdefault(unit, {}).update(values)


async def count_units(
    conn: asyncpg.Connection,
    period: Period,
    windows: ResponseWindow,
    year_ago: Period | None = None,
) -> dict[Unit, UnitCounts]:
    """The counts of every (county, township) with something in `period` (and, with
    `year_ago`, the received and resolved counts of that period too)."""
    found: dict[Unit, dict[str, object]] = {}
    start, end = period.start, period.end
    _merge(
        await conn.fetch(
            _RECEIVED, start, end,
            windows.of(RiskColour.red), windows.of(RiskColour.yellow), windows.of(RiskColour.green),
            CONTACTED, sorted(NOT_CONTACT), sorted(PARTY_ROLES), sorted(OUTCOMES),
            TRACK_GROUP_OF, ROAD_GROUP_OF,
        ),
        found,
    )  # fmt: skip
    kinds = ATTEMPT_ENDS | STINT_ENDS | STAY_ENDS
    kinds |= {WITHDRAWN, "closed", "visit_done", "resumed", "reopened"}
    _merge(
        await conn.fetch(
            _EVENTS, start, end,
            sorted(ATTEMPT_ENDS), WITHDRAWN, sorted(STINT_ENDS), sorted(STINT_STARTS),
            sorted(kinds), sorted(LOW_LEVELS), sorted(SATISFIED), LATE,
            sorted(STAY_ENDS), sorted(STAY_LAPSES), sorted(STAY_FLAGS),
        ),
        found,
    )  # fmt: skip
    _merge(
        await conn.fetch(
            _ROADS, start, end, PRE_FILING, PRE_FILING_SETTLED, sorted(PRE_FILING_NEITHER),
            ROAD_GROUP_OF, sorted(ROAD_STEPS),
        ),
        found,
    )  # fmt: skip
    _merge(
        await conn.fetch(
            _PETITIONS, start, end, sorted(PETITION_ACCEPT_WINDOWS),
            sorted(PETITION_ANSWER_WINDOWS), sorted(SATISFIED),
        ),
        found,
    )  # fmt: skip
    if year_ago is not None:
        for query in (_RECEIVED_COUNT, _RESOLVED_COUNT):
            _merge(await conn.fetch(query, year_ago.start, year_ago.end), found)
    return {unit: UnitCounts.of(with_stays(values)) for unit, values in found.items()}


def with_stays(values: dict[str, object]) -> dict[str, object]:
    """The unit's stays on a track as (group, days, within the limit), from the queries'
    parallel arrays: mediation tracks by their track's group, road matters by their table's."""
    stays: list[tuple[str, float, bool]] = []
    for tracks, days, ok, groups in (
        ("stay_tracks", "stay_days", "stay_in_limit", TRACK_GROUP_OF),
        ("road_tables", "road_days", "road_in_limit", ROAD_GROUP_OF),
    ):
        for name, length, in_limit in zip(
            values.get(tracks) or [], values.get(days) or [], values.get(ok) or [], strict=True
        ):
            if name in groups:
                stays.append((groups[name], float(length), bool(in_limit)))
    return {**values, "stays": tuple(stays)}


async def fetch_due(conn: asyncpg.Connection, as_of: datetime, *, soon: bool) -> list[CaseRow]:
    """The cases that can be on the clearance list as of `as_of`."""
    limit = as_of + (DUE_SOON_WINDOW if soon else timedelta(0))
    return [CaseRow(**dict(r)) for r in await conn.fetch(_DUE, limit)]


async def fetch_units(conn: asyncpg.Connection | asyncpg.Pool) -> list[Unit]:
    """Every `(county, township)` the ledger knows."""
    return [(r["county"], r["township"]) for r in await conn.fetch(_UNITS)]


async def assess(
    pool: asyncpg.Pool,
    period: Period,
    as_of: datetime,
    *,
    township: str | None = None,
    soon: bool = False,
    windows: ResponseWindow | None = None,
) -> tuple[list[Metrics], list[DueCase]]:
    """The figures of each township (or only `township`) and its county for `period`, and the
    clearance list as of `as_of` (with `soon`: also cases due within 24 hours)."""
    windows = windows or ResponseWindow()
    year_ago = year_earlier(period) if period.kind is PeriodKind.month else None
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        # One snapshot: every count and the clearance list as of the same moment.
        counts = await count_units(conn, period, windows, year_ago)
        # The due-soon count is a figure of every assessment; only the daily one lists them.
        due = due_cases(await fetch_due(conn, as_of, soon=True), as_of, soon=True)
        units = await fetch_units(conn)
    scopes = scopes_of(units, township)
    by_scope = counts_of_scopes(counts, scopes)
    metrics = [metrics_of(by_scope[s], s, period, as_of, due) for s in scopes]
    if not soon:
        due = [d for d in due if d.state == "overdue"]
    if township is not None:
        due = [d for d in due if d.township == township]
    return metrics, due
