"""Related cases: which earlier cases look like the same dispute, and the links between cases.

The same dispute arrives twice (two neighbours call; the grid worker and the 12345 hotline
both enter it) or comes back after it was closed. At intake the engine suggests the cases that
look alike — a party with the same phone or ID number, or the same village and dispute type
reported within `PLACE_WINDOW` — among those still open or closed within `CLOSED_WINDOW`. A
handler then links them (the case's `link` action: `related`) or merges one into the other
(`merge`: `duplicate`), both actions of the catalogue (domain/catalogue.py).

Pure: the rules and the identifiers of an intake; the ledger runs the search.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict

from domain.intake_models import CaseIntake

#: Same village and dispute type: reported within this of each other.
PLACE_WINDOW = timedelta(days=7)
#: A finished case is still suggested this long after it closed (a dispute that came back).
CLOSED_WINDOW = timedelta(days=90)
#: At most this many suggestions per record, newest first.
MOST = 10


def identifiers(intake: CaseIntake) -> list[dict[str, Any]]:
    """The parties' phones and ID numbers, each a party object to look for in
    `cases.intake -> 'parties'` (`{"phone": "…"}`; the ledger wraps it in an array to test
    containment); never logged."""
    found: list[dict[str, Any]] = []
    for party in intake.parties:
        if party.phone:
            found.append({"phone": party.phone})
        if party.id_number:
            found.append({"id_number": party.id_number})
    return found


class SimilarQuery(BaseModel):
    """What the ledger searches for one intake."""

    model_config = ConfigDict(frozen=True)

    case_id: str
    identifiers: list[dict[str, Any]]
    village: str
    dispute_type: str
    reported_from: datetime
    reported_to: datetime
    closed_since: datetime
    most: int = MOST


def similar_query(intake: CaseIntake, now: datetime) -> SimilarQuery:
    assert intake.case_id is not None
    return SimilarQuery(
        case_id=intake.case_id,
        identifiers=identifiers(intake),
        village=intake.location.village,
        dispute_type=intake.dispute_type.value,
        reported_from=intake.reported_at - PLACE_WINDOW,
        reported_to=intake.reported_at + PLACE_WINDOW,
        closed_since=now - CLOSED_WINDOW,
    )


class SeenInFile:
    """The records of one intake file taken in so far, indexed by what makes two look alike
    (the same rules as the ledger's search, `ledger/related.py`). The ledger cannot find a
    record of the same file: its case row may not be written yet when the next one is
    searched, so two records of one dispute in one file are matched here."""

    def __init__(self) -> None:
        self._by_identifier: dict[tuple[str, str], list[str]] = {}
        #: Per village and type, (reported, case id) in order: a record's window is a slice
        #: found by bisection, so a 100,000-record file is not scanned for every record.
        self._by_place: dict[tuple[str, str], list[tuple[datetime, str]]] = {}
        self._reported: dict[str, datetime] = {}

    def alike(self, intake: CaseIntake) -> list[str]:
        """The earlier records' case ids that look like `intake`, newest reported first."""
        found = {c for key in _identifier_keys(intake) for c in self._by_identifier.get(key, [])}
        place = self._by_place.get((intake.location.village, intake.dispute_type.value), [])
        low = bisect_left(place, (intake.reported_at - PLACE_WINDOW, ""))
        high = bisect_right(place, (intake.reported_at + PLACE_WINDOW, "\U0010ffff"))
        # The newest MOST + 1 of the window (+ 1: the record itself may be among them), and
        # any others reported at the same instant as the last of them (ties go by case id).
        top = high
        while top > low and (high - top <= MOST or place[top - 1][0] == place[top][0]):
            top -= 1
        found |= {c for _, c in place[top:high]}
        found.discard(intake.case_id or "")
        return sorted(found, key=lambda c: (-self._reported[c].timestamp(), c))[:MOST]

    def add(self, intake: CaseIntake) -> None:
        assert intake.case_id is not None
        for key in _identifier_keys(intake):
            self._by_identifier.setdefault(key, []).append(intake.case_id)
        place = (intake.location.village, intake.dispute_type.value)
        insort(self._by_place.setdefault(place, []), (intake.reported_at, intake.case_id))
        self._reported[intake.case_id] = intake.reported_at


def _identifier_keys(intake: CaseIntake) -> list[tuple[str, str]]:
    """Each phone and ID number of the parties, as ("phone", "…") / ("id_number", "…")."""
    return [(k, str(v)) for i in identifiers(intake) for k, v in i.items()]
