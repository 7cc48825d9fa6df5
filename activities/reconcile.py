"""The reconciler's activity: compare the ledger's open cases with Temporal's halted ones.

A case's workflow can end without the engine: `temporal workflow terminate` by whoever reaches
the port, a workflow that failed, a run that timed out. Its ledger row would say open forever.
Each pass lists the case workflows Temporal shows as terminated, failed or timed out, keeps
those whose case the ledger still holds open and whose latest run is still that one (a case
restarted since is running again), marks each in the ledger and tells its supervisor.
"""

from __future__ import annotations

import asyncpg
import structlog
from temporalio import activity
from temporalio.client import Client, WorkflowExecutionStatus

from domain.naming import CASE_WORKFLOW, case_id_from
from domain.reconcile_models import HALTED_STATUSES, Halted, ReconcileInput, ReconcileResult
from ledger import halted
from texts import process_texts

log = structlog.get_logger("reconcile")

_WORDS = {
    WorkflowExecutionStatus.TERMINATED: "terminated",
    WorkflowExecutionStatus.FAILED: "failed",
    WorkflowExecutionStatus.TIMED_OUT: "timed_out",
}


class ReconcileActivities:
    def __init__(self, pool: asyncpg.Pool, client: Client) -> None:
        self._pool = pool
        self._client = client

    @activity.defn(name="reconcile_halted_cases")
    async def reconcile(self, request: ReconcileInput) -> ReconcileResult:
        statuses = ", ".join(f"'{s}'" for s in HALTED_STATUSES)
        query = f"WorkflowType = '{CASE_WORKFLOW}' AND ExecutionStatus IN ({statuses})"
        found: dict[str, str] = {}  # case id -> workflow id
        async for execution in self._client.list_workflows(query, limit=request.limit):
            case_id = case_id_from(execution.id)
            if case_id:
                found.setdefault(case_id, execution.id)
        open_cases = await halted.still_open(self._pool, list(found))
        # The report catalog: activities/ speak through it (texts/catalogs.py), in the
        # worker's language.
        _ = process_texts("report")
        marked: list[Halted] = []
        for case_id, case in open_cases.items():
            latest = await self._client.get_workflow_handle(found[case_id]).describe()
            word = _WORDS.get(latest.status) if latest.status else None
            if word is None:
                continue  # restarted since: running (or ended by itself) again
            message = _(
                "case {case_id}: its workflow was {status} outside the engine and nothing "
                "moves it any more, though the ledger holds it open; restart it (temporal "
                "workflow reset) or close it by hand"
            ).format(case_id=case_id, status=word)
            unit = halted.supervisor_unit(case)
            new = await halted.mark(
                self._pool, case_id, latest.run_id, word, latest.close_time, unit, message
            )
            if new:
                marked.append(Halted(case_id=case_id, run_id=latest.run_id, status=word))
                log.warning("case workflow halted outside the engine", case_id=case_id,
                            status=word, supervisor_unit=unit)  # fmt: skip
        return ReconcileResult(checked=len(open_cases), marked=marked)
