"""The case as the workflow carries it: its file (state), events, and the status view.

Every workflow, activity, signal and update takes one of these models (or one of
`domain/actions.py`) and returns one, so the wire format is explicit and versioned with the
code. Pure: no Temporal, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field, PrivateAttr, field_serializer, field_validator

from domain.actions import Actor, OutcomeInput, VisitResult
from domain.intake_models import CaseIntake, Location, RiskFlag
from domain.ladder import Level
from domain.lifecycle import FINISHED, ON_THE_LADDER, CaseStatus
from domain.policy import Policy
from domain.procedure import ProcedureView, Run
from domain.procedure_table import ProcedureTable
from domain.risk import RiskColour
from domain.shared import shared
from texts import Lang

# Re-exported: the update inputs live in domain.actions, the statuses in domain.lifecycle.
__all__ = ["FINISHED", "ON_THE_LADDER", "Actor", "CaseStatus", "OutcomeInput"]


class Assignee(BaseModel):
    """The handler a level gives a case to, from the roster."""

    name: str
    unit: str
    role: str


class CaseEvent(BaseModel):
    """One entry of the case's history; `seq` is its idempotency key in the ledger."""

    seq: int
    at: datetime
    kind: str
    level: Level
    summary: str
    actor: Actor | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    #: On the history of a case another was merged into: the merged case this event is from
    #: (ledger/cases.py). Never set by a workflow, and left out of the JSON when None, so a
    #: workflow's payloads are what they were.
    from_case: str | None = Field(default=None, exclude_if=lambda v: v is None)


class Transfer(BaseModel):
    to_unit: str
    requested_at: datetime
    answer_by: datetime
    reason: str


class Visit(BaseModel):
    """A return visit (回访): due at `due_at`, overdue after `overdue_at`."""

    visit: Literal["satisfaction", "performance"]
    due_at: datetime
    overdue_at: datetime
    attempt: int = 1
    result: VisitResult | None = None
    flagged_overdue: bool = False


class Whistle(BaseModel):
    """A whistle (吹哨) and where each summoned department's duty (报到) stands."""

    seq: int
    kind: str
    blown_at: datetime
    reason: str
    #: department code -> its duty's state (domain.whistle.DutyState values).
    duties: dict[str, str] = Field(default_factory=dict)
    #: Codes no department serves at this township or county: recorded, not summoned.
    missing: list[str] = Field(default_factory=list)
    answered: bool = False


class Mediation(BaseModel):
    """The mediation track the case is on (三调联动), and its clock."""

    track: str
    department: str | None = None
    started_at: datetime
    #: The track's time limit; None in labour arbitration until a party applies.
    due_at: datetime | None
    why: str
    #: Labour arbitration: the party's application (the committee's 5 days run from it)...
    applied_at: datetime | None = None
    #: ...and when the committee accepted (the award's clock starts then).
    accepted_at: datetime | None = None
    #: After an award: the 15 days to sue (劳动争议调解仲裁法 Arts. 48, 50), then final.
    sue_by: datetime | None = None
    award_final: bool = False
    flagged_overdue: bool = False
    history: list[str] = Field(default_factory=list)
    #: Extensions granted on this track (with both parties' consent).
    extensions: list[str] = Field(default_factory=list)
    #: Labour arbitration or court-referred mediation on the procedure engine (the case's
    #: `arbitration` or `court` table): where it stands, its windows; the fields above mirror
    #: it. None for another track, or a case started (or applied) before.
    procedure: Run | None = None


class Confirmation(BaseModel):
    """Judicial confirmation (司法确认) of a mediation agreement, step by step."""

    agreement_at: datetime
    apply_by: datetime
    remind_at: datetime
    reminded: bool = False
    applied_at: datetime | None = None
    accept_by: datetime | None = None
    accepted_at: datetime | None = None
    decide_by: datetime | None = None
    flagged: list[str] = Field(default_factory=list)
    outcome: Literal["confirmed", "rejected", "lapsed"] | None = None
    #: On the procedure engine (the case's `confirmation` table): where it stands, its
    #: windows; the fields above mirror it. None for a case started before.
    procedure: Run | None = None


#: How many of its latest events a case keeps in workflow state (for the query and the UI);
#: the ledger holds them all, so the state stays small however long the case runs.
RECENT_EVENTS = 30


class LevelClock(BaseModel):
    """The clock of the level the case is at: its deadline, warnings, pauses, extensions."""

    started_at: datetime
    due_at: datetime | None = None
    budget: str | None = None
    moved_by: list[str] = Field(default_factory=list)
    extended: timedelta = timedelta(0)
    warnings: list[str] = Field(default_factory=list)
    paused_since: datetime | None = None
    pause_reason: str | None = None
    paused_this_level: timedelta = timedelta(0)
    #: Paused time over the whole case, every level.
    paused_total: timedelta = timedelta(0)
    #: Under county supervision: the deadline that passed (the case is overdue since).
    overdue_since: datetime | None = None


class FollowUpState(BaseModel):
    """After a resolution: where and when it was resolved, its return visits, reopenings."""

    resolved_level: Level | None = None
    resolved_at: datetime | None = None
    reopen_count: int = 0
    visits: list[Visit] = Field(default_factory=list)


class CaseFile(BaseModel):
    """Everything the workflow knows about a case, grouped by the part that keeps it;
    carried whole across continue-as-new. Only the latest events are kept here."""

    case_id: str
    risk: RiskColour
    risk_flags: list[RiskFlag]
    units: dict[Level, str]
    status: CaseStatus = CaseStatus.open
    level: Level
    assignee: Assignee | None = None
    #: A yellow or red case's lead at the township (包案): a leader, or the party secretary.
    lead: Assignee | None = None
    opened_at: datetime
    closed_at: datetime | None = None
    clock: LevelClock
    transfer: Transfer | None = None
    follow_up: FollowUpState = Field(default_factory=FollowUpState)
    whistles: list[Whistle] = Field(default_factory=list)
    mediation: Mediation | None = None
    confirmation: Confirmation | None = None
    #: The campaign windows (专项行动) the case has entered, by name, and their milestones it
    #: has met ("campaign/milestone"): each is acted on once (workflows/case/campaigns.py).
    campaigns: list[str] = Field(default_factory=list)
    milestones_met: list[str] = Field(default_factory=list)
    #: The latest `RECENT_EVENTS` events; `last_seq` numbers the next one.
    recent: list[CaseEvent] = Field(default_factory=list)
    last_seq: int = 0
    #: Runs of this workflow so far (continue-as-new keeps one case across several).
    runs: int = 1
    #: The time a check is made at (the workflow's now, `as_of`): never stored or sent.
    _as_of: datetime | None = PrivateAttr(default=None)

    def at(self, now: datetime) -> CaseFile:
        """The file to check a step against at `now`: a step's check reads the case's time
        windows as of the moment it would be applied, not as of the case's last step."""
        checked = self.model_copy()
        checked._as_of = now
        return checked

    @property
    def as_of(self) -> datetime | None:
        """The time `at` gave: None for a file checked outside a workflow."""
        return self._as_of

    def location(self) -> Location:
        """Where the case is, unit by unit (a transfer may have changed one)."""
        u = self.units
        return Location(
            county=u[Level.county],
            township=u[Level.township],
            village=u[Level.village],
            grid=u[Level.grid],
        )


class CaseStart(BaseModel):
    """Workflow input: the intake record plus the policy in force when it arrived.

    `file` is set when the case continues as new: the new run picks up where it left off.
    """

    case_id: str
    intake: CaseIntake
    policy: Policy
    file: CaseFile | None = None
    #: Continue as new once the history is this long (Temporal Cloud warns at 10,240 events).
    history_limit: int = 5_000
    #: The language of the texts the case records and shows (summaries, the Web UI's details),
    #: fixed when it starts like the policy, so a replay reads the same. None: a case started
    #: before cases had a language; its texts were English and stay so.
    lang: Lang | None = None
    #: The labour arbitration table in force when the case started (procedures/
    #: labour_arbitration.toml): its windows, extension and expiry routes run the case's
    #: arbitration track on the engine. None: a case started before, on the old clocks.
    arbitration: ProcedureTable | None = None
    #: The judicial confirmation table in force when the case started (procedures/
    #: judicial_confirmation.toml): its windows, extension and expiry run the case's judicial
    #: confirmation on the engine. None: a case started before, on the policy's clocks.
    confirmation: ProcedureTable | None = None
    #: Court-referred mediation's part of the court table in force when the case started
    #: (procedures/court.toml: windows `pre_filing`, `entrusted`, `entrusted_simplified`;
    #: domain/court_mediation.py): its windows, extension and expiry run the case's judicial
    #: tracks on the engine. None: a case started before, or a labour dispute (arbitration
    #: comes before any court), on the policy's limits.
    court: ProcedureTable | None = None

    @property
    def text_lang(self) -> Lang:
        return self.lang or Lang.en

    @field_validator("policy", mode="after")
    @classmethod
    def _one_copy_per_process(cls, policy: Policy) -> Policy:
        # Thousands of cases in a worker's cache hold a few distinct policies: one copy each.
        return shared(policy)

    @field_serializer("arbitration", "confirmation", "court", when_used="json-unless-none")
    def _compact_table(self, table: ProcedureTable) -> dict[str, Any]:
        # Every case's start carries its tables: what the table file leaves at its default
        # (empty lists, no extension) is left out, a third less, and read back the same.
        return table.model_dump(mode="json", exclude_defaults=True)

    @field_validator("arbitration", "confirmation", "court", mode="after")
    @classmethod
    def _one_table_per_process(cls, table: ProcedureTable | None) -> ProcedureTable | None:
        return None if table is None else shared(table)


class CaseView(BaseModel):
    """What `starter.py status` prints and the workflow's `view` query returns."""

    case_id: str
    workflow_id: str
    title: str
    dispute_type: str
    complexity: str
    risk: RiskColour
    location: Location
    status: CaseStatus
    level: Level
    assignee: Assignee | None
    #: A yellow or red case's lead at the township (包案).
    lead: Assignee | None = None
    due_at: datetime | None
    #: Time left at this level as of the case's last step (frozen while paused). A query
    #: cannot see the time it is read at: `domain.time_left` gives it as of now.
    remaining_seconds: float | None
    #: Under supervision: since when the case is overdue (the county deadline that passed).
    overdue_since: datetime | None = None
    #: How long overdue as of reading (`domain.time_left`; None from the query itself).
    overdue_seconds: float | None = None
    budget: str | None
    deadline_moved_by: list[str]
    extended_seconds: float
    paused_since: datetime | None
    pause_reason: str | None
    paused_total_seconds: float
    warnings_raised: list[str]
    transfer: Transfer | None
    visits: list[Visit]
    whistles: list[Whistle] = Field(default_factory=list)
    mediation: Mediation | None = None
    confirmation: Confirmation | None = None
    #: A statutory procedure the matter runs on (a 信访 matter: `procedures/petition.toml`).
    procedure: ProcedureView | None = None
    opened_at: datetime
    closed_at: datetime | None
    policy: str
    runs: int
    #: The latest events (at most `RECENT_EVENTS`); the ledger has the whole history, which
    #: `starter.py status` reads from there.
    events: list[CaseEvent]


class CaseResult(BaseModel):
    """Workflow result: how and where the case ended."""

    case_id: str
    status: CaseStatus
    level: Level
    closed_at: datetime


#: Who leads a yellow or red case at the township (包案), by risk colour: a member of the
#: township's leadership team, or the party secretary. Never picked as a handler.
LEAD_FOR = {RiskColour.yellow: "leader", RiskColour.red: "secretary"}
LEAD_ROLES = frozenset(LEAD_FOR.values())
