"""Who may act on a case: every rule of domain/authority.py, at every level of the ladder."""

from __future__ import annotations

import dataclasses

import pytest

from domain.actions import Actor
from domain.authority import (
    Holder,
    NotAllowed,
    check_party,
    check_responsible,
    check_supervisor_above,
    check_transfer_receiver,
    check_visitor,
    pull_up_level,
)
from domain.ladder import LADDER, Level
from texts import Lang

UNITS = {
    Level.grid: "G-07",
    Level.village: "Diamond Square Community",
    Level.township: "Haibei Street",
    Level.county: "Haibowan District",
}
PARTIES = (("王某", "applicant"), ("李某", "respondent"))
APPLICANT_ONLY = frozenset({"applicant"})
OTHER_TOWNSHIP = "Haixi Street"


def holder(level: Level, transfer_to: str | None = None) -> Holder:
    return Holder(
        case_id="C-001",
        level=level,
        units=dict(UNITS),
        parties=PARTIES,
        transfer_to=transfer_to,
    )


def handler(unit: str | None, role: str = "handler") -> Actor:
    return Actor(name="张三", role=role, unit=unit)


def supervisor(unit: str) -> Actor:
    return Actor(name="赵主任", role="supervisor", unit=unit)


def party(name: str, role: str) -> Actor:
    return Actor(name=name, role=role)


def refusal(check, *args, **kwargs) -> str:
    with pytest.raises(NotAllowed) as info:
        check(*args, **kwargs)
    return str(info.value)


def above(level: Level) -> list[Level]:
    return list(LADDER[LADDER.index(level) + 1 :])


def at_or_below(level: Level) -> list[Level]:
    return list(LADDER[: LADDER.index(level) + 1])


def test_not_allowed_is_a_value_error():
    # Update validators rely on a ValueError to refuse the update before it is recorded.
    assert issubclass(NotAllowed, ValueError)


def test_holder_unit_is_the_unit_at_its_level():
    assert [holder(level).unit for level in LADDER] == [UNITS[level] for level in LADDER]


# --- check_responsible -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "role"),
    [
        (Level.grid, "handler"),
        (Level.grid, "grid_worker"),
        (Level.village, "mediator"),
        (Level.village, "mediation_committee"),
        (Level.township, "governance_centre"),
        (Level.county, "county_centre"),
    ],
)
def test_handler_of_the_holding_unit_is_responsible(level: Level, role: str):
    check_responsible(handler(UNITS[level], role), holder(level))


@pytest.mark.parametrize(
    ("level", "role"),
    [
        # A township's judicial office (司法所) and police station act on their own duty only
        # (issue 20: the 司法所 officer paused and resolved a township case as its handler).
        (Level.township, "judicial_office"),
        (Level.township, "police_station"),
        (Level.county, "police"),
        # A grid worker handles at the grid, not at the village above it.
        (Level.village, "grid_worker"),
        (Level.grid, "governance_centre"),
    ],
)
def test_a_role_that_does_not_handle_at_the_level_is_not_responsible(level: Level, role: str):
    with pytest.raises(NotAllowed, match="not responsible"):
        check_responsible(handler(UNITS[level], role), holder(level))


@pytest.mark.parametrize(
    ("level", "unit"),
    [(lv, u) for lv in LADDER for u in [*UNITS.values(), "G-08"] if u != UNITS[lv]],
)
def test_handler_of_another_unit_is_not_responsible(level: Level, unit: str):
    message = refusal(check_responsible, handler(unit), holder(level))
    assert "not responsible for case C-001" in message
    assert f"at the {level.value} level with {UNITS[level]}" in message
    assert unit in message  # who was refused


@pytest.mark.parametrize(
    ("level", "sup_level"),
    [(lv, up) for lv in LADDER for up in above(lv)],
)
def test_supervisor_of_a_unit_above_is_responsible(level: Level, sup_level: Level):
    check_responsible(supervisor(UNITS[sup_level]), holder(level))


@pytest.mark.parametrize(
    ("level", "sup_level"),
    [(lv, low) for lv in LADDER for low in at_or_below(lv)],
)
def test_supervisor_at_or_below_the_case_level_is_not_responsible(level: Level, sup_level: Level):
    message = refusal(check_responsible, supervisor(UNITS[sup_level]), holder(level))
    assert "case C-001" in message
    assert f"{level.value} level with {UNITS[level]}" in message


@pytest.mark.parametrize(
    "actor",
    [
        handler(None),  # a handler with no unit
        party("王某", "applicant"),  # parties do not run the case
        Actor(name="王某", role="applicant", unit="G-07"),  # not even "at" the holding unit
        supervisor("Haixi Street"),  # a supervisor of an unrelated unit
        Actor(name="张三", role="clerk", unit="G-07"),  # not a handler role
    ],
)
def test_others_are_not_responsible(actor: Actor):
    message = refusal(check_responsible, actor, holder(Level.grid))
    assert "not responsible for case C-001" in message
    assert actor.name in message


# --- check_supervisor_above (extensions) --------------------------------------------------


@pytest.mark.parametrize(
    ("level", "approver"),
    [
        (Level.grid, Level.village),
        (Level.village, Level.township),
        (Level.township, Level.county),
        (Level.county, Level.county),  # at the top, the county's own supervisor
    ],
)
def test_extension_by_the_supervisor_of_the_next_level(level: Level, approver: Level):
    check_supervisor_above(supervisor(UNITS[approver]), holder(level))


@pytest.mark.parametrize(
    ("level", "actor", "approver"),
    [
        (Level.grid, supervisor(UNITS[Level.grid]), Level.village),  # same level
        (Level.grid, supervisor(UNITS[Level.township]), Level.village),  # two levels up
        (Level.grid, supervisor(UNITS[Level.county]), Level.village),
        (Level.village, supervisor(UNITS[Level.village]), Level.township),
        (Level.village, supervisor(UNITS[Level.county]), Level.township),
        (Level.township, supervisor(UNITS[Level.township]), Level.county),
        (Level.township, supervisor(UNITS[Level.village]), Level.county),  # below
        (Level.county, supervisor(UNITS[Level.township]), Level.county),
        (Level.grid, handler(UNITS[Level.village]), Level.village),  # handler, not supervisor
        (Level.county, handler(UNITS[Level.county]), Level.county),
        (Level.township, supervisor(OTHER_TOWNSHIP), Level.county),
    ],
)
def test_extension_by_anyone_else_is_refused(level: Level, actor: Actor, approver: Level):
    message = refusal(check_supervisor_above, actor, holder(level))
    assert "may not approve this for case C-001" in message
    assert f"only a supervisor of {UNITS[approver]} ({approver.value}) may" in message


# --- pull_up_level -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "sup_level"),
    [(lv, up) for lv in LADDER for up in above(lv)],
)
def test_pull_up_defaults_to_the_supervisors_own_level(level: Level, sup_level: Level):
    assert pull_up_level(supervisor(UNITS[sup_level]), holder(level), None) is sup_level


@pytest.mark.parametrize(
    ("level", "sup_level", "wanted"),
    [
        (lv, up, target)
        for lv in LADDER
        for up in above(lv)
        for target in above(lv)
        if LADDER.index(target) <= LADDER.index(up)
    ],
)
def test_pull_up_to_any_level_between_the_case_and_the_supervisor(
    level: Level, sup_level: Level, wanted: Level
):
    assert pull_up_level(supervisor(UNITS[sup_level]), holder(level), wanted) is wanted


@pytest.mark.parametrize(
    ("level", "sup_level", "wanted"),
    [
        # at or below the case's level
        (Level.grid, Level.county, Level.grid),
        (Level.village, Level.county, Level.village),
        (Level.village, Level.county, Level.grid),
        (Level.township, Level.county, Level.township),
        (Level.township, Level.county, Level.village),
        # above the supervisor's own level
        (Level.grid, Level.village, Level.township),
        (Level.grid, Level.village, Level.county),
        (Level.grid, Level.township, Level.county),
        (Level.village, Level.township, Level.county),
    ],
)
def test_pull_up_refuses_a_target_outside_the_range(level: Level, sup_level: Level, wanted: Level):
    message = refusal(pull_up_level, supervisor(UNITS[sup_level]), holder(level), wanted)
    assert f"case C-001 can be pulled from {level.value} up to at most {sup_level.value}" in message
    assert f"not to {wanted.value}" in message


@pytest.mark.parametrize(
    ("level", "actor"),
    [
        (Level.grid, handler(UNITS[Level.grid])),
        (Level.grid, handler(UNITS[Level.county])),  # a handler above is not a supervisor
        (Level.grid, supervisor(UNITS[Level.grid])),  # same level
        (Level.township, supervisor(UNITS[Level.township])),
        (Level.township, supervisor(UNITS[Level.village])),  # below
        (Level.county, supervisor(UNITS[Level.county])),  # nothing above the county
        (Level.village, supervisor(OTHER_TOWNSHIP)),
        (Level.village, party("王某", "applicant")),
    ],
)
def test_pull_up_only_by_a_supervisor_above(level: Level, actor: Actor):
    message = refusal(pull_up_level, actor, holder(level), None)
    assert "may not pull case C-001 up" in message
    assert f"above {UNITS[level]} ({level.value})" in message


# --- check_party -------------------------------------------------------------------------


@pytest.mark.parametrize("level", LADDER)
def test_applicant_may_withdraw_or_escalate(level: Level):
    check_party(party("王某", "applicant"), holder(level), roles=APPLICANT_ONLY)


@pytest.mark.parametrize("name_role", PARTIES)
def test_any_party_may_refuse_mediation(name_role: tuple[str, str]):
    check_party(party(*name_role), holder(Level.village))


def test_respondent_may_not_withdraw():
    message = refusal(
        check_party, party("李某", "respondent"), holder(Level.grid), roles=APPLICANT_ONLY
    )
    assert "李某 (respondent)" in message
    assert "not a party of case C-001 in the role applicant" in message


@pytest.mark.parametrize(
    "actor",
    [
        party("张某", "respondent"),  # a stranger
        party("张某", "applicant"),
        party("王某", "respondent"),  # a party's name in a role they do not have
        party("李某", "applicant"),
        party("王某", "third_party"),
        Actor(name="王某", role="handler", unit="G-07"),  # not a party role at all
    ],
)
def test_party_checks_name_and_role(actor: Actor):
    message = refusal(check_party, actor, holder(Level.grid))
    assert f"{actor.name} ({actor.role}" in message
    assert "not a party of case C-001" in message
    assert "applicant or respondent or third party" in message
    assert "only the parties named at intake" in message


def test_stranger_may_not_withdraw_even_as_applicant():
    message = refusal(
        check_party, party("张某", "applicant"), holder(Level.grid), roles=APPLICANT_ONLY
    )
    assert "in the role applicant" in message


# --- check_transfer_receiver -------------------------------------------------------------


@pytest.mark.parametrize(
    "actor",
    [
        handler(OTHER_TOWNSHIP),
        handler(OTHER_TOWNSHIP, role="governance_centre"),
        supervisor(OTHER_TOWNSHIP),
    ],
)
def test_receiving_unit_answers_the_transfer(actor: Actor):
    check_transfer_receiver(actor, holder(Level.township, transfer_to=OTHER_TOWNSHIP))


@pytest.mark.parametrize(
    "actor",
    [
        handler(UNITS[Level.township]),  # the sending unit
        supervisor(UNITS[Level.county]),  # a supervisor above, but not of the receiver
        handler("Haidong Street"),
        Actor(name="王某", role="applicant", unit=OTHER_TOWNSHIP),  # not a handler role
        handler(None),
    ],
)
def test_others_may_not_answer_the_transfer(actor: Actor):
    message = refusal(
        check_transfer_receiver, actor, holder(Level.township, transfer_to=OTHER_TOWNSHIP)
    )
    assert "may not answer the transfer of case C-001" in message
    assert f"it was sent to {OTHER_TOWNSHIP}" in message


@pytest.mark.parametrize("actor", [handler(OTHER_TOWNSHIP), supervisor(OTHER_TOWNSHIP)])
def test_no_transfer_pending_refuses_everyone(actor: Actor):
    message = refusal(check_transfer_receiver, actor, holder(Level.township))
    assert message == "case C-001 has no transfer waiting for an answer"


# --- check_visitor -----------------------------------------------------------------------


@pytest.mark.parametrize("level", LADDER)
@pytest.mark.parametrize("role", ["grid_worker", "handler"])
def test_grid_worker_of_the_case_records_visits_whatever_the_level(level: Level, role: str):
    check_visitor(handler("G-07", role), holder(level))


@pytest.mark.parametrize("sup_level", LADDER)
def test_supervisor_of_the_cases_units_records_visits(sup_level: Level):
    check_visitor(supervisor(UNITS[sup_level]), holder(Level.township))


@pytest.mark.parametrize(
    "actor",
    [
        handler("G-08"),  # another grid
        handler(UNITS[Level.village]),  # the village's handler, even holding the case
        handler(UNITS[Level.township]),
        supervisor("G-08"),
        supervisor(OTHER_TOWNSHIP),
        party("王某", "applicant"),
        Actor(name="王某", role="applicant", unit="G-07"),
    ],
)
def test_others_may_not_record_visits(actor: Actor):
    message = refusal(check_visitor, actor, holder(Level.village))
    assert "may not record a return visit for case C-001" in message
    assert "visits belong to grid G-07" in message


def test_a_refusal_reads_in_the_case_language() -> None:
    chinese = dataclasses.replace(holder(Level.grid), lang=Lang.zh)
    with pytest.raises(NotAllowed, match="不负责案件C-001：案件在网格级"):
        check_responsible(Actor(name="某人", role="grid_worker", unit="G-99"), chinese)
