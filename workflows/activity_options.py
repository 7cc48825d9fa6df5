"""How workflows call their activities: the ledger must not lose a write, so retry until
PostgreSQL is back, backing off to a minute."""

from __future__ import annotations

from datetime import timedelta

from temporalio.common import RetryPolicy

DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
ACTIVITY_TIMEOUT = timedelta(seconds=30)
