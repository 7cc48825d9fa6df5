"""Deadline policy: each level's budget, warnings, extensions, transfers and return visits.

The policy is data (`policy.toml`), parsed here into a frozen model. A case copies the
policy in force when it starts — with the slice of the working-day calendar it needs — so
editing either file later never changes a running case, nor its replay.
Pure: parsing takes text, deadlines take `start` from the caller (the workflow's clock).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.calendar import (
    WEEKENDS_ONLY,
    Deadline,
    WorkCalendar,
    add_calendar,
    add_days,
    add_working_days,
    add_working_time,
    working_time_between,
)
from domain.campaign import Campaign, resolve_times
from domain.confirmation import ConfirmationPolicy, confirmation_policy
from domain.durations import Budget, parse_duration
from domain.intake_models import Complexity, DisputeType, RiskFlag
from domain.ladder import LADDER, Level, next_level
from domain.mediation_policy import MediationPolicy, mediation_policy
from domain.policy_files import PolicyError, build_table, load_toml, problems
from domain.risk import RiskColour, grade
from domain.whistle import WhistlePolicy, whistle_policy
from texts import Lang

__all__ = ["Budget", "Policy", "PolicyError", "parse_duration", "parse_policy"]


def _durations_valid(table: dict[str, str], prefix: str, *, working_days: bool) -> None:
    for key, text in table.items():
        try:
            Budget.parse(text) if working_days else parse_duration(text)
        except ValueError as err:
            raise ValueError(f"{prefix}.{key}: {err}") from None


class Warnings(BaseModel):
    """Warn before breach, at fractions of the level's budget (红黄牌预警)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    yellow: float = Field(default=0.5, gt=0, lt=1)
    red: float = Field(default=0.8, gt=0, lt=1)

    @model_validator(mode="after")
    def _yellow_before_red(self) -> Warnings:
        # Inverted fractions would raise the red warning before the yellow one.
        if self.yellow >= self.red:
            raise ValueError(f"yellow ({self.yellow}) must be below red ({self.red})")
        return self


class ReturnVisits(BaseModel):
    """回访: visits after resolution, and when a bad result reopens the case."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: visit name -> how long after resolution it is due.
    schedule: dict[Literal["satisfaction", "performance"], str] = Field(
        default_factory=lambda: {"satisfaction": "1d", "performance": "30d"}
    )
    #: How long the grid worker has for a visit once it is due.
    window: str = "2d"
    #: An unreachable applicant is tried again this often, this many times.
    retry_after: str = "1d"
    retries: int = Field(default=2, ge=0)
    reopen_window: str = "90d"
    #: Reopen at the level that resolved the case, or one above it.
    reopen_at: Literal["same", "above"] = "same"

    @field_validator("schedule")
    @classmethod
    def _durations(cls, schedule: dict[str, str]) -> dict[str, str]:
        _durations_valid(schedule, "schedule", working_days=False)
        return schedule

    @field_validator("window", "retry_after", "reopen_window")
    @classmethod
    def _duration(cls, text: str) -> str:
        parse_duration(text)
        return text


class ResponseWindow(BaseModel):
    """How soon a handler must first contact the applicant (响应率), by the case's risk colour
    at opening: `default` for a colour not given (the `[response_window]` table)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    default: str = "24h"
    green: str | None = None
    yellow: str | None = None
    #: A red case is a risk of violence or of a mass incident: contact within hours.
    red: str | None = "2h"

    @field_validator("default", "green", "yellow", "red")
    @classmethod
    def _duration(cls, text: str | None) -> str | None:
        if text is not None:
            parse_duration(text)
        return text

    def of(self, colour: RiskColour) -> timedelta:
        return parse_duration(getattr(self, colour.value) or self.default)


class Policy(BaseModel):
    """A deadline policy, frozen into each case when it starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    #: China has no daylight saving, so a fixed offset renders local times exactly.
    utc_offset_hours: int = 8
    #: budgets[complexity][level] = "12h", "7d" (calendar) or "5wd" (working days).
    budgets: dict[Complexity, dict[Level, str]]
    #: Overrides per risk colour, e.g. red cases get 1 day at the township whatever their size.
    risk_budgets: dict[RiskColour, dict[Level, str]] = Field(default_factory=dict)
    #: Where a case of each risk colour opens on the ladder (重大事项直报: red to the township).
    opens_at: dict[RiskColour, Level] = Field(
        default_factory=lambda: {
            RiskColour.green: Level.grid,
            RiskColour.yellow: Level.grid,
            RiskColour.red: Level.township,
        }
    )
    yellow_amount_cny: float = 50_000
    red_amount_cny: float = 500_000
    warnings: Warnings = Field(default_factory=Warnings)
    #: Extensions at one level may add up to this fraction of its budget.
    extension_cap: float = Field(default=0.5, ge=0)
    #: How long a receiving unit has to object to a transfer (首接负责制).
    transfer_objection_window: str = "5wd"
    return_visits: ReturnVisits = Field(default_factory=ReturnVisits)
    response_window: ResponseWindow = Field(default_factory=ResponseWindow)
    #: How limits in days are counted: "law" (民法典 Arts. 201, 203: to 24:00 of the last day,
    #: past days off; docs/clocks.md) for every policy file parsed now; "elapsed" (days as
    #: elapsed time, working days to the clock time of the start) is what the frozen copy of a
    #: case started before that rule means, since it lacks the key: its replay is unchanged.
    day_count: Literal["law", "elapsed"] = "elapsed"
    #: How long one statutory day of a procedure's window runs (procedures/*.toml): None, as
    #: the law counts; a demo policy runs each day as a minute ("1m") to watch a matter.
    procedure_day: str | None = None
    #: The working-day calendar slice this case carries; None means weekends only.
    calendar: WorkCalendar | None = None
    #: The `[whistle]`, `[mediation]` and `[confirmation]` tables, parsed once; defaults fill
    #: what a file leaves out. A case started before they were typed carries None or the table
    #: as written: both still read (see `_table`).
    whistle: WhistlePolicy = Field(default_factory=lambda: whistle_policy(None))
    mediation: MediationPolicy = Field(default_factory=lambda: mediation_policy(None))
    confirmation: ConfirmationPolicy = Field(default_factory=lambda: confirmation_policy(None))
    #: Campaign windows (专项行动, `[[campaigns]]`; domain/campaign.py). A case started before
    #: they existed carries none, so its replay is unchanged.
    campaigns: list[Campaign] = Field(default_factory=list)

    @field_validator("whistle", "mediation", "confirmation", mode="before")
    @classmethod
    def _table(cls, value: Any, info) -> Any:
        builders = {
            "whistle": whistle_policy,
            "mediation": mediation_policy,
            "confirmation": confirmation_policy,
        }
        if value is None or isinstance(value, dict):
            return builders[info.field_name](value)
        return value

    @field_validator("budgets")
    @classmethod
    def _complete_and_parseable(
        cls, budgets: dict[Complexity, dict[Level, str]]
    ) -> dict[Complexity, dict[Level, str]]:
        for complexity in Complexity:
            levels = budgets.get(complexity)
            if levels is None:
                raise ValueError(f"missing [budgets.{complexity.value}]")
            for level in LADDER:
                if level not in levels:
                    raise ValueError(f"missing budgets.{complexity.value}.{level.value}")
            _durations_valid(
                {lv.value: t for lv, t in levels.items()},
                f"budgets.{complexity.value}",
                working_days=True,
            )
        return budgets

    @field_validator("risk_budgets")
    @classmethod
    def _risk_budgets_parseable(
        cls, table: dict[RiskColour, dict[Level, str]]
    ) -> dict[RiskColour, dict[Level, str]]:
        for colour, levels in table.items():
            _durations_valid(
                {lv.value: t for lv, t in levels.items()},
                f"risk_budgets.{colour.value}",
                working_days=True,
            )
        return table

    @field_validator("opens_at")
    @classmethod
    def _every_colour_opens_somewhere(
        cls, opens_at: dict[RiskColour, Level]
    ) -> dict[RiskColour, Level]:
        # A partial [opens_at] replaces the whole default; a missing colour would crash the
        # workflow (KeyError) when a case of that colour starts.
        for colour in RiskColour:
            if colour not in opens_at:
                raise ValueError(f"missing opens_at.{colour.value}")
        return opens_at

    @field_validator("procedure_day")
    @classmethod
    def _day_parseable(cls, text: str | None) -> str | None:
        if text is not None:
            parse_duration(text)
        return text

    @field_validator("transfer_objection_window")
    @classmethod
    def _window_parseable(cls, text: str) -> str:
        Budget.parse(text)
        return text

    def budget(
        self, complexity: Complexity, level: Level, risk: RiskColour = RiskColour.green
    ) -> Budget:
        """The level's budget: a risk colour's override wins over the complexity's."""
        text = self.risk_budgets.get(risk, {}).get(level) or self.budgets[complexity][level]
        return Budget.parse(text)

    def deadline(
        self,
        start: datetime,
        complexity: Complexity,
        level: Level,
        risk: RiskColour = RiskColour.green,
    ) -> Deadline:
        """When a level's time runs out for a case that reached it at `start`."""
        return self.after(start, self.budget(complexity, level, risk))

    def after(self, start: datetime, budget: Budget, lang: Lang = Lang.en) -> Deadline:
        """When `budget` from `start` runs out. One rule everywhere (民法典 Arts. 201, 203):
        a limit in days or working days ends at 24:00 local of its last day, a last calendar
        day that is a day off moving to the next working day; hours and minutes are exact.
        Why the deadline moved is written in `lang`."""
        calendar = self.calendar or WEEKENDS_ONLY
        offset, law = self.utc_offset_hours, self.day_count == "law"
        if budget.working_days is not None:
            return add_working_days(
                start, budget.working_days, calendar, utc_offset_hours=offset, end_of_day=law,
                lang=lang,
            )  # fmt: skip
        if budget.days is not None and law:
            return add_days(start, budget.days, calendar, utc_offset_hours=offset, lang=lang)
        assert budget.calendar is not None
        return add_calendar(start, budget.calendar)

    def resume_due(
        self, due_at: datetime, paused_at: datetime, resumed_at: datetime, budget: Budget
    ) -> datetime:
        """The due time of a clock stopped from `paused_at` to `resumed_at`: moved by the
        working time lost when `budget` counts working days (a pause over a weekend loses
        only its working hours), by the whole pause otherwise."""
        if resumed_at <= paused_at:
            return due_at
        if budget.working_days is None:
            return due_at + (resumed_at - paused_at)
        calendar, offset = self.calendar or WEEKENDS_ONLY, self.utc_offset_hours
        lost = working_time_between(paused_at, resumed_at, calendar, utc_offset_hours=offset)
        return add_working_time(due_at, lost, calendar, utc_offset_hours=offset)

    def risk_of(
        self, flags: list[RiskFlag], dispute_type: DisputeType, amount_cny: float | None
    ) -> RiskColour:
        """A case's risk colour (三色), graded on this policy's amount thresholds."""
        return grade(
            flags, dispute_type, amount_cny,
            yellow_amount=self.yellow_amount_cny, red_amount=self.red_amount_cny,
        )  # fmt: skip

    def reopen_level(self, resolved_at: Level) -> Level:
        if self.return_visits.reopen_at == "above":
            return next_level(resolved_at) or resolved_at
        return resolved_at

    def local(self, moment: datetime) -> datetime:
        """`moment` shown in the policy's local time (Beijing time by default)."""
        return moment.astimezone(timezone(timedelta(hours=self.utc_offset_hours)))


#: Policy keys that held statutory lengths, now read from a procedure table (procedures/),
#: the one place every statutory window comes from: their path in a policy file -> what they
#: timed, the table, and where in it. The model keeps the fields for cases started before
#: (their frozen copy carries them, and those cases replay on them); a policy file may not set
#: them. `[confirmation] remind_before` and the other tracks' limits stay the county's.
_ARBITRATION = ("labour arbitration", "labour_arbitration.toml")
_CONFIRMATION = ("judicial confirmation", "judicial_confirmation.toml")
_COURT = ("court-referred mediation", "court.toml")
_MOVED_TO_TABLES: dict[tuple[str, ...], tuple[str, str, str]] = {
    ("mediation", "arbitration_accept"): (*_ARBITRATION, "windows.accept.length"),
    ("mediation", "arbitration_appeal"): (
        *_ARBITRATION,
        "windows.sue.length / windows.worker_sue.length",
    ),
    ("mediation", "limits", "labour_arbitration"): (*_ARBITRATION, "windows.award.length"),
    ("mediation", "extensions", "labour_arbitration"): (*_ARBITRATION, "windows.award.extension"),
    ("confirmation", "apply_within"): (*_CONFIRMATION, "windows.apply.length"),
    ("confirmation", "accept"): (*_CONFIRMATION, "windows.court_accept.length"),
    ("confirmation", "decide"): (*_CONFIRMATION, "windows.court_decide.length"),
    ("confirmation", "decide_extension"): (*_CONFIRMATION, "windows.court_decide.extension"),
    **{
        ("mediation", table, track): (*_COURT, f"windows.{window}.{part}")
        for table, part in (("limits", "length"), ("extensions", "extension"))
        for track, window in (
            ("judicial_pre_filing", "pre_filing"),
            ("judicial_post_filing", "entrusted"),
            ("judicial_simplified", "entrusted_simplified"),
        )
    },
}


def _no_statutory_lengths(data: dict, source: str) -> None:
    """Refuse a policy file that sets a length a procedure table now holds, naming the table."""
    for path, (what, table, where) in _MOVED_TO_TABLES.items():
        node: object = data
        for key in path:
            node = node.get(key) if isinstance(node, dict) and key in node else _ABSENT
        if node is not _ABSENT:
            raise PolicyError(
                f"{source}: {'.'.join(path)}: {what}'s windows are read from its procedure "
                f"table; a county changes them in procedures/{table} ({where})"
            )


_ABSENT = object()


def parse_policy(text: str, *, source: str = "policy", now: datetime | None = None) -> Policy:
    """Parse policy TOML; errors name the file and the key that is wrong. `now` (when the
    file is read) places a campaign's relative times ("+3m", a demo's); without it they are
    refused."""
    data = load_toml(text, source=source)
    if "campaigns" in data:
        try:
            offset = data.get("utc_offset_hours", 8)
            offset = offset if isinstance(offset, int) else 8
            data["campaigns"] = resolve_times(data["campaigns"], utc_offset_hours=offset, now=now)
        except ValueError as err:
            raise PolicyError(f"{source}: campaigns: {err}") from None
    # A policy read now counts days as the law does; only old frozen copies lack the key.
    data.setdefault("day_count", "law")
    _no_statutory_lengths(data, source)
    # The optional tables first, so that their errors name the table and the key.
    build_table(data, "whistle", whistle_policy, source=source)
    build_table(data, "mediation", mediation_policy, source=source)
    build_table(data, "confirmation", confirmation_policy, source=source)
    try:
        return Policy.model_validate(data)
    except ValidationError as err:
        raise PolicyError(f"{source}: {problems(err)}") from None
