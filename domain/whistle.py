"""Whistle and report (街乡吹哨、部门报到): who is summoned, by when, and when the case moves on.

A township that cannot solve a matter alone "blows the whistle"; the departments it names must
check in (报到) before a deadline and then file their part. The policy may blow the whistle
itself for some dispute types and risk colours. The times and quorums are local practice, so
they are data: a `[whistle]` table in a policy file, with DEFAULT_WHISTLE when there is none.

Pure: no I/O, no clock. Each summoned department's duty is a small state machine
(`next_state`); the ledger activity (activities/departments.py) only ever applies its moves.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StringConstraints,
    field_validator,
    model_validator,
)

from domain.calendar import Deadline
from domain.durations import Budget
from domain.intake_models import DisputeType
from domain.policy_files import build_table, load_toml
from domain.risk import RiskColour

#: A department's code: what a whistle names and what the `departments` table is keyed on.
DEPARTMENT_CODE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"
DepartmentCode = Annotated[str, StringConstraints(pattern=DEPARTMENT_CODE_PATTERN)]
#: The same, for a check: `DEPARTMENT_CODE.fullmatch(text)`.
DEPARTMENT_CODE = re.compile(DEPARTMENT_CODE_PATTERN)


#: The departments a whistle may name: those with a name people read (texts/terms.py), which the
#: `departments` table serves per township or county. A policy's own whistles may add more.
NAMED_DEPARTMENTS = (
    "police_station",
    "judicial_office",
    "market_supervision",
    "comprehensive_enforcement",
    "judge_station",
    "labour",
    "natural_resources",
)


def known_departments(policy: WhistlePolicy) -> list[str]:
    """Every department code a whistle of this policy may name."""
    extra = [code for rule in policy.auto for code in rule.departments]
    return list(dict.fromkeys([*NAMED_DEPARTMENTS, *extra]))


class WhistleKind(StrEnum):
    routine = "routine"  # 日常哨
    hard_case = "hard_case"  # 攻坚哨
    emergency = "emergency"  # 应急哨


class Department(BaseModel):
    """One department serving one unit: the township's own station, or the county's bureau."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: DepartmentCode
    name: str
    #: The township or county name it serves (the `unit` column).
    unit: str
    #: Which kind of unit that is: a township has its own station, else the county's comes.
    kind: Literal["township", "county"]


Quorum = Literal["all"] | Annotated[StrictInt, Field(ge=1)]


class WhistleKindPolicy(BaseModel):
    """Deadlines and quorum of one kind of whistle. Both deadlines count from the summons,
    so a department that checks in late does not gain time to report."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    check_in: str
    report: str
    #: "all" required departments must report, or at least this many of them.
    quorum: Quorum = "all"

    @field_validator("check_in", "report")
    @classmethod
    def _parseable(cls, text: str) -> str:
        Budget.parse(text)
        return text

    @model_validator(mode="after")
    def _check_in_before_report(self) -> WhistleKindPolicy:
        # Only comparable when both count the same way (hours vs working days are not).
        check_in, report = Budget.parse(self.check_in), Budget.parse(self.report)
        if check_in.calendar is not None and report.calendar is not None:
            if check_in.calendar > report.calendar:
                raise ValueError(f"check_in {self.check_in} is later than report {self.report}")
        elif check_in.working_days is not None and report.working_days is not None:
            if check_in.working_days > report.working_days:
                raise ValueError(f"check_in {self.check_in} is later than report {self.report}")
        return self


class AutoWhistle(BaseModel):
    """A whistle the policy blows by itself for these dispute types at these risk colours."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dispute_types: Annotated[list[DisputeType], Field(min_length=1)]
    risk: Annotated[list[RiskColour], Field(min_length=1)]
    kind: WhistleKind
    departments: Annotated[list[DepartmentCode], Field(min_length=1)]

    @field_validator("departments")
    @classmethod
    def _unique(cls, codes: list[str]) -> list[str]:
        # A department named twice would be summoned twice under one whistle.
        return list(dict.fromkeys(codes))


class WhistlePolicy(BaseModel):
    """The `[whistle]` table: every kind's deadlines and quorum, and the automatic whistles."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: dict[WhistleKind, WhistleKindPolicy]
    #: Checked in order; the first rule that matches blows.
    auto: list[AutoWhistle] = Field(default_factory=list)

    @field_validator("kinds")
    @classmethod
    def _every_kind(
        cls, kinds: dict[WhistleKind, WhistleKindPolicy]
    ) -> dict[WhistleKind, WhistleKindPolicy]:
        # A missing kind would fail only when a handler blows that whistle, mid-case.
        for kind in WhistleKind:
            if kind not in kinds:
                raise ValueError(f"missing kinds.{kind.value}")
        return kinds


#: Used when a policy has no `[whistle]` table, and for each key a table leaves out.
DEFAULT_WHISTLE: dict[str, Any] = {
    "kinds": {
        # Pinggu's rule: "departments arrive within 30 minutes" and stay until it is done
        # (事不完，人不走); 4 h to file their part keeps the same day's clock.
        "emergency": {"check_in": "30m", "report": "4h", "quorum": "all"},
        # A hard case (攻坚) is a joint push on a stuck matter: half a working day to arrive,
        # a working week to report. Two reports let the case move on rather than wait for the
        # slowest department; the others stay summoned and are supervised if they miss.
        "hard_case": {"check_in": "4h", "report": "5wd", "quorum": 2},
        # An everyday matter the street cannot do alone: next day, and three working days.
        "routine": {"check_in": "1d", "report": "3wd", "quorum": "all"},
    },
    "auto": [
        {
            # Land acquisition and relocation at red are the named high-risk matters: the
            # land authority, enforcement and the police act together.
            "dispute_types": ["land_acquisition", "relocation"],
            "risk": ["red"],
            "kind": "hard_case",
            "departments": ["natural_resources", "comprehensive_enforcement", "police_station"],
        },
        {
            # Red wage arrears (a group of migrant workers, a holiday coming): the labour
            # bureau has the inspection powers, the police keep order, the judicial office
            # mediates.
            "dispute_types": ["wages", "labour"],
            "risk": ["red"],
            "kind": "hard_case",
            "departments": ["labour", "police_station", "judicial_office"],
        },
    ],
}


def whistle_policy(table: dict[str, Any] | None) -> WhistlePolicy:
    """The policy from a `[whistle]` table. A kind the table leaves out, or a key inside a
    kind, keeps its default; `auto`, when given, replaces the default rules as a whole."""
    table = dict(table or {})
    given_kinds = table.pop("kinds", {})
    if not isinstance(given_kinds, dict):
        raise ValueError("kinds: expected a table")
    kinds: dict[str, Any] = {}
    for name in dict.fromkeys([*DEFAULT_WHISTLE["kinds"], *given_kinds]):
        given = given_kinds.get(name, {})
        default = DEFAULT_WHISTLE["kinds"].get(name, {})
        # Not a table: left as it is, for the model to reject with its key.
        kinds[name] = {**default, **given} if isinstance(given, dict) else given
    auto = table.pop("auto", DEFAULT_WHISTLE["auto"])
    return WhistlePolicy.model_validate({"kinds": kinds, "auto": auto, **table})


def parse_whistle_policy(text: str, *, source: str = "policy") -> WhistlePolicy:
    """The `[whistle]` table of a policy file; other tables are ignored. Errors name the key."""
    return build_table(load_toml(text, source=source), "whistle", whistle_policy, source=source)


DEFAULT_WHISTLE_POLICY = whistle_policy(None)


def auto_whistle(
    dispute_type: DisputeType, risk: RiskColour, policy: WhistlePolicy = DEFAULT_WHISTLE_POLICY
) -> tuple[WhistleKind, list[str]] | None:
    """The whistle the policy blows by itself for this case, or None: first matching rule."""
    for rule in policy.auto:
        if dispute_type in rule.dispute_types and risk in rule.risk:
            return rule.kind, list(rule.departments)
    return None


def quorum_met(
    kind_policy: WhistleKindPolicy,
    required: list[str],
    reported: set[str],
    declined_upheld: set[str],
) -> bool:
    """Whether enough of the required departments have reported for the case to move on.

    The rule: a department whose decline a supervisor upheld is excused — it leaves the
    denominator, because it was never the right department to summon. Of the rest, "all"
    means every one has reported; a number n means at least n have, capped at how many are
    left (if declines leave fewer than n, all of those must report). A department that
    reported counts even if it also declined; reports from departments the whistle did not
    require do not count. If every required department was excused nothing is owed: met.
    """
    required_set = set(required)
    counted = required_set & reported
    owed = required_set - (declined_upheld - reported)
    if kind_policy.quorum == "all":
        return counted >= owed
    return len(counted) >= min(kind_policy.quorum, len(owed))


def duty_deadlines(
    summoned_at: datetime,
    kind_policy: WhistleKindPolicy,
    after: Callable[[datetime, Budget], Deadline],
) -> tuple[datetime, datetime]:
    """(check in by, report by), both from the summons; `after` is the case policy's clock
    (`Policy.after`: its working-day calendar)."""
    check_in = after(summoned_at, Budget.parse(kind_policy.check_in)).due
    report = after(summoned_at, Budget.parse(kind_policy.report)).due
    return check_in, report


# --- a summoned department's duty ---------------------------------------------------------


class DutyState(StrEnum):
    summoned = "summoned"
    checked_in = "checked_in"
    reported = "reported"
    missed = "missed"
    declined = "declined"
    excused = "excused"
    supervised = "supervised"


class DutyEvent(StrEnum):
    summon = "summon"  # creates the duty; never a move
    check_in = "check_in"
    report = "report"
    check_in_overdue = "check_in_overdue"
    report_overdue = "report_overdue"
    decline = "decline"
    uphold = "uphold"  # a supervisor upholds a decline
    overrule = "overrule"  # a supervisor overrules it
    supervise = "supervise"  # the county puts a department that missed under supervision


S, E = DutyState, DutyEvent
#: Every legal move. Apart from the self-move below the graph has no cycles, so a state
#: can never come back: the ledger uses that to keep a late retry from rolling a duty back.
TRANSITIONS: dict[tuple[DutyState, DutyEvent], DutyState] = {
    (S.summoned, E.check_in): S.checked_in,
    (S.summoned, E.check_in_overdue): S.missed,
    (S.summoned, E.decline): S.declined,
    # Arrived but not filed in time: missing the report deadline is missing too.
    (S.checked_in, E.report): S.reported,
    (S.checked_in, E.report_overdue): S.missed,
    # Once there, a department may still find the matter is not within its remit.
    (S.checked_in, E.decline): S.declined,
    (S.missed, E.supervise): S.supervised,
    (S.declined, E.uphold): S.excused,
    # An overruled department owes its part and has already lost time: it is supervised
    # (督办) exactly like one that missed, so the case treats both alike.
    (S.declined, E.overrule): S.supervised,
    # Under supervision the department still arrives (recorded, state unchanged) and reports;
    # it may no longer decline: declining is for before the deadline.
    (S.supervised, E.check_in): S.supervised,
    (S.supervised, E.report): S.reported,
}
del S, E

#: States a duty never leaves.
FINAL_STATES = frozenset({DutyState.reported, DutyState.excused})


def next_state(state: DutyState, event: DutyEvent) -> DutyState:
    """The duty's state after `event`; ValueError naming the move if it is not allowed."""
    try:
        return TRANSITIONS[(state, event)]
    except KeyError:
        if event is DutyEvent.summon:
            raise ValueError(
                f"illegal duty transition: {event.value} from {state.value} "
                "(a department is summoned once per whistle; blow a new whistle)"
            ) from None
        allowed = sorted(e.value for (s, e) in TRANSITIONS if s is state)
        raise ValueError(
            f"illegal duty transition: {event.value} from {state.value} "
            f"(allowed: {', '.join(allowed) or 'none, the duty is final'})"
        ) from None
