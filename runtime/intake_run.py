"""Submitting parsed intake records: one case workflow per valid record, started concurrently.

The caller (starter.py) connects and hands in the client and the pool. Results come back in
input order, one per record, as the INTAKE.md contract prints them. A case id that is in the
ledger already, or whose workflow id Temporal has seen, is a `duplicate`: the same case id
never makes two workflows.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

import asyncpg
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from domain.calendar import parse_calendar
from domain.case_models import CaseStart
from domain.intake import IntakeRecord
from domain.intake_models import CaseIntake
from domain.naming import TASK_QUEUE, workflow_id_for
from domain.policy import Policy, parse_policy
from runtime import config
from runtime.queries import known_case_ids
from workflows import search_attributes as sa
from workflows.case import CaseWorkflow

DEFAULT_CONCURRENCY = 32


def summary_of(intake: CaseIntake) -> str:
    """The one-line summary the Web UI shows for the case (no party names: it is indexed)."""
    loc = intake.location
    kind = f"{intake.dispute_type.value}/{intake.complexity.value}"
    return f"[{kind}] {intake.title} — {loc.township} · {loc.village} · {loc.grid}"


def details_of(intake: CaseIntake) -> str:
    loc = intake.location
    return "\n".join(
        [
            f"**{intake.title}**",
            "",
            f"- type: {intake.dispute_type.value}, complexity: {intake.complexity.value}",
            f"- where: {loc.county} / {loc.township} / {loc.village} / grid {loc.grid}",
            f"- reported: {intake.reported_at.isoformat()}",
            f"- reported by: a {intake.reported_by.role.value.replace('_', ' ')}",
            f"- risk flags: {', '.join(f.value for f in intake.risk_flags) or 'none'}",
        ]
    )


def result_line(record: IntakeRecord, status: str, errors: list[dict] | None = None) -> dict:
    return {
        "line": record.line,
        "case_id": record.case_id,
        "workflow_id": workflow_id_for(record.case_id) if record.case_id else None,
        "status": status,
        "errors": errors if errors is not None else [e.model_dump() for e in record.errors],
    }


async def start_case(client: Client, intake: CaseIntake, policy: Policy) -> bool:
    """Start the case's workflow; False when its workflow id exists already."""
    assert intake.case_id is not None
    loc = intake.location
    try:
        await client.start_workflow(
            CaseWorkflow.run,
            CaseStart(case_id=intake.case_id, intake=intake, policy=policy),
            id=workflow_id_for(intake.case_id),
            task_queue=TASK_QUEUE,
            # Never a second workflow for one case id, running or closed.
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            # Searchable from the first second, before a worker has picked the case up.
            search_attributes=TypedSearchAttributes(
                [
                    SearchAttributePair(sa.DISPUTE_TYPE, intake.dispute_type.value),
                    SearchAttributePair(sa.TOWNSHIP, loc.township),
                    SearchAttributePair(sa.VILLAGE, loc.village),
                    SearchAttributePair(sa.GRID, loc.grid),
                    SearchAttributePair(sa.CASE_STATUS, "open"),
                ]
            ),
            static_summary=summary_of(intake),
            static_details=details_of(intake),
        )
    except WorkflowAlreadyStartedError:
        return False
    return True


def policy_with_calendar(
    policy_text: str, policy_source: str, calendar_text: str, calendar_source: str, now: datetime
) -> Policy:
    """The policy, carrying the calendar of this year and the next (a case copies both).
    Raises PolicyError / CalendarError naming the file."""
    policy = parse_policy(policy_text, source=policy_source)
    calendar = parse_calendar(calendar_text, source=calendar_source)
    year = policy.local(now).year
    return policy.model_copy(update={"calendar": calendar.for_years([year, year + 1])})


def current_policy(now: datetime) -> Policy:
    """The checked-in policy and calendar (the API's intake uses these, as the CLI does by
    default)."""
    return policy_with_calendar(
        config.DEFAULT_POLICY.read_text(encoding="utf-8"), str(config.DEFAULT_POLICY),
        config.DEFAULT_CALENDAR.read_text(encoding="utf-8"), str(config.DEFAULT_CALENDAR), now,
    )  # fmt: skip


class Progress:
    """A one-line counter on a terminal's stderr; silent when stderr is not a terminal."""

    def __init__(self, total: int, stream: TextIO = sys.stderr) -> None:
        self.total, self.stream = total, stream
        self.enabled = stream.isatty() and total > 1
        self.counts: dict[str, int] = {"started": 0, "duplicate": 0, "rejected": 0}

    def tick(self, status: str) -> None:
        self.counts[status] += 1
        if self.enabled:
            done = sum(self.counts.values())
            parts = ", ".join(f"{n} {k}" for k, n in self.counts.items())
            self.stream.write(f"\rintake: {done}/{self.total} ({parts})")
            self.stream.flush()

    def close(self) -> None:
        if self.enabled:
            self.stream.write("\n")


async def submit(
    records: list[IntakeRecord],
    client: Client,
    pool: asyncpg.Pool,
    policy: Policy,
    *,
    emit: Callable[[dict[str, Any]], None],
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Start every valid record's case; `emit` gets each result in input order."""
    valid_ids = [r.case_id for r in records if r.intake is not None and r.case_id]
    known = await known_case_ids(pool, valid_ids)
    gate = asyncio.Semaphore(concurrency)

    async def handle(record: IntakeRecord) -> dict[str, Any]:
        if record.intake is None:
            return result_line(record, "rejected")
        if record.case_id in known:
            return result_line(record, "duplicate")
        async with gate:
            try:
                started = await start_case(client, record.intake, policy)
            except RPCError as err:
                # Not the record's fault; resubmitting the file later is safe (duplicates).
                problem = [{"field": "(server)", "message": f"Temporal refused the start: {err}"}]
                return result_line(record, "rejected", problem)
        return result_line(record, "started" if started else "duplicate")

    tasks = [asyncio.create_task(handle(r)) for r in records]
    totals = {"started": 0, "duplicate": 0, "rejected": 0}
    try:
        for task in tasks:  # in input order; later ones keep starting meanwhile
            line = await task
            totals[line["status"]] += 1
            if progress:
                progress.tick(line["status"])
            emit(line)
    finally:
        for task in tasks:
            task.cancel()
        if progress:
            progress.close()
    return totals
