"""Deadline policy: each level's budget, warnings, extensions, transfers and return visits.

The policy is data (`policy.toml`), parsed here into a frozen model. A case copies the
policy in force when it starts — with the slice of the working-day calendar it needs — so
editing either file later never changes a running case, nor its replay.
Pure: parsing takes text, deadlines take `start` from the caller (the workflow's clock).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from domain.calendar import Deadline, WorkCalendar, add_calendar, add_working_days
from domain.intake_models import Complexity, DisputeType, RiskFlag
from domain.ladder import LADDER, Level, next_level
from domain.risk import RiskColour, grade

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|wd)\s*$")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


T = TypeVar("T")


class PolicyError(ValueError):
    """The policy file is unreadable or breaks a rule; the message names the key."""


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '12h', '7d', '0.5d' -> timedelta. Days are calendar days; at most
    `Budget.MAX_CALENDAR_DAYS` (a typo such as 3000000d is refused here, not overflowed later)."""
    match = _DURATION.match(text)
    if not match or match.group(2) == "wd":
        raise ValueError(f"{text!r} is not a duration like '30m', '12h' or '7d'")
    amount, unit = float(match.group(1)), match.group(2)
    if amount * _SECONDS[unit] > Budget.MAX_CALENDAR_DAYS * 86400:
        raise ValueError(f"{text!r} is too long: at most {Budget.MAX_CALENDAR_DAYS}d (ten years)")
    value = timedelta(**{_UNIT[unit]: amount})
    if value <= timedelta(0):
        raise ValueError(f"{text!r} must be longer than zero")
    return value


class Budget(BaseModel):
    """A level's time: calendar time, or whole working days on the China calendar."""

    model_config = ConfigDict(frozen=True)

    text: str
    working_days: int | None = None
    calendar: timedelta | None = None

    #: The longest budget, extension or window anyone may give: ten years. Bounded here, where
    #: every duration is parsed, so a typo (3000000d) is refused with a message instead of
    #: overflowing the date arithmetic (or counting working days for ages) in a workflow.
    MAX_CALENDAR_DAYS: ClassVar[int] = 3653
    MAX_WORKING_DAYS: ClassVar[int] = 2500

    @classmethod
    def parse(cls, text: str) -> Budget:
        match = _DURATION.match(text)
        if match and match.group(2) == "wd":
            days = float(match.group(1))
            if days < 1 or days != int(days):
                raise ValueError(f"{text!r}: working days must be a whole number ≥ 1")
            if days > cls.MAX_WORKING_DAYS:
                raise ValueError(f"{text!r} is too long: at most {cls.MAX_WORKING_DAYS}wd")
            return cls(text=text.strip(), working_days=int(days))
        if (
            match
            and float(match.group(1)) * _SECONDS[match.group(2)] > cls.MAX_CALENDAR_DAYS * 86400
        ):
            raise ValueError(f"{text!r} is too long: at most {cls.MAX_CALENDAR_DAYS}d (ten years)")
        return cls(text=text.strip(), calendar=parse_duration(text))


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
    #: The working-day calendar slice this case carries; None means weekends only.
    calendar: WorkCalendar | None = None
    #: The `[whistle]`, `[mediation]` and `[confirmation]` tables, as written; defaults fill
    #: what they leave out (`domain.whistle.whistle_policy(policy.whistle)` and its likes in
    #: `domain.mediation_policy` and `domain.confirmation`). Checked by `parse_policy`.
    whistle: dict[str, Any] | None = None
    mediation: dict[str, Any] | None = None
    confirmation: dict[str, Any] | None = None

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

    def after(self, start: datetime, budget: Budget) -> Deadline:
        if budget.working_days is not None:
            calendar = self.calendar or WorkCalendar(name="weekends only", years=[], holidays=[])
            return add_working_days(
                start, budget.working_days, calendar, utc_offset_hours=self.utc_offset_hours
            )
        assert budget.calendar is not None
        return add_calendar(start, budget.calendar)

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


def load_toml(text: str, *, source: str) -> dict[str, Any]:
    """A policy file's TOML; PolicyError naming the file when it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{source}: not valid TOML: {err}") from None


def build_table(data: dict[str, Any], table: str, build: Callable[[Any], T], *, source: str) -> T:
    """The rules of one optional table of a policy file (`[whistle]`, `[mediation]`, …),
    built by `build` from the table as written (None when absent); errors name the file
    and the key as `table.key`."""
    try:
        return build(data.get(table))
    except ValidationError as err:
        raise PolicyError(f"{source}: {_problems(err, table=table)}") from None
    except ValueError as err:
        raise PolicyError(f"{source}: {table}.{err}") from None


def parse_policy(text: str, *, source: str = "policy") -> Policy:
    """Parse policy TOML; errors name the file and the key that is wrong."""
    data = load_toml(text, source=source)
    try:
        policy = Policy.model_validate(data)
    except ValidationError as err:
        raise PolicyError(f"{source}: {_problems(err)}") from None
    # Those modules build on this one, hence the import here.
    from domain.confirmation import confirmation_policy
    from domain.mediation_policy import mediation_policy
    from domain.whistle import whistle_policy

    build_table(data, "whistle", whistle_policy, source=source)
    build_table(data, "mediation", mediation_policy, source=source)
    build_table(data, "confirmation", confirmation_policy, source=source)
    return policy


def _problems(err: ValidationError, *, table: str | None = None) -> str:
    """Each error as `key.path: message`, the key under `table` when one is given."""
    problems = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"])
        if table:
            where = f"{table}.{where}" if where else table
        problems.append(f"{where or '(top)'}: {e['msg']}")
    return "; ".join(problems)
