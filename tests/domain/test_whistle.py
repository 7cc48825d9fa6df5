"""Whistle and report: the policy table, automatic whistles, quorums, the duty state machine."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from domain.duty_models import DutyWrite
from domain.intake_models import DisputeType
from domain.policy_files import PolicyError
from domain.risk import RiskColour
from domain.whistle import (
    DEFAULT_WHISTLE,
    DEFAULT_WHISTLE_POLICY,
    FINAL_STATES,
    TRANSITIONS,
    DutyEvent,
    DutyState,
    WhistleKind,
    WhistleKindPolicy,
    auto_whistle,
    duty_deadlines,
    next_state,
    parse_whistle_policy,
    quorum_met,
    whistle_policy,
)
from tests import factories

CST = timezone(timedelta(hours=8))
S, E = DutyState, DutyEvent

# --- the policy table ----------------------------------------------------------------------


def test_a_policy_without_the_table_gets_the_defaults():
    policy = parse_whistle_policy('name = "x"\n')

    assert policy == DEFAULT_WHISTLE_POLICY
    assert policy.kinds[WhistleKind.emergency] == WhistleKindPolicy(
        check_in="30m", report="4h", quorum="all"
    )
    assert set(policy.kinds) == set(WhistleKind)


@pytest.mark.parametrize(
    ("kind", "check_in", "report", "quorum"),
    [
        (WhistleKind.emergency, "30m", "4h", "all"),  # Pinggu: arrive within 30 minutes
        (WhistleKind.hard_case, "4h", "5wd", 2),
        (WhistleKind.routine, "1d", "3wd", "all"),
    ],
)
def test_default_kinds(kind: WhistleKind, check_in: str, report: str, quorum):
    assert DEFAULT_WHISTLE_POLICY.kinds[kind] == WhistleKindPolicy(
        check_in=check_in, report=report, quorum=quorum
    )


def test_the_table_overrides_a_key_and_keeps_the_other_defaults():
    policy = parse_whistle_policy(
        """
        name = "other tables are ignored"
        [budgets.simple]
        grid = "1h"
        [whistle.kinds.emergency]
        check_in = "20m"
        [whistle.kinds.hard_case]
        quorum = "all"
        """
    )

    assert policy.kinds[WhistleKind.emergency] == WhistleKindPolicy(
        check_in="20m", report="4h", quorum="all"
    )
    assert policy.kinds[WhistleKind.hard_case].quorum == "all"
    assert policy.kinds[WhistleKind.routine] == DEFAULT_WHISTLE_POLICY.kinds[WhistleKind.routine]
    assert policy.auto == DEFAULT_WHISTLE_POLICY.auto


def test_auto_rules_in_the_table_replace_the_defaults():
    policy = parse_whistle_policy(
        """
        [[whistle.auto]]
        dispute_types = ["consumer"]
        risk = ["yellow", "red"]
        kind = "routine"
        departments = ["market_supervision", "market_supervision"]
        """
    )

    assert len(policy.auto) == 1
    assert policy.auto[0].departments == ["market_supervision"]  # named twice, summoned once
    assert auto_whistle(DisputeType.land_acquisition, RiskColour.red, policy) is None


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('[whistle.kinds.emergency]\ncheck_in = "soon"', "whistle.kinds.emergency.check_in"),
        ("[whistle.kinds.routine]\nquorum = 0", "whistle.kinds.routine.quorum"),
        ('[whistle.kinds.routine]\nquorum = "most"', "whistle.kinds.routine.quorum"),
        ("[whistle.kinds.routine]\nquorum = true", "whistle.kinds.routine.quorum"),
        ('[whistle.kinds.routine]\ncheck_in = "5d"\nreport = "2d"', "later than report"),
        ('[whistle.kinds.routine]\ncheck_in = "4wd"\nreport = "3wd"', "later than report"),
        ('[whistle.kinds.siren]\ncheck_in = "1h"\nreport = "2h"', "whistle.kinds.siren"),
        ('[whistle.kinds.routine]\nlate = "1h"', "whistle.kinds.routine.late"),
        ("[whistle]\nkinds = 3", "whistle.kinds: expected a table"),
        ("[whistle]\nsirens = 3", "whistle.sirens"),
        (
            '[[whistle.auto]]\ndispute_types = ["meteor"]\nrisk = ["red"]\nkind = "routine"\n'
            'departments = ["police_station"]',
            "whistle.auto.0.dispute_types.0",
        ),
        (
            '[[whistle.auto]]\ndispute_types = ["debt"]\nrisk = ["red"]\nkind = "routine"\n'
            "departments = []",
            "whistle.auto.0.departments",
        ),
        (
            '[[whistle.auto]]\ndispute_types = ["debt"]\nrisk = ["red"]\nkind = "routine"\n'
            'departments = ["Police Station"]',
            "whistle.auto.0.departments.0",
        ),
        ("[whistle", "not valid TOML"),
    ],
)
def test_errors_name_the_key(toml: str, expected: str):
    with pytest.raises(PolicyError) as info:
        parse_whistle_policy(toml, source="p.toml")

    assert str(info.value).startswith("p.toml: ")
    assert expected in str(info.value)


def test_default_dict_is_not_changed_by_parsing():
    before = repr(DEFAULT_WHISTLE)
    whistle_policy({"kinds": {"emergency": {"check_in": "10m"}}})
    assert repr(DEFAULT_WHISTLE) == before


# --- automatic whistles --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dispute_type", "risk", "expected"),
    [
        (
            DisputeType.land_acquisition,
            RiskColour.red,
            (
                WhistleKind.hard_case,
                ["natural_resources", "comprehensive_enforcement", "police_station"],
            ),
        ),
        (
            DisputeType.relocation,
            RiskColour.red,
            (
                WhistleKind.hard_case,
                ["natural_resources", "comprehensive_enforcement", "police_station"],
            ),
        ),
        (
            DisputeType.wages,
            RiskColour.red,
            (WhistleKind.hard_case, ["labour", "police_station", "judicial_office"]),
        ),
        (
            DisputeType.labour,
            RiskColour.red,
            (WhistleKind.hard_case, ["labour", "police_station", "judicial_office"]),
        ),
        (DisputeType.land_acquisition, RiskColour.yellow, None),  # yellow: the handler decides
        (DisputeType.wages, RiskColour.green, None),
        (DisputeType.neighbour, RiskColour.red, None),  # red, but no rule for the type
        (DisputeType.consumer, RiskColour.green, None),
    ],
)
def test_auto_whistle_defaults(dispute_type: DisputeType, risk: RiskColour, expected):
    assert auto_whistle(dispute_type, risk) == expected


def test_the_first_matching_rule_wins():
    policy = whistle_policy(
        {
            "auto": [
                {
                    "dispute_types": ["debt"],
                    "risk": ["red"],
                    "kind": "emergency",
                    "departments": ["police_station"],
                },
                {
                    "dispute_types": ["debt", "contract"],
                    "risk": ["red"],
                    "kind": "routine",
                    "departments": ["judge_station"],
                },
            ]
        }
    )

    assert auto_whistle(DisputeType.debt, RiskColour.red, policy) == (
        WhistleKind.emergency,
        ["police_station"],
    )
    assert auto_whistle(DisputeType.contract, RiskColour.red, policy) == (
        WhistleKind.routine,
        ["judge_station"],
    )


def test_auto_whistle_returns_a_copy_of_the_departments():
    _, departments = auto_whistle(DisputeType.wages, RiskColour.red)
    departments.append("oops")
    assert auto_whistle(DisputeType.wages, RiskColour.red)[1] == [
        "labour",
        "police_station",
        "judicial_office",
    ]


# --- quorum --------------------------------------------------------------------------------

ALL = WhistleKindPolicy(check_in="1h", report="1d", quorum="all")
TWO = WhistleKindPolicy(check_in="1h", report="1d", quorum=2)
REQUIRED = ["police", "judicial", "market"]


@pytest.mark.parametrize(
    ("kind_policy", "reported", "upheld", "met"),
    [
        # all: every required department reports
        (ALL, set(), set(), False),
        (ALL, {"police", "judicial"}, set(), False),
        (ALL, {"police", "judicial", "market"}, set(), True),
        # ... except those whose decline a supervisor upheld
        (ALL, {"police", "judicial"}, {"market"}, True),
        (ALL, {"police"}, {"market"}, False),
        (ALL, set(), {"police", "judicial", "market"}, True),  # all excused: nothing owed
        # a department not on the whistle does not make up for one that is
        (ALL, {"police", "judicial", "labour"}, set(), False),
        # a department that reported counts even if it had declined and was excused
        (ALL, {"police", "judicial", "market"}, {"market"}, True),
        # a number: at least that many of the required
        (TWO, {"police"}, set(), False),
        (TWO, {"police", "market"}, set(), True),
        (TWO, {"police", "labour"}, set(), False),
        (TWO, {"police"}, {"market"}, False),  # 2 still owed of 2 left
        # declines leave fewer than the quorum: all who are left must report
        (TWO, {"police"}, {"market", "judicial"}, True),
        (TWO, set(), {"market", "judicial"}, False),
        (TWO, set(), {"police", "judicial", "market"}, True),
    ],
)
def test_quorum(kind_policy: WhistleKindPolicy, reported: set[str], upheld: set[str], met: bool):
    assert quorum_met(kind_policy, REQUIRED, reported, upheld) is met


def test_quorum_of_one_department():
    assert quorum_met(TWO, ["police"], {"police"}, set()) is True
    assert quorum_met(ALL, ["police"], set(), set()) is False


# --- deadlines of a duty -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "summoned", "check_in_by", "report_by"),
    [
        # Friday 10:00 in Beijing: 30 minutes to arrive, 4 hours to file
        (WhistleKind.emergency, "2026-11-20 10:00", "2026-11-20 10:30", "2026-11-20 14:00"),
        # 4 hours (exact); 5 working days, across one weekend, to 24:00 of the fifth
        (WhistleKind.hard_case, "2026-11-20 10:00", "2026-11-20 14:00", "2026-11-27 24:00"),
        # 1 day: its last day is Saturday, a day off, so 24:00 Monday (民法典 Art. 203);
        # 3 working days
        (WhistleKind.routine, "2026-11-20 10:00", "2026-11-23 24:00", "2026-11-25 24:00"),
        # National Day: the 1-day check-in's last day (Oct 1) is a holiday: Thu 8 ends it;
        # Oct 1-7 skipped, Thu 8 and Fri 9 count, and Sat 10 is a make-up workday
        (WhistleKind.routine, "2026-09-30 10:00", "2026-10-08 24:00", "2026-10-10 24:00"),
    ],
)
def test_duty_deadlines_count_from_the_summons(
    kind: WhistleKind, summoned: str, check_in_by: str, report_by: str
):
    def at(text: str) -> datetime:
        if text.endswith(" 24:00"):  # the end of that day
            return at(text.replace(" 24:00", " 00:00")) + timedelta(days=1)
        return datetime.fromisoformat(text).replace(tzinfo=CST)

    check_in, report = duty_deadlines(
        at(summoned), DEFAULT_WHISTLE_POLICY.kinds[kind], factories.DEFAULT_POLICY.after
    )

    assert (check_in, report) == (at(check_in_by), at(report_by))


# --- the duty state machine ----------------------------------------------------------------

LEGAL = [
    (S.summoned, E.check_in, S.checked_in),
    (S.summoned, E.check_in_overdue, S.missed),
    (S.summoned, E.decline, S.declined),
    (S.checked_in, E.report, S.reported),
    (S.checked_in, E.report_overdue, S.missed),
    (S.checked_in, E.decline, S.declined),
    (S.missed, E.supervise, S.supervised),
    (S.declined, E.uphold, S.excused),
    (S.declined, E.overrule, S.supervised),
    (S.supervised, E.check_in, S.supervised),
    (S.supervised, E.report, S.reported),
]


@pytest.mark.parametrize(("state", "event", "after"), LEGAL)
def test_legal_moves(state: DutyState, event: DutyEvent, after: DutyState):
    assert next_state(state, event) is after


def test_the_table_is_exactly_the_legal_moves():
    assert {(s, e): a for s, e, a in LEGAL} == TRANSITIONS


ILLEGAL = [
    (s, e) for s in DutyState for e in DutyEvent if (s, e) not in {(s, e) for s, e, _ in LEGAL}
]


@pytest.mark.parametrize(("state", "event"), ILLEGAL)
def test_illegal_moves_name_the_transition(state: DutyState, event: DutyEvent):
    with pytest.raises(ValueError) as info:
        next_state(state, event)

    assert f"illegal duty transition: {event.value} from {state.value}" in str(info.value)


@pytest.mark.parametrize(
    ("state", "event", "hint"),
    [
        (S.reported, E.check_in, "none, the duty is final"),
        (S.excused, E.report, "none, the duty is final"),
        (S.summoned, E.summon, "blow a new whistle"),
        (S.missed, E.report, "allowed: supervise"),
        (S.supervised, E.decline, "allowed: check_in, report"),
        (S.summoned, E.report, "allowed: check_in, check_in_overdue, decline"),
    ],
)
def test_illegal_moves_say_what_is_allowed(state: DutyState, event: DutyEvent, hint: str):
    with pytest.raises(ValueError, match=hint):
        next_state(state, event)


def test_no_state_is_reached_again():
    """The ledger relies on this: apart from the self-move, no path leads back to a state."""
    edges = {(s, a) for (s, _), a in TRANSITIONS.items() if s is not a}

    def reachable(start: DutyState) -> set[DutyState]:
        seen: set[DutyState] = set()
        todo = [start]
        while todo:
            here = todo.pop()
            for after in {a for s, a in edges if s is here} - seen:
                seen.add(after)
                todo.append(after)
        return seen

    for state in DutyState:
        assert state not in reachable(state)
    for state in FINAL_STATES:
        assert reachable(state) == set()


# --- duty writes ---------------------------------------------------------------------------

AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("event", "needs"),
    [
        (E.summon, "unit, whistle_kind, check_in_by, report_by"),
        (E.report, "result"),
        (E.decline, "declined_reason"),
        (E.uphold, "ruling"),
        (E.overrule, "ruling"),
    ],
)
def test_a_write_needs_what_its_event_records(event: DutyEvent, needs: str):
    with pytest.raises(ValidationError, match=f"a {event.value} write needs {needs}"):
        DutyWrite(case_id="C", whistle_seq=1, department="labour", seq=1, event=event, at=AT)


@pytest.mark.parametrize("event", [E.check_in, E.check_in_overdue, E.supervise])
def test_a_write_of_a_plain_move_needs_nothing_more(event: DutyEvent):
    DutyWrite(case_id="C", whistle_seq=1, department="labour", seq=2, event=event, at=AT)


@pytest.mark.parametrize(
    ("event", "details", "stray"),
    [
        (E.check_in, {"result": "done"}, "result"),
        (E.decline, {"declined_reason": "not ours", "ruling": "x"}, "ruling"),
        (E.report, {"result": "done", "unit": "Haibei Street"}, "unit"),
        (E.supervise, {"findings": "f", "actions": "a"}, "actions, findings"),
    ],
)
def test_a_write_carries_only_its_events_details(event: DutyEvent, details: dict, stray: str):
    with pytest.raises(ValidationError, match=f"a {event.value} write does not carry {stray}"):
        DutyWrite(
            case_id="C", whistle_seq=1, department="labour", seq=2, event=event, at=AT, **details
        )


def test_a_report_may_carry_findings_and_actions():
    write = DutyWrite(
        case_id="C",
        whistle_seq=1,
        department="labour",
        seq=3,
        event=E.report,
        at=AT,
        findings="f",
        actions="a",
        result="r",
    )
    assert (write.findings, write.actions, write.result) == ("f", "a", "r")
