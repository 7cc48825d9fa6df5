"""Tri-linked mediation: routing, time limits, hand-offs, and judicial confirmation windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.confirmation import (
    ConfirmationPolicy,
    has_lapsed,
    parse_confirmation_policy,
    period_end,
)
from domain.intake_models import Complexity, DisputeType
from domain.mediation import (
    DEFAULT_MEDIATION,
    OTHER_ROUTES,
    ConfirmationOutcome,
    Extension,
    Route,
    Track,
    allowed_choices,
    arbitration_deadlines,
    arbitration_limits,
    confirmation_deadlines,
    mediation_policy,
    next_track,
    parse_mediation_policy,
    route,
    time_limit,
)
from domain.policy_files import PolicyError
from tests import factories
from texts import Lang

D, C, T = DisputeType, Complexity, Track
CST = timezone(timedelta(hours=8))


def at(text: str) -> datetime:
    """'2026-11-20 15:00' in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=CST)


# --- routing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dispute_type", "complexity", "amount", "track", "department"),
    [
        # labour and wages: labour mediation, whatever the size
        (D.wages, C.general, None, T.labour_mediation, "labour"),
        (D.labour, C.complex, 900_000, T.labour_mediation, "labour"),
        # administrative first: consumer complaints, acquisition and relocation
        (D.consumer, C.general, 2_000, T.administrative, "market_supervision"),
        (D.consumer, C.complex, 300_000, T.administrative, "market_supervision"),
        (D.land_acquisition, C.complex, 2_000_000, T.administrative, "natural_resources"),
        (D.relocation, C.simple, None, T.administrative, "natural_resources"),
        # small property damage: a public-order matter for the police
        (D.property_damage, C.simple, 800, T.administrative, "police_station"),
        (D.property_damage, C.general, 5_000, T.administrative, "police_station"),
        (D.property_damage, C.general, None, T.administrative, "police_station"),
        (D.property_damage, C.general, 5_001, T.peoples, None),
        (D.property_damage, C.complex, 3_000, T.administrative, "police_station"),
        (D.property_damage, C.general, 150_000, T.judicial_pre_filing, "judge_station"),
        # complex, or from 100,000 CNY: court-referred mediation before filing
        (D.debt, C.complex, 20_000, T.judicial_pre_filing, "judge_station"),
        (D.debt, C.general, 100_000, T.judicial_pre_filing, "judge_station"),
        (D.contract, C.simple, 250_000, T.judicial_pre_filing, "judge_station"),
        (D.land, C.complex, None, T.judicial_pre_filing, "judge_station"),
        # everything else: people's mediation
        (D.debt, C.general, 99_999, T.peoples, None),
        (D.neighbour, C.simple, None, T.peoples, None),
        (D.family, C.general, None, T.peoples, None),
        (D.land, C.general, 30_000, T.peoples, None),
        (D.agriculture, C.general, None, T.peoples, None),
        (D.cross_jurisdiction, C.general, None, T.peoples, None),
        (D.other, C.simple, 0, T.peoples, None),
    ],
)
def test_routing_rules(
    dispute_type: DisputeType,
    complexity: Complexity,
    amount: float | None,
    track: Track,
    department: str | None,
):
    result = route(dispute_type, complexity, amount, None)

    assert (result.track, result.department) == (track, department)
    assert result.why


@pytest.mark.parametrize(
    ("dispute_type", "choice", "department"),
    [
        # the parties' choice wins over every rule when it is open to the type
        (D.debt, T.peoples, None),
        (D.debt, T.judicial_post_filing, "judge_station"),
        (D.neighbour, T.judicial_simplified, "judge_station"),
        (D.consumer, T.peoples, None),
        (D.consumer, T.judicial_pre_filing, "judge_station"),
        (D.land, T.administrative, "natural_resources"),
        (D.property_damage, T.administrative, "police_station"),
        (D.wages, T.labour_arbitration, "labour"),
        (D.labour, T.labour_mediation, "labour"),
    ],
)
def test_the_parties_choice_wins_when_allowed(
    dispute_type: DisputeType, choice: Track, department: str | None
):
    result = route(dispute_type, C.complex, 1_000_000, choice)

    assert result == Route(
        track=choice,
        department=department,
        why=f"the parties chose {choice.value.replace('_', ' ')}",
    )


@pytest.mark.parametrize(
    ("dispute_type", "choice", "track"),
    [
        # arbitration comes before any court for a labour dispute (仲裁前置)
        (D.wages, T.judicial_pre_filing, T.labour_mediation),
        (D.labour, T.peoples, T.labour_mediation),
        (D.wages, T.administrative, T.labour_mediation),
        # no department mediates debts administratively
        (D.debt, T.administrative, T.peoples),
        (D.neighbour, T.administrative, T.peoples),
        # labour tracks are for labour disputes
        (D.family, T.labour_arbitration, T.peoples),
    ],
)
def test_a_choice_not_open_to_the_type_is_refused_and_the_rules_apply(
    dispute_type: DisputeType, choice: Track, track: Track
):
    result = route(dispute_type, C.general, None, choice)

    assert result.track is track
    assert result.why.startswith(
        f"the parties' choice {choice.value.replace('_', ' ')} is not open to"
    )


@pytest.mark.parametrize(
    ("dispute_type", "allowed"),
    [
        (D.wages, {T.labour_mediation, T.labour_arbitration}),
        (D.labour, {T.labour_mediation, T.labour_arbitration}),
        (
            D.debt,
            {T.peoples, T.judicial_pre_filing, T.judicial_post_filing, T.judicial_simplified},
        ),
        (
            D.consumer,
            {
                T.peoples,
                T.administrative,
                T.judicial_pre_filing,
                T.judicial_post_filing,
                T.judicial_simplified,
            },
        ),
    ],
)
def test_allowed_choices(dispute_type: DisputeType, allowed: set[Track]):
    assert allowed_choices(dispute_type, DEFAULT_MEDIATION) == allowed


def test_thresholds_and_departments_come_from_the_policy():
    policy = parse_mediation_policy(
        """
        [mediation]
        police_amount_cny = 10000
        judicial_amount_cny = 50000
        judicial_department = "county_court"
        administrative_first = ["land"]
        [mediation.administrative]
        debt = "judicial_office"
        """
    )

    assert route(D.property_damage, C.general, 8_000, None, policy).department == "police_station"
    assert route(D.debt, C.general, 60_000, None, policy).department == "county_court"
    assert route(D.land, C.general, None, None, policy).track is T.administrative
    # consumer is no longer administrative-first, but still has its department by default
    assert route(D.consumer, C.general, None, None, policy).track is T.peoples
    assert route(D.debt, C.general, None, T.administrative, policy).department == "judicial_office"


# --- time limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("track", "days"),
    [
        (T.peoples, 30),  # "generally settled within one month"
        (T.administrative, 30),  # local
        (T.judicial_pre_filing, 30),
        (T.judicial_post_filing, 15),
        (T.judicial_simplified, 7),
        (T.labour_mediation, 15),
        (T.labour_arbitration, 45),
    ],
)
def test_time_limit_per_track(track: Track, days: int):
    assert time_limit(track).calendar == timedelta(days=days)


CONSENT = Extension(length="10d", both_parties_consent=True)
APPROVED = Extension(length="15d", approved=True)


@pytest.mark.parametrize(
    ("track", "extensions", "days"),
    [
        (T.judicial_pre_filing, [CONSENT], 40),
        (T.judicial_post_filing, [CONSENT, CONSENT], 35),  # the law sets no cap
        (T.judicial_simplified, [Extension(length="3d", both_parties_consent=True)], 10),
        (T.peoples, [CONSENT], 40),
        (T.labour_arbitration, [APPROVED], 60),  # 45 + 15 with approval
        (
            T.labour_arbitration,
            [Extension(length="5d", approved=True), Extension(length="10d", approved=True)],
            60,
        ),
    ],
)
def test_extensions(track: Track, extensions: list[Extension], days: int):
    assert time_limit(track, *extensions).calendar == timedelta(days=days)


@pytest.mark.parametrize(
    ("track", "extension", "message"),
    [
        (T.judicial_simplified, Extension(length="3d"), "needs both parties' consent"),
        (T.judicial_pre_filing, Extension(length="3d", approved=True), "both parties' consent"),
        (T.labour_arbitration, Extension(length="15d", both_parties_consent=True), "approval"),
        (T.labour_arbitration, Extension(length="16d", approved=True), "exceed"),
        (T.labour_mediation, CONSENT, "cannot be extended"),
        (
            T.labour_arbitration,
            Extension(length="2wd", approved=True),
            "cannot compare",
        ),
    ],
)
def test_extensions_the_rules_refuse(track: Track, extension: Extension, message: str):
    with pytest.raises(ValueError, match=message):
        time_limit(track, extension)


def test_arbitration_limits():
    limits = arbitration_limits()

    assert limits.accept.calendar == timedelta(days=5)
    assert limits.award.calendar == timedelta(days=45)
    assert limits.award_extended.calendar == timedelta(days=60)
    assert limits.appeal.calendar == timedelta(days=15)


def test_a_partial_limits_table_keeps_the_other_tracks():
    policy = mediation_policy({"limits": {"administrative": "20wd"}})

    assert time_limit(T.administrative, policy=policy).working_days == 20
    assert time_limit(T.judicial_simplified, policy=policy).calendar == timedelta(days=7)
    extended = time_limit(
        T.administrative, Extension(length="5wd", both_parties_consent=True), policy=policy
    )
    assert extended.working_days == 25


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[mediation.limits]\npeoples = "a month"', "mediation.limits: Value error, peoples: "),
        ('[mediation.limits]\nfast_track = "3d"', "mediation.limits.fast_track"),
        ("[mediation]\npolice_amount_cny = -1", "mediation.police_amount_cny"),
        ('[mediation]\nadministrative_first = ["debt"]', "debt has no administrative department"),
        ('[mediation.extensions.peoples]\nneeds = "a wink"', "mediation.extensions.peoples.needs"),
        ('[mediation.administrative]\ndebt = "Judicial Office"', "mediation.administrative.debt"),
        ("[mediation]\nunknown = 1", "mediation.unknown"),
        ("[mediation", "not valid TOML"),
    ],
)
def test_mediation_policy_errors_name_the_key(toml: str, expected: str):
    with pytest.raises(PolicyError) as info:
        parse_mediation_policy(toml, source="p.toml")

    assert str(info.value).startswith("p.toml: ")
    assert expected in str(info.value)


def test_no_mediation_table_means_the_defaults():
    assert parse_mediation_policy('name = "x"') == DEFAULT_MEDIATION


# --- hand-offs -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "dispute_type", "after"),
    [
        # peoples -> administrative -> judicial pre-filing -> referred
        (T.peoples, D.consumer, T.administrative),
        (T.administrative, D.consumer, T.judicial_pre_filing),
        (T.judicial_pre_filing, D.consumer, None),
        (T.peoples, D.land, T.administrative),
        (T.peoples, D.property_damage, T.administrative),
        # no department for the type: straight to the court
        (T.peoples, D.debt, T.judicial_pre_filing),
        (T.peoples, D.neighbour, T.judicial_pre_filing),
        # after filing, the court tries the case
        (T.judicial_post_filing, D.debt, None),
        (T.judicial_simplified, D.neighbour, None),
        # labour: mediation -> arbitration -> referred (a suit against the award)
        (T.labour_mediation, D.wages, T.labour_arbitration),
        (T.labour_arbitration, D.wages, None),
        (T.peoples, D.labour, T.labour_arbitration),
        (T.administrative, D.wages, T.labour_arbitration),
    ],
)
def test_hand_off_order(current: Track, dispute_type: DisputeType, after: Track | None):
    assert next_track(current, dispute_type) is after


def test_every_hand_off_chain_ends():
    for dispute_type in DisputeType:
        for track in Track:
            seen = {track}
            current: Track | None = track
            while (current := next_track(current, dispute_type)) is not None:
                assert current not in seen
                seen.add(current)


def test_other_routes_name_arbitration_administration_and_the_court():
    for word in ("arbitration", "administrative", "court", "第二十六条"):
        assert word in OTHER_ROUTES


# --- judicial confirmation -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("agreement", "apply_by", "remind_at"),
    [
        # Tuesday 2026-11-10: the day itself does not count; day 30 is Thursday 12-10, to 24:00
        ("2026-11-10 15:00", "2026-12-11 00:00", "2026-12-06 00:00"),
        # Friday 11-20: day 30 is Sunday 12-20 -> Monday 12-21
        ("2026-11-20 09:00", "2026-12-22 00:00", "2026-12-17 00:00"),
        # just before midnight still counts as that day
        ("2026-11-10 23:59", "2026-12-11 00:00", "2026-12-06 00:00"),
        # 09-08: day 30 is 10-08, the first day back after National Day
        ("2026-09-08 10:00", "2026-10-09 00:00", "2026-10-04 00:00"),
        # 09-05: day 30 is 10-05, in the holiday -> Thursday 10-08
        ("2026-09-05 10:00", "2026-10-09 00:00", "2026-10-04 00:00"),
    ],
)
def test_the_window_to_apply(agreement: str, apply_by: str, remind_at: str):
    deadlines = confirmation_deadlines(at(agreement), calendar=factories.CALENDAR)

    assert deadlines.apply_by == at(apply_by)
    assert deadlines.remind_at == at(remind_at)
    assert (deadlines.accept_by, deadlines.decide_by, deadlines.decide_by_extended) == (
        None,
        None,
        None,
    )


def test_the_courts_clocks_once_applied_and_accepted():
    deadlines = confirmation_deadlines(
        at("2026-11-10 15:00"),
        applied_at=at("2026-11-25 10:00"),  # Wednesday: 3 days -> Saturday 11-28 -> Monday
        accepted_at=at("2026-11-27 10:00"),  # 15 days -> Saturday 12-12 -> Monday 12-14
        calendar=factories.CALENDAR,
    )

    assert deadlines.accept_by == at("2026-12-01 00:00")
    assert deadlines.decide_by == at("2026-12-15 00:00")
    # +10 with the president's approval: 25 days -> Tuesday 12-22
    assert deadlines.decide_by_extended == at("2026-12-23 00:00")


def test_without_a_calendar_only_weekends_move_the_last_day():
    # 09-05 + 30 = 10-05, a Monday: a working day when no holidays are loaded
    assert period_end(at("2026-09-05 10:00"), 30) == at("2026-10-06 00:00")


def test_the_reminder_comes_from_the_policy():
    policy = parse_confirmation_policy('[confirmation]\nremind_before = "2d"')

    deadlines = confirmation_deadlines(at("2026-11-10 15:00"), policy)

    assert deadlines.remind_at == at("2026-12-09 00:00")


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[confirmation]\napply_within = "30wd"', "confirmation.apply_within"),
        ('[confirmation]\ndecide = "12h"', "confirmation.decide"),
        ('[confirmation]\nremind_before = "30d"', "not shorter than 30d"),
        ('[confirmation]\nremind_before = "soon"', "confirmation.remind_before"),
        ("[confirmation]\nlater = 1", "confirmation.later"),
    ],
)
def test_confirmation_policy_errors_name_the_key(toml: str, expected: str):
    with pytest.raises(PolicyError, match=expected):
        parse_confirmation_policy(toml, source="p.toml")


def test_confirmation_defaults_are_the_laws():
    assert ConfirmationPolicy() == parse_confirmation_policy("")
    assert ConfirmationPolicy().model_dump() == {
        "apply_within": "30d",
        "remind_before": "5d",
        "accept": "3d",
        "decide": "15d",
        "decide_extension": "10d",
    }


@pytest.mark.parametrize(
    ("now", "applied", "lapsed"),
    [
        ("2026-12-10 23:59", False, False),
        ("2026-12-11 00:00", False, True),
        ("2026-12-11 00:00", True, False),
    ],
)
def test_lapsed(now: str, applied: bool, lapsed: bool):
    deadlines = confirmation_deadlines(at("2026-11-10 15:00"))

    assert has_lapsed(deadlines, at(now), applied) is lapsed


def test_outcomes():
    assert {o.value for o in ConfirmationOutcome} == {"confirmed", "rejected", "lapsed"}


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="no timezone"):
        confirmation_deadlines(datetime(2026, 11, 10, 15, 0))


def test_deadlines_are_in_utc():
    deadlines = confirmation_deadlines(at("2026-11-10 15:00"))
    assert deadlines.apply_by.tzinfo is UTC


# --- labour arbitration's statutory windows ------------------------------------------------


def end_of(day: str) -> datetime:
    return at(f"{day} 00:00") + timedelta(days=1)


@pytest.mark.parametrize(
    ("step", "moment", "field", "last_day"),
    [
        # Art. 29: 5 days from the application (not from a mediation's failure).
        ("applied_at", "2026-11-20 15:00", "accept_by", "2026-11-25"),
        ("applied_at", "2026-11-19 15:00", "accept_by", "2026-11-24"),  # Tue 24: a weekday
        ("applied_at", "2026-11-16 15:00", "accept_by", "2026-11-23"),  # Sat 21 -> Mon 23
        # Art. 43: 45 days from acceptance, 60 with the chair's approval.
        ("accepted_at", "2026-11-02 10:00", "award_by", "2026-12-17"),
        # 60 days: Fri 1 Jan 2027 (no 2027 holidays loaded: weekends only)
        ("accepted_at", "2026-11-02 10:00", "award_by_extended", "2027-01-01"),
        # Arts. 48 and 50: 15 days to sue from receiving the award.
        ("award_received_at", "2026-11-20 15:00", "sue_by", "2026-12-07"),  # Sat 5 -> Mon 7
        ("award_received_at", "2026-09-20 15:00", "sue_by", "2026-10-08"),  # 5 Oct: holiday
    ],
)
def test_arbitration_windows_run_from_their_own_step_to_24_00_of_the_last_day(
    step: str, moment: str, field: str, last_day: str
):
    deadlines = arbitration_deadlines(factories.DEFAULT_POLICY, **{step: at(moment)})

    assert getattr(deadlines, field) == end_of(last_day)
    others = {"accept_by", "award_by", "award_by_extended", "sue_by"} - {field}
    if step != "accepted_at":
        assert all(getattr(deadlines, name) is None for name in others)


def test_the_window_to_sue_is_the_mediation_tables():
    policy = factories.DEFAULT_POLICY.model_copy(
        update={"mediation": mediation_policy({"arbitration_appeal": "30d"})}
    )

    deadlines = arbitration_deadlines(policy, award_received_at=at("2026-11-02 10:00"))

    assert deadlines.sue_by == end_of("2026-12-02")


def test_the_reason_for_a_route_is_in_the_case_language() -> None:
    result = route(DisputeType.wages, Complexity.simple, None, Track.judicial_pre_filing,
                   lang=Lang.zh)  # fmt: skip
    assert result.why == "当事人选择的司法调解(诉前委派)不适用于欠薪纠纷；劳动争议先调解、后仲裁"
