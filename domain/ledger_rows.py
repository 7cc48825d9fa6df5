"""The ledger's rows as the clearance list reads them, and the unit a case is in.

Plain, immutable rows built from `cases` (runtime/report_sql.py fetches them), so the clearance
list in `domain.metrics` runs on hand-built rows in tests. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.ladder import Level


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
    #: When the case came under county supervision (督办): its latest `supervised` event.
    supervised_since: datetime | None = None


class Scope(BaseModel):
    """A unit of the ladder: a grid, village, township or the county, by its name."""

    model_config = ConfigDict(frozen=True)

    level: Level
    unit: str

    def contains(self, case: CaseRow) -> bool:
        return getattr(case, self.level.value) == self.unit
