"""Which day the suite believes it is: `DISPUTE_TEST_TODAY=YYYY-MM-DD` (unset: today).

The engine's clocks are working days and calendars, so a test's outcome may depend on the
weekday, the month or the year it starts in. Each time-skipping server (`time_env`) starts on
that day (the real time of day, moved to that date: the server's clock only goes forward, so
the day must not be in the past), and the tests that compute a "now" of their own take it
from `now()`. `make test` runs the calendar-sensitive tests (marker `calendar`: every test on
the time-skipping server, and the ones that compute today) once more with the day set to each
of the seven days after today (every weekday) and to 31 December (tests/calendar_days.py).
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, timedelta

ENV = "DISPUTE_TEST_TODAY"


def today() -> date | None:
    """The day set for the suite, or None (the real one)."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise SystemExit(f"{ENV}={raw!r}: expected YYYY-MM-DD") from None


def now() -> datetime:
    """Now, on the suite's day (the real time of day, UTC)."""
    real = datetime.now(UTC)
    day = today()
    if day is None:
        return real
    return datetime.combine(day, real.timetz())


def ahead() -> timedelta:
    """How far the suite's day is ahead of the real one (zero when unset)."""
    gap = now() - datetime.now(UTC)
    if gap < -timedelta(minutes=1):
        raise SystemExit(
            f"{ENV}={today()}: a day in the past; the time-skipping server's clock only goes "
            "forward"
        )
    return max(gap, timedelta(0))
