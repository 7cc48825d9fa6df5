"""The ledger's rows as the metrics read them: cases, their events, and the unit they are in.

Plain, immutable rows built from `cases` and `case_events` (runtime/reporting.py fetches them),
so the definitions in `domain.metrics` run on hand-built rows in tests. Pure: no I/O.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.ladder import Level
from domain.periods import Period


@dataclass(frozen=True, slots=True)
class CaseRow:
    """The `cases` columns the metrics read: location, current status and deadline."""

    case_id: str
    county: str
    township: str
    village: str
    grid: str
    status: str
    level: str
    opened_at: datetime
    due_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class EventRow:
    """One `case_events` row; `actor` is None for the engine's own events."""

    case_id: str
    seq: int
    at: datetime
    kind: str
    level: str
    actor: Mapping[str, Any] | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Ledger:
    """Cases and each case's events in `seq` order."""

    cases: tuple[CaseRow, ...]
    history: Mapping[str, tuple[EventRow, ...]]

    @classmethod
    def of(cls, cases: Iterable[CaseRow], events: Iterable[EventRow]) -> Ledger:
        cases = tuple(cases)
        known = {c.case_id for c in cases}
        grouped: dict[str, list[EventRow]] = defaultdict(list)
        for event in events:
            if event.case_id in known:
                grouped[event.case_id].append(event)
        history = {cid: tuple(sorted(evs, key=lambda e: e.seq)) for cid, evs in grouped.items()}
        return cls(cases=cases, history=history)

    def within(self, scope: Scope) -> Ledger:
        cases = tuple(c for c in self.cases if scope.contains(c))
        return Ledger(cases=cases, history={c.case_id: self.events_of(c.case_id) for c in cases})

    def events_of(self, case_id: str) -> tuple[EventRow, ...]:
        return self.history.get(case_id, ())

    def events(self, kind: str, period: Period) -> list[EventRow]:
        """The events of one kind that happened in the period."""
        return [
            e
            for c in self.cases
            for e in self.events_of(c.case_id)
            if e.kind == kind and period.contains(e.at)
        ]


class Scope(BaseModel):
    """A unit of the ladder: a grid, village, township or the county, by its name."""

    model_config = ConfigDict(frozen=True)

    level: Level
    unit: str

    def contains(self, case: CaseRow) -> bool:
        return getattr(case, self.level.value) == self.unit
