"""Procedure activities: what a procedure's workflow reads from the ledger."""

from __future__ import annotations

import asyncpg
from temporalio import activity

from domain.procedure_models import EarlierAnswer, EarlierQuery
from ledger.procedures import earlier_matter


class ProcedureActivities:
    """Reads of the `case_events` of matters run by a procedure."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    @activity.defn(name="procedures.earlier_matter")
    async def earlier_matter(self, query: EarlierQuery) -> EarlierAnswer:
        """Where the matter a new one repeats stands (None: no such matter)."""
        return EarlierAnswer(earlier=await earlier_matter(self._pool, query.case_id))
