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


async def with_history(pool: asyncpg.Pool, view: CaseView) -> CaseView:
    """The case with its whole history from the ledger, in the case's own time zone: the
    workflow keeps only its latest events."""
    local = view.opened_at.tzinfo
    history = await case_history(pool, view.case_id)
    events = [e.model_copy(update={"at": e.at.astimezone(local)}) for e in history]
    return view.model_copy(update={"events": events or view.events})


_INTAKE = "SELECT intake FROM cases WHERE case_id = $1"


async def case_intake(pool: asyncpg.Pool, case_id: str) -> CaseIntake | None:
    """The intake a case was opened with (parties, place, what it is about); None if unknown."""
    row = await pool.fetchrow(_INTAKE, case_id)
    return None if row is None else CaseIntake.model_validate(row["intake"])
