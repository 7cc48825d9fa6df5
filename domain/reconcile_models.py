"""The reconciler's contract: what one pass looked at and what it found."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

#: Temporal's end states of a case that did not end by itself (ExecutionStatus names).
HALTED_STATUSES = ("Terminated", "Failed", "TimedOut")


class ReconcileInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    #: At most this many halted case workflows looked at in one pass.
    limit: int = 1000


class Halted(BaseModel):
    case_id: str
    run_id: str
    status: str  # terminated, failed, timed_out


class ReconcileResult(BaseModel):
    #: Halted case workflows Temporal listed whose case the ledger still holds open.
    checked: int
    #: Newly marked in the ledger (and their supervisors told) in this pass.
    marked: list[Halted]
