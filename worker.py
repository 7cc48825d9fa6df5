"""The worker: runs case workflows and their activities.

    python worker.py

Connects to Temporal and PostgreSQL as `runtime.config` says (environment variables, or the
embedded stack of `make run`), applies pending database migrations, and polls the case task
queue until SIGINT or SIGTERM, then lets running activities finish. Start as many workers as
you like against one cluster: they share the task queue.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import asyncpg
import structlog
from temporalio.client import Client
from temporalio.runtime import Runtime
from temporalio.worker import PollerBehaviorSimpleMaximum, Worker
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

import texts
from activities.departments import DepartmentActivities
from activities.ledger import LedgerActivities
from activities.procedures import ProcedureActivities
from activities.reconcile import ReconcileActivities
from activities.report_duties import DutyActivities
from activities.reports import ReportActivities
from domain.naming import TASK_QUEUE
from ledger import audit
from notify.metrics import temporal_runtime
from runtime import actor_assertion, config, db, refusals, temporal_client
from runtime import logging as logsetup
from workflows.assessment import AssessmentWorkflow
from workflows.case import CaseWorkflow
from workflows.department_duty import DepartmentDutyWorkflow
from workflows.duty_round import DutyRoundWorkflow
from workflows.procedure import ProcedureWorkflow
from workflows.reconcile import ReconcileWorkflow

log = structlog.get_logger("worker")

WORKFLOWS: Sequence[type] = (
    CaseWorkflow,
    AssessmentWorkflow,
    DepartmentDutyWorkflow,
    ProcedureWorkflow,
    DutyRoundWorkflow,
    ReconcileWorkflow,
)

#: Workflow tasks run at once (see build_worker), and activities, matching the pool.
#: None: the SDK's default (100). Measured against 10 in one run (bench/README.md): the
#: steady spread of deadlines' p99 was 0.69 s with the default, 1.03 s with 10.
WORKFLOW_TASK_SLOTS: int | None = None
#: Workflow task polls open at once (the SDK's default, 5; bench/README.md).
WORKFLOW_TASK_POLLERS = 5
ACTIVITY_SLOTS = 20
POOL_SIZE = ACTIVITY_SLOTS

#: The sandbox, with the project's workflow modules imported once per process. By default
#: the sandbox re-executes each workflow's own module (and its package's `__init__`) for
#: every workflow it holds: for a case, the class with its 20 updates, their validators and
#: the definition the SDK derives from them: 136 of a cached case's 313 KiB
#: (bench/memory.py), and the same import again on every replay after an eviction. Every
#: other module they use (domain/, ledger/, the parts in workflows/case/) was already passed
#: through; the sandbox still checks each call a workflow makes at run time.
SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("workflows")
)


def activities_for(pool: asyncpg.Pool, reports_dir: Path, client: Client) -> list:
    """Every activity, bound to its resource."""
    ledger = LedgerActivities(pool)
    reconcile = ReconcileActivities(pool, client)
    reports = ReportActivities(pool, reports_dir)
    departments = DepartmentActivities(pool)
    duties = DutyActivities(pool)
    procedures = ProcedureActivities(pool)
    return [
        departments.find,
        departments.record_duty,
        duties.notify,
        ledger.write_step,
        procedures.earlier_matter,
        reports.compute,
        reports.write_files,
        reports.record,
        reconcile.reconcile,
    ]


def build_worker(
    client: Client,
    pool: asyncpg.Pool,
    *,
    task_queue: str = TASK_QUEUE,
    reports_dir: Path | None = None,
    actor_key: bytes | None = None,
    workflow_task_slots: int | None = WORKFLOW_TASK_SLOTS,
    workflow_task_pollers: int = WORKFLOW_TASK_POLLERS,
) -> Worker:
    """The worker; its updates need an assertion signed with `actor_key` (the key in force
    unless given; runtime/actor_assertion.py). The slots and pollers are the production
    values; bench/lateness.py passes others to compare (None: the SDK's default slots)."""
    # Read every catalog now, so no workflow task ever waits on a file.
    texts.preload()
    return Worker(
        client,
        task_queue=task_queue,
        workflows=list(WORKFLOWS),
        workflow_runner=SANDBOX,
        activities=activities_for(pool, reports_dir or config.reports_dir(), client),
        interceptors=[actor_assertion.ActorCheck(actor_key or actor_assertion.load_key())],
        # Cases wait for days between steps; a worker that evicts them replays their
        # histories when a wave of deadlines comes due. Keep this many in memory: the default
        # is chosen by memory (docs/scaling.md: ~150 KiB a cached case, bench/memory.py).
        max_cached_workflows=config.worker_cache_size(),
        # The SDK's default slots: with 10 (chosen when a replay re-imported the case's module
        # in the sandbox and a burst of 100 slow replays outlasted the 10 s task timeout), a
        # steady spread of deadlines waited on the server for a slot and its p99 was 1.5 x
        # the default's (bench/lateness.py --slots 10,sdk, bench/README.md).
        max_concurrent_workflow_tasks=workflow_task_slots,
        workflow_task_poller_behavior=PollerBehaviorSimpleMaximum(workflow_task_pollers),
        # One ledger write per step, each holding a database connection: more activities
        # at once than the pool has connections would only wait inside the worker.
        max_concurrent_activities=ACTIVITY_SLOTS,
        # Give running activities a moment to finish their write on shutdown.
        graceful_shutdown_timeout=timedelta(seconds=10),
    )


async def write_refusals(pool: asyncpg.Pool) -> int:
    """Write the updates the workflows refused for their actor assertion into the audit
    (validators may not do I/O: runtime/refusals.py queues them). Returns how many."""
    written = 0
    for r in refusals.drain():
        await audit.record_unsigned(pool, r.workflow_id, r.update, r.actor, r.reason)
        log.warning("unsigned update refused", workflow_id=r.workflow_id, update=r.update)
        written += 1
    return written


async def audit_refusals(pool: asyncpg.Pool, stop: asyncio.Event, every: float = 1.0) -> None:
    """Drain the refused updates into the ledger until `stop` is set."""
    while not stop.is_set():
        try:
            await write_refusals(pool)
        except (OSError, asyncpg.PostgresError) as err:
            log.error("refusals not audited yet", error=type(err).__name__)
        try:
            await asyncio.wait_for(stop.wait(), every)
        except TimeoutError:
            pass
    await write_refusals(pool)


async def connect_client(runtime: Runtime | None = None) -> Client:
    """Encrypted, refusing plaintext payloads, and stops here if the keys do not open the
    newest cases' payloads; `runtime` carries the SDK's metrics."""
    return await temporal_client.connect(runtime=runtime, refuse_plaintext=True)


async def main() -> None:
    logsetup.configure()
    # The SDK's metrics on DISPUTE_WORKER_METRICS_PORT (notify/metrics.py; `off` disables).
    client = await connect_client(temporal_runtime())
    # No session reset at each release: the activities leave no session state (db.py).
    pool = await db.create_pool(config.database_url(), max_size=POOL_SIZE, session_reset=False)
    applied = await db.migrate(pool)
    if applied:
        log.info("migrations applied", versions=applied)
    worker = build_worker(client, pool)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    auditing = asyncio.create_task(audit_refusals(pool, stop))
    async with worker:
        log.info(
            "worker started",
            task_queue=TASK_QUEUE,
            namespace=client.namespace,
            temporal=client.service_client.config.target_host,
        )
        await stop.wait()
        log.info("worker stopping: letting running activities finish")
    await auditing
    await pool.close()
    log.info("worker stopped")


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except config.ConfigError as err:
        raise SystemExit(f"worker: {err}") from None
