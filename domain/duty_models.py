"""Inputs and outputs of the department activities: finding departments, recording duties.

A duty is one department's part in one whistle, keyed by (case id, whistle seq, department).
Each write carries `seq`, a number that grows with every write to that duty (the case event's
seq fits): a retried activity repeats a seq already applied and changes nothing, so writes
are idempotent, and the state machine in domain/whistle.py decides which moves are legal.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.whistle import Department, DepartmentCode, DutyEvent, DutyState, WhistleKind

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FindDepartments(_Frozen):
    """Which departments serve this township, for these codes."""

    township: str
    #: The county above it: its bureau stands in where the township has no station of its own.
    county: str
    codes: Annotated[list[DepartmentCode], Field(min_length=1)]


class FoundDepartments(_Frozen):
    #: One per code found, in the order asked; the township's own before the county's.
    departments: list[Department]
    #: Codes with no active department at the township nor the county.
    missing: list[str]


class DutyWrite(_Frozen):
    """One move of one department's duty, as the case workflow records it."""

    case_id: str
    whistle_seq: Annotated[int, Field(ge=1)]
    department: DepartmentCode
    #: Grows with each write to this duty; a write at or below the stored one is a retry.
    seq: Annotated[int, Field(ge=1)]
    event: DutyEvent
    #: When it happened (the workflow's clock): stored in the event's own time column.
    at: datetime
    # --- summon only: who, under which whistle, and the deadlines (domain.whistle.duty_deadlines)
    unit: str | None = None
    whistle_kind: WhistleKind | None = None
    check_in_by: datetime | None = None
    report_by: datetime | None = None
    # --- report: the department's part
    findings: Text | None = None
    actions: Text | None = None
    result: Text | None = None
    # --- decline, and the supervisor's ruling on it (uphold / overrule)
    declined_reason: Text | None = None
    ruling: Text | None = None

    @model_validator(mode="after")
    def _what_each_event_needs(self) -> DutyWrite:
        # Checked here so a write missing its substance fails in the workflow, before the
        # activity runs, rather than leaving a duty reported with nothing filed; and a detail
        # on the wrong event (a result with a check-in) is refused rather than half-recorded.
        need, may = _DETAILS.get(self.event, ((), ()))
        missing = [name for name in need if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.event.value} write needs {', '.join(missing)}")
        stray = [name for name in _ALL_DETAILS - {*need, *may} if getattr(self, name) is not None]
        if stray:
            raise ValueError(
                f"a {self.event.value} write does not carry {', '.join(sorted(stray))}"
            )
        return self


#: event -> (details it needs, details it may carry).
_DETAILS: dict[DutyEvent, tuple[tuple[str, ...], tuple[str, ...]]] = {
    DutyEvent.summon: (("unit", "whistle_kind", "check_in_by", "report_by"), ()),
    DutyEvent.report: (("result",), ("findings", "actions")),
    DutyEvent.decline: (("declined_reason",), ()),
    DutyEvent.uphold: (("ruling",), ()),
    DutyEvent.overrule: (("ruling",), ()),
}
_ALL_DETAILS = frozenset(name for need, may in _DETAILS.values() for name in (*need, *may))


class DutyAck(_Frozen):
    """The duty's state after the write, and whether this write changed anything."""

    state: DutyState
    written: bool
