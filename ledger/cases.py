"""Reads of a case in the ledger: which case ids are known, and a case's whole history."""

from __future__ import annotations

from collections.abc import Iterable

import asyncpg

from domain.case_models import CaseEvent, CaseView
from domain.intake_models import CaseIntake

_KNOWN = "SELECT case_id FROM cases WHERE case_id = ANY($1::text[])"

_EVENTS = """
SELECT seq, at, kind, level, summary, actor, data FROM case_events
 WHERE case_id = $1 ORDER BY seq
"""


async def known_case_ids(pool: asyncpg.Pool, case_ids: Iterable[str]) -> set[str]:
    """The case ids already in the ledger: a case id is one case forever."""
    rows = await pool.fetch(_KNOWN, list(case_ids))
    return {r["case_id"] for r in rows}


async def case_history(pool: asyncpg.Pool, case_id: str) -> list[CaseEvent]:
    """Every event of the case, in order: the workflow keeps only its latest ones."""
    rows = await pool.fetch(_EVENTS, case_id)
    return [
        CaseEvent(
            seq=r["seq"],
            at=r["at"],
            kind=r["kind"],
            level=r["level"],
            summary=r["summary"],
            actor=r["actor"],
            data=r["data"] or {},
        )
        for r in rows
    ]


# The cases merged into this one (case_links `merged_from`, written by the merge step).
_MERGED_FROM = """
SELECT other_id FROM case_links WHERE case_id = $1 AND kind = 'merged_from'
 ORDER BY at, other_id
"""


async def merged_from(pool: asyncpg.Pool | asyncpg.Connection, case_id: str) -> list[str]:
    """The ids of the cases merged into `case_id` (the same dispute entered again)."""
    return [r["other_id"] for r in await pool.fetch(_MERGED_FROM, case_id)]


async def with_history(pool: asyncpg.Pool, view: CaseView) -> CaseView:
    """The case with its whole history from the ledger, in the case's own time zone: the
    workflow keeps only its latest events. The history of every case merged into it is
    attached, in time order, each event marked with the case it is from (`from_case`): the
    merged case's story goes on here. The figures still count each event once, under its own
    case (docs/metrics.md: a merged case is left out of them)."""
    local = view.opened_at.tzinfo
    history = await case_history(pool, view.case_id)
    for other in await merged_from(pool, view.case_id):
        history += [e.model_copy(update={"from_case": other})
                    for e in await case_history(pool, other)]  # fmt: skip
    # Stable: at the same moment the case's own event comes first, each case in its order.
    history.sort(key=lambda e: (e.at, e.from_case is not None))
    events = [e.model_copy(update={"at": e.at.astimezone(local)}) for e in history]
    return view.model_copy(update={"events": events or view.events})


_INTAKE = "SELECT intake FROM cases WHERE case_id = $1"


async def case_intake(pool: asyncpg.Pool, case_id: str) -> CaseIntake | None:
    """The intake a case was opened with (parties, place, what it is about); None if unknown."""
    row = await pool.fetchrow(_INTAKE, case_id)
    return None if row is None else CaseIntake.model_validate(row["intake"])
