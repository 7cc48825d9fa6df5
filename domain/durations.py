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
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
#: The longest budget, extension or window anyone may give: ten years, or its working days.
#: Bounded here, where every duration is parsed, so a typo (3000000d) is refused with a
#: message instead of overflowing the date arithmetic (or counting working days for ages).
MAX_CALENDAR_DAYS = 3653
MAX_WORKING_DAYS = 2500
_WHOLE_DAYS = re.compile(r"^\s*\d+\s*d\s*$")
#: The units as people write them in Chinese: 1天, 2小时, 30分钟, 3个工作日.
_CHINESE_UNITS = re.compile(r"(\d)\s*(个工作日|工作日|个小时|小时|分钟|天|日|时|分|秒)")
_CHINESE = {"个工作日": "wd", "工作日": "wd", "个小时": "h", "小时": "h", "时": "h", "分钟": "m",
            "分": "m", "天": "d", "日": "d", "秒": "s"}  # fmt: skip


def canonical(text: str) -> str:
    """The duration as policies write it: Chinese units become "d", "h", "m", "s", "wd"
    ('3个工作日' -> '3wd'); anything else is only stripped."""
    return _CHINESE_UNITS.sub(lambda m: m.group(1) + _CHINESE[m.group(2)], text.strip())


def parse_duration(text: str) -> timedelta:
    """'90s', '30m', '12h', '7d', '0.5d' (or '2小时', '1天') -> timedelta. Days are calendar
    days; at most `MAX_CALENDAR_DAYS`."""
    text = canonical(text)
    match = _DURATION.match(text)
    if not match or match.group(2) == "wd":
        raise ValueError(f"{text!r} is not a duration like '30m', '12h' or '7d'")
    amount, unit = float(match.group(1)), match.group(2)
    if amount * _SECONDS[unit] > MAX_CALENDAR_DAYS * 86400:
        raise ValueError(f"{text!r} is too long: at most {MAX_CALENDAR_DAYS}d (ten years)")
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
        text = canonical(text)
        match = _DURATION.match(text)
        if match and match.group(2) == "wd":
            days = float(match.group(1))
            if days < 1 or days != int(days):
                raise ValueError(f"{text!r}: working days must be a whole number ≥ 1")
            if days > MAX_WORKING_DAYS:
                raise ValueError(f"{text!r} is too long: at most {MAX_WORKING_DAYS}wd")
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
