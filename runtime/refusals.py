"""Refusals waiting for the audit: updates refused for their actor assertion
(runtime/actor_assertion.py) and payloads refused for being plaintext (runtime/codec.py).

Both are refused where no I/O is allowed (an update's validator, the payload codec inside a
workflow task), so they are queued here and the worker's own loop drains the queue into the
ledger's audit table (worker.py `write_refusals`). A module of its own, light on imports: the
codec is loaded by every process, the assertion's worker side only by workers.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass


@dataclass(frozen=True)
class Refusal:
    """An update or payload refused, waiting for the worker to write it to the ledger."""

    workflow_id: str
    update: str
    actor: str  # the actor it claimed, canonical JSON ('' if none)
    reason: str


#: This module is passed through the sandbox (as `runtime` is): one queue per process.
refusals: queue.SimpleQueue[Refusal] = queue.SimpleQueue()


def drain() -> list[Refusal]:
    out = []
    while True:
        try:
            out.append(refusals.get_nowait())
        except queue.Empty:
            return out
