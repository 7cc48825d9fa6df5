"""The case's one timer: set to the earliest time a part wants to wake, re-armed only when
that time moves.

Every timer started is a billed action and a workflow task, so an action that leaves the
next wake-up where it was keeps the running timer (the way `updatable_timer` in Temporal's
samples keeps one sleep and moves it only on change).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime

from temporalio import workflow


@dataclass(frozen=True)
class Wake:
    """When a part wants to act, and what for (the timer's summary in the Web UI)."""

    at: datetime
    label: str


class Alarm:
    def __init__(self) -> None:
        self._task: asyncio.Task[None] | None = None
        self._at: datetime | None = None
        #: True once the time set has come; `clear()` before the next `set()`.
        self.rang = False

    def set(self, wake: Wake | None) -> None:
        """Ring at `wake` (None: never); keeps the running timer when the time is the same."""
        at = wake.at if wake else None
        if at == self._at and (self.rang or (self._task is not None and not self._task.done())):
            return
        self._cancel()
        self._at, self.rang = at, False
        if wake is None:
            return
        delay = wake.at - workflow.now()
        if delay.total_seconds() <= 0:
            self.rang = True
            return
        self._task = asyncio.create_task(self._ring(delay.total_seconds(), wake.label))

    def clear(self) -> None:
        """The wake-up was handled: the next `set()` arms afresh."""
        self._cancel()
        self._at, self.rang = None, False

    async def _ring(self, seconds: float, label: str) -> None:
        await workflow.sleep(seconds, summary=label)
        self.rang = True

    def _cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
        self._task = None
