"""The action catalogue: one row per action, the roles table, and `allowed_actions`, which
offers a person only what the workflow's validators would let them do on a case now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain import catalogue
from domain.actions import Actor
from domain.case_models import (
    FINISHED,
    CaseFile,
    CaseStatus,
    Confirmation,
    FollowUpState,
    LevelClock,
    Mediation,
    Transfer,
    Visit,
    Whistle,
)
from domain.catalogue import ACTIONS, CASE_ACTIONS, DUTY_ACTIONS, allowed_actions, applies
from domain.duty_contract import DutyCheckIn, DutyStart, DutyView
from domain.ladder import LADDER, Level
from domain.risk import RiskColour
from domain.roles import HANDLERS_AT
from domain.whistle import Department, DutyState, WhistleKind
from tests.factories import (
    APPLICANT,
    COUNTY,
    GRID,
    LOCATION,
    RESPONDENT,
    TOWNSHIP,
    VILLAGE,
    case_start,
    sample_departments,
    supervisor,
)

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
UNITS = {lv: LOCATION[lv.value] for lv in LADDER}
HANDLER_AT = {Level.grid: GRID, Level.village: VILLAGE, Level.township: TOWNSHIP,
              Level.county: COUNTY}  # fmt: skip
START = case_start("CAT-1")


def case(status: CaseStatus = CaseStatus.open, level: Level = Level.grid, **more) -> CaseFile:
    clock = LevelClock(started_at=T0, due_at=T0 + timedelta(days=10), budget="10d")
    if status is CaseStatus.paused:
        clock = clock.model_copy(update={"paused_since": T0 + timedelta(hours=1)})
    return CaseFile(case_id="CAT-1", risk=RiskColour.green, risk_flags=[], units=UNITS,
                    status=status, level=level, opened_at=T0, clock=clock, **more)  # fmt: skip


def visits_waiting() -> FollowUpState:
    due = T0 + timedelta(days=7)
    return FollowUpState(
        resolved_level=Level.grid,
        resolved_at=T0,
        visits=[Visit(visit="satisfaction", due_at=due, overdue_at=due + timedelta(days=3))],
    )


def allowed(file: CaseFile, actor: Actor) -> set[str]:
    return set(allowed_actions(file, START, actor))


# -- the catalogue's rows -------------------------------------------------------------------


def test_each_action_has_one_name_and_a_label_and_help_in_chinese():
    names = [a.name for a in (*CASE_ACTIONS, *DUTY_ACTIONS, *catalogue.PROCEDURE_ACTIONS)]
    assert len(names) == len(set(names)) == len(ACTIONS)
    for a in ACTIONS.values():
        assert a.label_in(catalogue.Lang.zh) != a.label, a.name
        assert a.help_in(catalogue.Lang.zh) != a.help, a.name


def test_an_old_update_name_is_an_alias_of_one_action_and_no_action_is_named_so():
    aliases = [alias for a in ACTIONS.values() for alias in a.aliases]
    assert len(aliases) == len(set(aliases))
    assert not set(aliases) & {a.update_name for a in ACTIONS.values()}
    # The names saved histories hold (tests/histories) are all still updates.
    assert {"report_outcome", "record_visit", "blow_whistle", "change_track"} <= set(aliases)


def test_actions_sharing_an_update_share_its_model_and_check():
    by_update: dict[str, set] = {}
    for a in ACTIONS.values():
        by_update.setdefault(a.update_name, set()).add((a.model, a.check))
    assert all(len(rows) == 1 for rows in by_update.values())
    assert ACTIONS["accept-transfer"].update_name == ACTIONS["object-transfer"].update_name


OUTSIDE = [(a, s) for a in CASE_ACTIONS if a.states is not None
           for s in CaseStatus if s not in a.states]  # fmt: skip


@pytest.mark.parametrize(("action", "status"), OUTSIDE, ids=[f"{a.name}-{s}" for a, s in OUTSIDE])
def test_an_action_is_refused_outside_the_states_it_lists(action, status):
    """The `states` column is the check's truth: outside them, nobody passes the check."""
    file = case(status, Level.township, follow_up=visits_waiting())
    for actor in (TOWNSHIP, supervisor(UNITS[Level.county]), APPLICANT, RESPONDENT):
        for probe in action.probes:
            with pytest.raises(ValueError):
                action.check(file, START, action.build(actor, probe))


# -- allowed_actions, by state and role -----------------------------------------------------

HANDLER_OPEN = {"outcome", "pause", "regrade", "transfer", "contact", "merge", "link"}


@pytest.mark.parametrize(
    ("status", "level", "actor", "expected"),
    [
        (CaseStatus.open, Level.grid, GRID, HANDLER_OPEN),
        (CaseStatus.paused, Level.grid, GRID, {"outcome", "resume", "regrade", "transfer",
                                               "contact", "merge", "link"}),
        (CaseStatus.supervised, Level.grid, GRID, {"outcome", "regrade", "contact", "merge",
                                                   "link"}),
        # At the township the handler may also blow the whistle (街乡吹哨).
        (CaseStatus.open, Level.township, TOWNSHIP, HANDLER_OPEN | {"whistle"}),
        (CaseStatus.open, Level.county, COUNTY, HANDLER_OPEN | {"whistle"}),
        # A handler of another level: nothing.
        (CaseStatus.open, Level.village, GRID, set()),
        (CaseStatus.open, Level.grid, VILLAGE, set()),
        # A supervisor of the level above: acts for the handler, extends, pulls up.
        (CaseStatus.open, Level.grid, supervisor(UNITS[Level.village]),
         HANDLER_OPEN | {"extend", "pull-up"}),
        # A supervisor two levels up: not the extension (the level directly above's).
        (CaseStatus.open, Level.grid, supervisor(UNITS[Level.township]),
         HANDLER_OPEN | {"pull-up"}),
        (CaseStatus.paused, Level.grid, supervisor(UNITS[Level.village]),
         {"outcome", "resume", "regrade", "transfer", "contact", "pull-up", "merge", "link"}),
        # A supervisor of the case's own level is not above it.
        (CaseStatus.open, Level.village, supervisor(UNITS[Level.village]), set()),
        (CaseStatus.open, Level.grid, APPLICANT, {"escalate", "withdraw", "refuse"}),
        (CaseStatus.open, Level.county, APPLICANT, {"withdraw", "refuse"}),  # no level above
        (CaseStatus.open, Level.grid, RESPONDENT, {"refuse"}),
        (CaseStatus.open, Level.grid, Actor(name="冒名", role="applicant"), set()),
        # Finished cases offer nothing to anyone.
        *((s, Level.grid, who, set()) for s in FINISHED
          for who in (GRID, APPLICANT, supervisor(UNITS[Level.village]))),
    ],
)  # fmt: skip
def test_allowed_actions_by_state_and_role(status, level, actor, expected):
    assert allowed(case(status, level), actor) == expected


def test_a_resolved_case_offers_only_the_return_visit_waiting():
    resolved = case(CaseStatus.resolved, follow_up=visits_waiting())
    assert allowed(resolved, GRID) == {"visit"}
    # A supervisor of one of the case's units may record it too; a party may not.
    assert allowed(resolved, supervisor(UNITS[Level.township])) == {"visit"}
    assert allowed(resolved, APPLICANT) == set()
    # With every visit done, nothing is left to do.
    done = visits_waiting().visits[0].model_copy(update={"result": "satisfied"})
    assert allowed(case(CaseStatus.resolved, follow_up=FollowUpState(visits=[done])), GRID) == set()


def test_a_waiting_transfer_is_answered_by_the_receiving_unit_only():
    waiting = Transfer(to_unit="G-08", requested_at=T0, answer_by=T0 + timedelta(days=1),
                       reason="wrong grid")  # fmt: skip
    file = case(transfer=waiting)
    receiver = Actor(name="钱网格员", role="grid_worker", unit="G-08")
    assert allowed(file, receiver) == {"accept-transfer", "object-transfer"}
    # The sender keeps the case (首接负责) but may not send a second transfer.
    assert allowed(file, GRID) == HANDLER_OPEN - {"transfer"}


def test_a_whistle_waiting_for_its_departments_is_not_blown_again():
    waiting = Whistle(seq=1, kind="routine", blown_at=T0, reason="r",
                      duties={"police_station": "summoned"})  # fmt: skip
    assert "whistle" not in allowed(case(level=Level.township, whistles=[waiting]), TOWNSHIP)


def test_the_parties_choose_a_track_only_among_those_open_to_them():
    track = Mediation(track="peoples", started_at=T0, due_at=T0 + timedelta(days=30), why="w")
    file = case(mediation=track)
    assert "track" in allowed(file, APPLICANT)
    assert {"track", "extend-track"} <= allowed(file, GRID)


def test_judicial_confirmation_is_offered_step_by_step():
    open_ = Confirmation(agreement_at=T0, apply_by=T0 + timedelta(days=30),
                         remind_at=T0 + timedelta(days=20))  # fmt: skip
    file = case(CaseStatus.resolved, confirmation=open_)
    court = Actor(name="法官", role="judge", unit="Haibowan District")
    assert allowed(file, APPLICANT) == {"confirmation"}
    assert allowed(file, court) == set()  # nothing to accept before the parties apply
    applied = open_.model_copy(update={"applied_at": T0 + timedelta(days=1)})
    assert allowed(case(CaseStatus.resolved, confirmation=applied), court) == {"confirmation"}
    assert allowed(case(CaseStatus.resolved, confirmation=applied), APPLICANT) == set()


# -- roles as data ------------------------------------------------------------------------


def test_no_department_code_and_no_lead_handles_a_case_at_any_level():
    handler_roles = set().union(*HANDLERS_AT.values())
    codes = {code for code, _, _, _ in sample_departments()}
    assert not handler_roles & codes
    assert not handler_roles & {"leader", "secretary", "supervisor", "applicant", "police"}


DEPARTMENTS = sorted({(code, unit) for code, _, unit, _ in sample_departments()})


@pytest.mark.parametrize(("code", "unit"), DEPARTMENTS, ids=[f"{c}@{u}" for c, u in DEPARTMENTS])
def test_a_department_duty_role_acts_only_on_its_own_duty(code: str, unit: str):
    officer = Actor(name="值班员", role=code, unit=unit)
    # No case action, at any level, in any state, even for a case held by its own unit.
    for level in LADDER:
        units = {**UNITS, level: unit}
        for status in CaseStatus:
            file = case(status, level, follow_up=visits_waiting()).model_copy(
                update={"units": units}
            )
            assert allowed_actions(file, START, officer) == [], (level, status)
    # Its own duty: check in; another department's duty (another code or unit): refused.
    own = duty_start(code, unit)
    summoned = duty_view(own)
    check_in = ACTIONS["check-in"]
    assert applies(check_in, summoned, own, officer)
    for other in (duty_start("other_code", unit), duty_start(code, "Another Township")):
        for action in DUTY_ACTIONS:
            assert not applies(action, duty_view(other), other, officer), (other, action.name)
    # It never rules on a decline, even its own.
    declined = duty_view(own, DutyState.declined)
    assert not applies(ACTIONS["rule-decline"], declined, own, officer)
    assert applies(ACTIONS["rule-decline"], declined, own, supervisor(LOCATION["township"]))
    with pytest.raises(ValueError, match="only its own staff"):
        ACTIONS["check-in"].check(summoned, duty_start("other_code", unit), DutyCheckIn(
            actor=officer))  # fmt: skip


def duty_start(code: str, unit: str) -> DutyStart:
    return DutyStart(
        case_id="CAT-1",
        case_workflow_id="case-CAT-1",
        whistle_seq=1,
        whistle_kind=WhistleKind.routine,
        department=Department(code=code, name=code, unit=unit, kind="township"),
        summoned_at=T0,
        check_in_by=T0 + timedelta(hours=2),
        report_by=T0 + timedelta(days=1),
        township=LOCATION["township"],
        county=LOCATION["county"],
    )


def duty_view(start: DutyStart, state: DutyState = DutyState.summoned) -> DutyView:
    return DutyView(
        case_id=start.case_id,
        whistle_seq=1,
        department=start.department,
        state=state,
        check_in_by=start.check_in_by,
        report_by=start.report_by,
    )


@pytest.mark.parametrize(
    ("state", "officer_may", "supervisor_may"),
    [
        (DutyState.summoned, {"check-in", "decline"}, set()),
        (DutyState.checked_in, {"file-report", "decline"}, set()),
        (DutyState.declined, set(), {"rule-decline"}),
        (DutyState.reported, set(), set()),
        (DutyState.excused, set(), set()),
    ],
)
def test_duty_actions_offered_on_the_case_by_the_duty_state(state, officer_may, supervisor_may):
    whistle = Whistle(seq=2, kind="routine", blown_at=T0, reason="r",
                      duties={"police_station": state.value})  # fmt: skip
    file = case(level=Level.township, whistles=[whistle])
    officer = Actor(name="张警官", role="police_station", unit=LOCATION["township"])

    def offered(actor: Actor) -> set[str]:
        offers = catalogue.allowed_duty_actions(file, actor)
        assert all((o.whistle, o.department) == (2, "police_station") for o in offers)
        return {o.action for o in offers}

    assert offered(officer) == officer_may
    assert offered(supervisor(LOCATION["township"])) == supervisor_may
    assert offered(supervisor(LOCATION["county"])) == supervisor_may
    assert offered(Actor(name="李所长", role="judicial_office", unit=LOCATION["township"])) == set()
