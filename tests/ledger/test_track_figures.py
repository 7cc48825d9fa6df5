"""The tracks' figures on a hand-built ledger in PostgreSQL (docs/metrics.md, "The tracks"):
share of disputes reaching each track, pre-filing mediation success, days per track and the
share of stays within the legal limit, with known answers."""

from __future__ import annotations

from datetime import datetime

import asyncpg
import pytest

from domain.periods import parse_period
from ledger.reports import assess
from tests import ledger_stories as ls
from tests.ledger_stories import EventRow, Ledger, at, case, story


def track(hours: float, name: str, before: str | None = None) -> tuple:
    return (hours, "mediation_track", "grid", {"track": name, "from": before})


def step(case_id: str, seq: int, when: datetime, kind: str, procedure: str, state: str,
         *, final: bool = False, **data) -> EventRow:  # fmt: skip
    """A road matter's event as the procedure workflow writes it (docs/events.md)."""
    data = {**data, "procedure": procedure, "state": state, "final": final}
    return EventRow(case_id, seq, when, kind, "county", None, data)


def disputes() -> list[EventRow]:
    """A: people's mediation, settled in 2 days. B: people's mediation lapsed after 10 days
    (past its limit), then administrative mediation, settled in 3. C: pre-filing court mediation
    on the ladder, failed after 1 day; then the court road (FY1). D: labour mediation, still
    running; then labour arbitration (LD1)."""
    return [
        *story("A", at(11, 2), track(0, "peoples"), ls.resolve(48, "grid")),
        *story("B", at(11, 3), track(0, "peoples"), (240, "track_lapsed", "grid", {}),
               track(240, "administrative", "peoples"), ls.resolve(312, "township")),
        *story("C", at(11, 4), track(0, "judicial_pre_filing"),
               (24, "mediation_failed", "township", {"track": "judicial_pre_filing"})),
        *story("D", at(11, 5), track(0, "labour_mediation")),
    ]  # fmt: skip


def roads() -> list[EventRow]:
    """FY1 (from C): pre-filing mediation moved to docketing when its 30 days passed, a late
    docket flagged, withdrawn on day 20. FY2: pre-filing mediation settled on day 10. LD1 (from
    D): an award final on day 18. FY3: final in October. XF: a 信访 matter (not a track)."""
    return [
        step("FY1", 1, at(11, 5), "procedure_opened", "court", "pre_filing_mediation",
             from_case="C"),
        step("FY1", 2, at(11, 10), "procedure_moved", "court", "filed", window="pre_filing"),
        step("FY1", 3, at(11, 18), "procedure_flag", "court", "filed", window="docket"),
        step("FY1", 4, at(11, 19), "procedure_action", "court", "small_claims"),
        step("FY1", 5, at(11, 25), "procedure_action", "court", "withdrawn", final=True),
        step("FY2", 1, at(11, 3), "procedure_opened", "court", "pre_filing_mediation",
             from_case=None),
        step("FY2", 2, at(11, 13), "procedure_action", "court", "settled", final=True),
        step("LD1", 1, at(11, 2), "procedure_opened", "labour_arbitration", "applied",
             from_case="D"),
        step("LD1", 2, at(11, 4), "procedure_action", "labour_arbitration", "accepted"),
        step("LD1", 3, at(11, 20), "procedure_action", "labour_arbitration",
             "award_final_for_employer", final=True),
        step("FY3", 1, at(10, 1), "procedure_opened", "court", "pre_filing_mediation",
             from_case=None),
        step("FY3", 2, at(10, 20), "procedure_action", "court", "settled", final=True),
        step("XF", 1, at(11, 2), "petition_registered", "petition", "registered"),
        step("XF", 2, at(11, 6), "procedure_action", "petition", "concluded", final=True),
    ]  # fmt: skip


INTAKES = {
    "FY1": {"procedure": "court", "road": {"start": "pre_filing_mediation", "from_case": "C"}},
    "FY2": {"procedure": "court", "road": {"start": "pre_filing_mediation", "from_case": None}},
    "FY3": {"procedure": "court", "road": {"start": "pre_filing_mediation", "from_case": None}},
    "LD1": {"procedure": "labour_arbitration", "road": {"start": "applied", "from_case": "D"}},
    "XF": {"procedure": "petition", "road": None},
}


@pytest.fixture
async def ledger(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    events = disputes() + roads()
    opened = {}
    for e in events:
        opened.setdefault(e.case_id, e.at)
    cases = [case(cid, when, "open", "grid") for cid, when in opened.items()]
    await ls.insert(clean_pool, Ledger.of(cases, events))
    for case_id, intake in INTAKES.items():
        await clean_pool.execute("UPDATE cases SET intake = $2 WHERE case_id = $1", case_id, intake)
    return clean_pool


async def november(pool: asyncpg.Pool):
    metrics, _ = await assess(pool, parse_period("2026-11"), ls.AS_OF)
    township, county = metrics
    return township, county


async def test_the_share_of_disputes_reaching_each_track_counts_mediation_tracks_and_roads(
    ledger,
):
    township, county = await november(ledger)
    assert township.received == 4  # A B C D; the road and 信访 matters are no dispute received
    reached = {
        g: getattr(township, f"reached_{g}")
        for g in ("peoples", "administrative", "judicial", "arbitration", "court")
    }
    # People's: A, B, and D's labour mediation; court: C through FY1.
    assert reached == {"peoples": 3, "administrative": 1, "judicial": 1, "arbitration": 1,
                       "court": 1}  # fmt: skip
    assert (township.peoples_share, township.court_share) == (0.75, 0.25)
    assert county.reached_court == 1  # a county sums its townships


async def test_pre_filing_mediation_success_counts_the_mediations_ended_in_the_period(ledger):
    township, _ = await november(ledger)
    # FY1 moved to docketing (failed), FY2 settled; FY3 ended in October.
    assert (township.pre_filing_ended, township.pre_filing_settled) == (2, 1)
    assert township.pre_filing_success_rate == 0.5


async def test_days_per_track_are_medians_of_the_stays_ended_in_the_period(ledger):
    township, county = await november(ledger)
    # People's: A 2 days, B 10; administrative: B 3; judicial: C 1; arbitration: LD1 18;
    # court: FY1 20, FY2 10 (FY3 in October; the 信访 matter is no track).
    assert township.days_peoples == 6.0
    assert (township.days_administrative, township.days_judicial) == (3.0, 1.0)
    assert (township.days_arbitration, township.days_court) == (18.0, 15.0)
    assert county.days_court == 15.0


async def test_a_stay_is_within_the_legal_limit_unless_it_lapsed_or_was_flagged(ledger):
    township, _ = await november(ledger)
    # Late: B's people's mediation (track_lapsed) and FY1 (its docket flagged).
    assert (township.stays_ended, township.stays_in_limit) == (7, 5)
    assert township.in_limit_rate == pytest.approx(5 / 7)


async def test_a_month_without_stays_has_no_medians_and_no_rates(ledger):
    metrics, _ = await assess(ledger, parse_period("2026-09"), ls.AS_OF)
    township = metrics[0]
    assert township.days_peoples is None and township.in_limit_rate is None
    assert township.pre_filing_success_rate is None and township.peoples_share is None
    assert township.stays_ended == 0


def engine_step(hours: float, kind: str, state: str, *, final: bool = False, **data) -> tuple:
    """A case's own arbitration event on the procedure engine (workflows/case/arbitration.py)."""
    where = {"procedure": "labour_arbitration", "state": state, "final": final}
    return (hours, kind, "county", {**data, **where})


async def test_a_cases_own_arbitration_counts_as_reached_and_late_when_the_committee_was_flagged(
    clean_pool,
):
    """E: a wage case whose own arbitration track ran on the engine, the committee late to
    award (flagged on day 50), the award on day 60: a stay on arbitration past its limit.
    F: the same on time (award on day 30): within the limit."""
    late = story("E", at(10, 1), track(0, "labour_arbitration"),
                 engine_step(1, "arbitration_applied", "applied"),
                 engine_step(48, "arbitration_accepted", "accepted"),
                 engine_step(1200, "arbitration_overdue", "accepted", step="award"),
                 ls.resolve(1440, "county"))  # fmt: skip
    on_time = story("F", at(10, 1), track(0, "labour_arbitration"),
                    engine_step(1, "arbitration_applied", "applied"),
                    engine_step(48, "arbitration_accepted", "accepted"),
                    ls.resolve(720, "county"))  # fmt: skip
    cases = [case("E", at(10, 1), "open", "county"), case("F", at(10, 1), "open", "county")]
    await ls.insert(clean_pool, Ledger.of(cases, late + on_time))

    october, _ = await assess(clean_pool, parse_period("2026-10"), ls.AS_OF)
    november_, _ = await assess(clean_pool, parse_period("2026-11"), ls.AS_OF)
    township_oct, township_nov = october[0], november_[0]
    assert township_oct.reached_arbitration == 2 and township_oct.arbitration_share == 1.0
    # F's stay ended in October (30 days, in time), E's in November (60 days, flagged).
    assert (township_oct.stays_ended, township_oct.stays_in_limit) == (1, 1)
    assert (township_nov.stays_ended, township_nov.stays_in_limit) == (1, 0)
    assert (township_oct.days_arbitration, township_nov.days_arbitration) == (30.0, 60.0)


async def test_a_court_referred_stay_flagged_past_its_days_is_not_within_the_limit(clean_pool):
    """G: entrusted mediation (委托) on the engine, its 15 days flagged (track_overdue) on day
    16, settled on day 20: a stay on the judicial track past its limit."""
    flagged = story("G", at(11, 2), track(0, "judicial_post_filing"),
                    (384, "track_overdue", "grid", {"track": "judicial_post_filing"}),
                    ls.resolve(480, "grid"))  # fmt: skip
    await ls.insert(clean_pool, Ledger.of([case("G", at(11, 2), "open", "grid")], flagged))
    township, _ = await november(clean_pool)
    assert (township.reached_judicial, township.days_judicial) == (1, 20.0)
    assert (township.stays_ended, township.stays_in_limit) == (1, 0)
