"""ReconcileWorkflow: one pass of the reconciler (activities/reconcile.py).

Started by its Temporal Schedule (service/schedules.py) every 30 seconds, so a case whose
workflow was terminated, failed or timed out is marked in the ledger, and its supervisor told,
within a minute.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.reconcile import ReconcileActivities
    from domain.reconcile_models import ReconcileInput, ReconcileResult


@workflow.defn
class ReconcileWorkflow:
    @workflow.run
    async def run(self, request: ReconcileInput) -> ReconcileResult:
        return await workflow.execute_activity_method(
            ReconcileActivities.reconcile,
            request,
            start_to_close_timeout=timedelta(minutes=1),
            # The next pass comes soon: a failed one need not retry for long.
            retry_policy=RetryPolicy(maximum_attempts=3),
        )
