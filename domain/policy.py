"""Deadline policy: how long each level has, per case complexity, plus risk thresholds.

The policy is data (`policy.toml`), parsed here into a frozen model. A case copies the
policy in force when it starts, so editing the file later never changes a running case.
Pure: parsing takes text, deadlines take `now` from the caller (the workflow's clock).
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.intake_models import Complexity
from domain.ladder import LADDER, Level
from domain.risk import RiskColour

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)\s*$")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


class PolicyError(ValueError):
    """The policy file is unreadable or breaks a rule; the message names the key."""


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '12h', '7d', '0.5d' -> timedelta. Days are calendar days."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like '30m', '12h' or '7d'")
    amount, unit = float(match.group(1)), match.group(2)
    value = timedelta(**{_UNIT[unit]: amount})
    if value <= timedelta(0):
        raise ValueError(f"{text!r} must be longer than zero")
    return value


class Policy(BaseModel):
    """A deadline policy, frozen into each case when it starts."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    #: China has no daylight saving, so a fixed offset renders local times exactly.
    utc_offset_hours: int = 8
    #: budgets[complexity][level] = duration text, e.g. budgets["general"]["grid"] = "2d".
    budgets: dict[Complexity, dict[Level, str]]
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
                try:
                    parse_duration(levels[level])
                except ValueError as err:
                    raise ValueError(f"budgets.{complexity.value}.{level.value}: {err}") from None
        return budgets

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

    def budget(self, complexity: Complexity, level: Level) -> timedelta:
        return parse_duration(self.budgets[complexity][level])

    def due_at(self, opened_at: datetime, complexity: Complexity, level: Level) -> datetime:
        """When a level's time runs out for a case that reached it at `opened_at`."""
        return opened_at + self.budget(complexity, level)

    def local(self, moment: datetime) -> datetime:
        """`moment` shown in the policy's local time (Beijing time by default)."""
        return moment.astimezone(timezone(timedelta(hours=self.utc_offset_hours)))


def parse_policy(text: str, *, source: str = "policy") -> Policy:
    """Parse policy TOML; errors name the file and the key that is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{source}: not valid TOML: {err}") from None
    try:
        return Policy.model_validate(data)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or '(top)'}: {e['msg']}" for e in err.errors()
        )
        raise PolicyError(f"{source}: {problems}") from None
