"""Cases for the benchmarks: the first sample case under new ids, on a policy whose clocks
run in seconds, started concurrently."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from temporalio.client import Client

from domain.case_models import CaseStart
from domain.intake_models import CaseIntake
from domain.ladder import LADDER
from domain.naming import workflow_id_for
from domain.policy import Policy
from runtime.config import DEFAULT_CALENDAR, DEFAULT_POLICY, ROOT
from starter import load_policy
from workflows.case import CaseWorkflow


def sample_intake(case_id: str) -> CaseIntake:
    """The first sample case (a simple neighbour dispute, grid 钻石广场社区第七网格), new id."""
    first = (ROOT / "samples" / "cases.jsonl").read_text(encoding="utf-8").splitlines()[0]
    return CaseIntake.model_validate({**json.loads(first), "case_id": case_id})


def default_policy() -> Policy:
    return load_policy(str(DEFAULT_POLICY), str(DEFAULT_CALENDAR), datetime.now(UTC))


def policy_with(budgets: dict[str, str], name: str) -> Policy:
    """The default policy with every complexity's level budgets set to `budgets`."""
    policy = default_policy()
    levels = {level: budgets[level.value] for level in LADDER}
    return policy.model_copy(
        update={
            "name": name,
            "budgets": {c: dict(levels) for c in policy.budgets},
            "risk_budgets": {},
        }
    )


async def start_cases(
    client: Client, task_queue: str, case_ids: list[str], policy: Policy, concurrency: int = 32
) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(case_id: str) -> None:
        async with gate:
            await client.start_workflow(
                CaseWorkflow.run,
                CaseStart(case_id=case_id, intake=sample_intake(case_id), policy=policy),
                id=workflow_id_for(case_id),
                task_queue=task_queue,
            )

    await asyncio.gather(*(one(c) for c in case_ids))
