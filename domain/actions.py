"""What people do to a case: one input model per update, each naming its actor.

Every action names who takes it (role, unit, name); `domain/authority.py` decides whether
that person may. Pure: no Temporal, no I/O.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from domain.durations import Budget
from domain.intake_models import RiskFlag
from domain.ladder import Level

# Who may act, by role, is data in domain/roles.py (re-exported for the modules that read
# the two role names from here).
from domain.roles import PARTY_ROLES, SUPERVISOR
from domain.storable import unstorable_why

__all__ = ["PARTY_ROLES", "SUPERVISOR"]


class Actor(BaseModel):
    """Who did something: a person in a role, at a unit (a grid id, village, township…)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    role: str = Field(min_length=1)
    unit: str | None = None


class _Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    actor: Actor

    @model_validator(mode="after")
    def _storable(self) -> _Action:
        # The ledger must be able to store every word of an action (a NUL would fail the
        # step's write for good): refused here, naming the field.
        fields = [(f"actor.{k}", v) for k, v in self.actor] + list(self)
        for name, value in fields:
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str) and (why := unstorable_why(text)):
                    raise ValueError(f"{name}: {why}")
        return self


def _says_why(what: str) -> AfterValidator:
    """A reason that must say something: its error names the action ("an extension …")."""
    return AfterValidator(lambda text: _needs_text(text, what))


def _budget_text(text: str) -> str:
    # As the policy writes it: "1天" arrives as "1d" (a text that is already so is unchanged).
    return Budget.parse(text).text


#: "12h", "2d", "3wd": a length of time as the policy writes it.
DurationText = Annotated[str, AfterValidator(_budget_text)]


def _needs_text(value: str | None, what: str) -> str:
    if not (value and value.strip()):
        raise ValueError(f"{what} must say why")
    return value.strip()


class OutcomeInput(_Action):
    """A handler's report on the case at its current level."""

    outcome: Literal["resolved", "failed"]
    #: The level the handler acts at; an outcome meant for an earlier level is refused.
    level: Level | None = None
    reason: str | None = None
    #: Free text of the settlement, e.g. the terms of a mediation agreement.
    agreement: str | None = None

    @model_validator(mode="after")
    def _failure_needs_reason(self) -> OutcomeInput:
        if self.outcome == "failed":
            _needs_text(self.reason, "reason: a failed outcome")
        return self


class PauseInput(_Action):
    reason: Literal["waiting_on_party", "appraisal", "hearing", "other"]
    note: str | None = None


class ResumeInput(_Action):
    note: str | None = None


class ExtendInput(_Action):
    """A supervisor at the level above grants more time at the current level."""

    by: DurationText
    reason: Annotated[str, _says_why("an extension")]


class EscalateInput(_Action):
    """The applicant asks to go up a level, or a supervisor pulls the case up to theirs."""

    reason: Annotated[str, _says_why("an escalation")]
    #: For a pull-up: the level to pull the case to (default: the supervisor's own).
    to_level: Level | None = None


class RegradeInput(_Action):
    """New risk flags for the case; its colour is graded again from them."""

    risk_flags: list[RiskFlag]
    reason: Annotated[str, _says_why("a re-grade")]


class TransferInput(_Action):
    """Hand the case to another unit at the same level (首接负责: ours until accepted)."""

    to_unit: str = Field(min_length=1)
    reason: Annotated[str, _says_why("a transfer")]


class TransferAnswer(_Action):
    """The receiving unit accepts, or objects with a reason."""

    accept: bool
    reason: str | None = None

    @model_validator(mode="after")
    def _objection_needs_reason(self) -> TransferAnswer:
        if not self.accept:
            _needs_text(self.reason, "an objection")
        return self


class WithdrawInput(_Action):
    reason: Annotated[str, _says_why("a withdrawal")]


class MergeInput(_Action):
    """This case is the same dispute as `into`, which goes on: this one ends as merged."""

    into: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
    reason: Annotated[str, _says_why("a merge")]


class LinkInput(_Action):
    """This case and `other` are related (a connected matter, or the same one come back after
    it was closed): both go on and each lists the other. The same dispute entered twice is
    merged instead (`MergeInput`)."""

    other: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._-]{1,64}$")]
    note: Annotated[str | None, StringConstraints(max_length=2000)] = None


class RefuseInput(_Action):
    """A party refuses mediation (People's Mediation Law Art. 17)."""

    reason: Annotated[str, _says_why("a refusal")]


VisitResult = Literal["satisfied", "dissatisfied", "agreement_broken", "flared_up", "unreachable"]


Satisfaction = Literal["satisfied", "basically_satisfied", "dissatisfied"]


class VisitInput(_Action):
    """A return visit's (回访) result, recorded by the grid worker. A reached satisfaction
    visit also asks the applicant the two questions of 12345's return visits: is it solved,
    and are you satisfied (解决率, 满意率)."""

    visit: Literal["satisfaction", "performance"]
    result: VisitResult
    note: str | None = None
    solved: bool | None = None
    satisfaction: Satisfaction | None = None


class ContactInput(_Action):
    """A handler's first (or any) contact with the applicant: the response rate's event."""

    channel: Literal["phone", "visit", "message", "other"] = "phone"
    note: str | None = None


# -- whistle and report, tri-linked mediation, judicial confirmation ----------------------


class WhistleInput(_Action):
    """The township (or county) blows the whistle: these departments must report (吹哨报到)."""

    kind: Literal["routine", "hard_case", "emergency"]
    departments: list[str] = Field(min_length=1)
    reason: Annotated[str, _says_why("a whistle")]


class TrackInput(_Action):
    """Move mediation to another track (三调联动): the parties' choice, a hand-off by the
    handler, or (with `to_track` None) the next track because this one failed."""

    to_track: str | None = None
    reason: Annotated[str, _says_why("a change of track")]


class ArbitrationInput(_Action):
    """Labour arbitration's steps: a party applies, the committee accepts the case (5 days
    from the application), extends, or awards."""

    step: Literal["applied", "accepted", "extended", "award"]
    award: str | None = None
    #: The award's amount in months of the local minimum wage: at most 12 (the table's
    #: threshold) it is final for the employer, the worker alone may sue (Arts. 47, 48).
    #: Needed for an award of a case whose arbitration runs on the procedure engine.
    wage_months: float | None = Field(default=None, ge=0, le=1200)

    @model_validator(mode="after")
    def _award_needs_text(self) -> ArbitrationInput:
        if self.step == "award":
            _needs_text(self.award, "an award")
        return self


class ConfirmationInput(_Action):
    """Judicial confirmation (司法确认): the parties apply, the court accepts, extends, decides."""

    step: Literal["applied", "accepted", "extended", "confirmed", "rejected"]
    note: str | None = None


class TrackExtendInput(_Action):
    """More time on the mediation track: the law asks for both parties' consent."""

    by: DurationText
    both_parties_consent: bool
    reason: Annotated[str, _says_why("an extension")]
