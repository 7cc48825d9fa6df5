"""Lengths of time as policies and actions write them: "90s", "30m", "12h", "7d", "5wd".

Their own module so that every policy table (the ladder's, the whistle's, mediation's,
confirmation's) can parse durations without importing the policy that holds them all.
Pure: no clock, no I/O.
"""

from __future__ import annotations

import re
from datetime import timedelta

from pydantic import BaseModel, ConfigDict

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d|wd)\s*$")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_WHOLE_DAYS = re.compile(r"^\s*\d+\s*d\s*$")


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '12h', '7d', '0.5d' -> timedelta. Days are calendar days."""
    match = _DURATION.match(text)
    if not match or match.group(2) == "wd":
        raise ValueError(f"{text!r} is not a duration like '30m', '12h' or '7d'")
    amount, unit = float(match.group(1)), match.group(2)
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

    @classmethod
    def parse(cls, text: str) -> Budget:
        match = _DURATION.match(text)
        if match and match.group(2) == "wd":
            days = float(match.group(1))
            if days < 1 or days != int(days):
                raise ValueError(f"{text!r}: working days must be a whole number ≥ 1")
            return cls(text=text.strip(), working_days=int(days))
        return cls(text=text.strip(), calendar=parse_duration(text))

    @property
    def days(self) -> int | None:
        """Whole calendar days ('7d', or a sum like '30d+15d'), which end at 24:00 of their
        last day; None for time counted exactly (hours, minutes, '0.5d') or working days."""
        if self.calendar is None:
            return None
        if all(_WHOLE_DAYS.match(term) for term in self.text.split("+")):
            return self.calendar.days
        return None
