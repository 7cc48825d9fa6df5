"""Run the calendar-sensitive tests on each of the next seven days and on 31 December.

    python -m tests.calendar_days [pytest options]

`make test` runs it after the suite: a test that passes today but not on a Sunday, a Monday
before a holiday or New Year's Eve fails here, whatever day CI runs on. Each run sets
`DISPUTE_TEST_TODAY` (tests/clock.py) and selects `-m calendar`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from tests.clock import ENV


def days(start: date) -> list[date]:
    """The seven days after `start` (every weekday once; the suite itself ran on `start`) and
    the next 31 December."""
    week = [start + timedelta(days=n) for n in range(1, 8)]
    new_years_eve = date(start.year, 12, 31)
    if new_years_eve == start:  # the suite itself ran on it
        return week
    return [*week, *([new_years_eve] if new_years_eve not in week else [])]


def main(argv: list[str]) -> int:
    failed = []
    for day in days(datetime.now(UTC).date()):
        print(f"\n== {ENV}={day} ({day:%A}) ==", flush=True)
        env = {**os.environ, ENV: day.isoformat()}
        cmd = [sys.executable, "-m", "pytest", "-m", "calendar", "-q", *argv]
        if subprocess.run(cmd, env=env).returncode != 0:
            failed.append(f"{day} ({day:%A})")
    if failed:
        print(f"calendar-sensitive tests failed on: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("calendar-sensitive tests pass on every weekday and on 31 December")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
