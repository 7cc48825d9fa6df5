"""What a procedure's workflow takes and returns: its start, an action on it, its end.

Each workflow, activity and update takes one model and returns one. The start carries the
procedure table and the counting in force when the matter opened, so an edit of
`procedures/*.toml` (or of the calendar) never changes a running matter, nor its replay.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from domain.actions import Actor
from domain.calendar import WEEKENDS_ONLY
from domain.case_models import CaseStatus
from domain.durations import parse_duration
from domain.intake_models import CaseIntake
from domain.petition import Earlier
from domain.policy import Policy
from domain.procedure import Act, Counting, Fact, Run
from domain.procedure import check as engine_check
from domain.procedure_table import ProcedureTable
from domain.risk import RiskColour
from domain.storable import unstorable_why
from texts import Lang


class ProcedureStart(BaseModel):
    """A matter's workflow input: the procedure table it runs (a 信访 matter, the court road,
    labour arbitration) and the state it starts in."""

    case_id: str
    intake: CaseIntake
    table: ProcedureTable
    #: One of the table's `starts_in`.
    state: str
    counting: Counting = Field(default_factory=Counting)
    policy_name: str
    #: Graded at intake on the policy's amounts (三色); a red matter is reported up at once.
    risk: RiskColour = RiskColour.green
    lang: Lang = Lang.zh


class ProcedureInput(BaseModel):
    """An action on a procedure: one of its table's actions, or `extend` a window, `pause` /
    `resume` the clock for a reason that does not count."""

    model_config = ConfigDict(extra="forbid")

    actor: Actor
    action: str = Field(min_length=1, max_length=64)
    #: When it happened, if before now: the day the petitioner received a reply.
    happened_at: datetime | None = None
    facts: dict[str, Fact] = Field(default_factory=dict)
    window: str | None = None
    reason: str | None = None

    @field_validator("facts", mode="before")
    @classmethod
    def _facts_text(cls, value: object) -> object:
        # A form sends the facts as one line: "opinion=support; consent=true".
        return parse_facts(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _storable(self) -> ProcedureInput:
        texts = [self.action, self.window or "", self.reason or "", *map(str, self.facts)]
        texts += [v for v in self.facts.values() if isinstance(v, str)]
        for text in texts:
            if why := unstorable_why(text):
                raise ValueError(why)
        if self.happened_at is not None and self.happened_at.utcoffset() is None:
            raise ValueError("happened_at needs a time-zone offset")
        return self

    def act(self, at: datetime, *, as_actor: bool = False) -> Act:
        """The engine's act at `at`; `as_actor` carries the actor's role, for the check of
        who may take the step (the validator's: the workflow applies what it accepted, so a
        history from before the roles were checked replays as it ran)."""
        return Act(
            action=self.action, at=at, happened_at=self.happened_at, facts=self.facts,
            window=self.window, reason=self.reason,
            role=self.actor.role if as_actor else None,
        )  # fmt: skip


#: A dispute case's labour arbitration steps as its table's actions (the application starts
#: the run in `applied`).
ARBITRATION_ACTIONS = {"accepted": "accept", "extended": "extend", "award": "award"}


def arbitration_act(step: str, wage_months: float | None, at: datetime) -> Act:
    """A case's arbitration step as the engine's act (`extended`: the award's window)."""
    facts: dict[str, Fact] = {} if wage_months is None else {"wage_months": wage_months}
    window = "award" if step == "extended" else None
    return Act(action=ARBITRATION_ACTIONS[step], at=at, facts=facts, window=window)


#: A dispute case's judicial confirmation steps as its table's actions (the agreement starts
#: the run in `agreement`; `extended` is the court decision's one extension).
CONFIRMATION_ACTIONS = {
    "applied": "apply", "accepted": "accept", "extended": "extend",
    "confirmed": "confirm", "rejected": "reject",
}  # fmt: skip


def confirmation_act(step: str, at: datetime) -> Act:
    """A case's judicial confirmation step as the engine's act."""
    window = "court_decide" if step == "extended" else None
    return Act(action=CONFIRMATION_ACTIONS[step], at=at, window=window)


def fact_value(text: str) -> Fact:
    """'8' -> 8, '0.5' -> 0.5, 'true' -> True; any other text stays text."""
    if text in ("true", "false"):
        return text == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def parse_facts(text: str) -> dict[str, Fact]:
    """'opinion=support; wage_months=8' -> {'opinion': 'support', 'wage_months': 8}."""
    facts: dict[str, Fact] = {}
    for item in filter(None, (part.strip() for part in text.split(";"))):
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"{item!r}: write NAME=VALUE")
        facts[name.strip()] = fact_value(value.strip())
    return facts


def matter_status(*, final: bool, closed: bool) -> CaseStatus:
    """A procedure's matter as the ledger and the worklist know it: open while its table
    runs, resolved once final (a rating may still come), closed once closed."""
    if closed:
        return CaseStatus.closed
    return CaseStatus.resolved if final else CaseStatus.open


class ProcedureState(BaseModel):
    """What a step is checked against: the run as it stands, and the time it is taken."""

    run: Run
    now: datetime


def check_step(state: ProcedureState, start: ProcedureStart, action: ProcedureInput) -> None:
    """The catalogue's check of the `procedure` action: the engine's answer on the matter's
    table, who may take the step included (its `by`); ValueError with the reason (the
    article, or the role the step needs) when refused."""
    act = action.act(state.now, as_actor=True)
    why = engine_check(start.table, state.run, act, start.counting, start.lang)
    if why is not None:
        raise ValueError(why)


class EarlierQuery(BaseModel):
    case_id: str


class EarlierAnswer(BaseModel):
    earlier: Earlier | None = None


class ProcedureResult(BaseModel):
    case_id: str
    status: CaseStatus
    state: str
    closed_at: datetime


def start_state(intake: CaseIntake, table: ProcedureTable) -> str:
    """Where the matter starts: a 信访 office registers (信访工作条例 Art. 22), a body with the
    power to handle it answers itself (Art. 23 ¶2); on a road, the state the intake names.
    ValueError when the table cannot start there."""
    if intake.petition is not None:
        office = intake.petition.addressed_to.kind == "office"
        return "registered" if office else "received_by_body"
    assert intake.road is not None
    if intake.road.start not in table.starts_in:
        raise ValueError(
            f"road.start: {table.name} starts in one of {', '.join(table.starts_in)}, "
            f"not {intake.road.start!r}"
        )
    return intake.road.start


def counting_for(policy: Policy) -> Counting:
    """How a matter opened under `policy` counts: its calendar, its offset, its demo day."""
    return Counting(
        calendar=policy.calendar or WEEKENDS_ONLY,
        utc_offset_hours=policy.utc_offset_hours,
        day=parse_duration(policy.procedure_day) if policy.procedure_day else None,
        scaled_calendar=True,
    )
