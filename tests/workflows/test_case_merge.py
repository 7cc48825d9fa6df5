"""Merging a duplicate: the case ends as `merged` into the other, linked both ways in the
ledger; a case cannot be merged into itself, and only its handler merges it."""

from __future__ import annotations

import asyncio

from domain.actions import MergeInput
from domain.case_models import CaseStatus
from ledger import related
from tests.factories import APPLICANT, GRID
from tests.workflows.test_case import settled, start, view_when
from tests.workflows.test_case_rules import refused
from workflows.case import CaseWorkflow


async def test_a_duplicate_merged_ends_as_merged_and_both_cases_list_the_link(
    time_env, case_worker, clean_pool
):
    first = await start(time_env, case_worker, case_id="M-1")
    second = await start(time_env, case_worker, case_id="M-2")
    await view_when(first, settled)
    await view_when(second, settled)

    itself = await refused(second, CaseWorkflow.merge,
                           MergeInput(actor=GRID, into="M-2", reason="重复"))  # fmt: skip
    stranger = await refused(second, CaseWorkflow.merge,
                             MergeInput(actor=APPLICANT, into="M-1", reason="重复"))  # fmt: skip
    await asyncio.wait_for(
        second.execute_update(
            CaseWorkflow.merge, MergeInput(actor=GRID, into="M-1", reason="同一纠纷两次登记")
        ),
        timeout=30,
    )
    result = await asyncio.wait_for(second.result(), timeout=30)

    assert "itself" in itself or "自身" in itself
    assert stranger
    assert result.status is CaseStatus.merged
    assert [(r["case_id"], r["link"]) for r in await related.links(clean_pool, "M-2")] == [
        ("M-1", "duplicate_of")
    ]
    assert [(r["case_id"], r["link"]) for r in await related.links(clean_pool, "M-1")] == [
        ("M-2", "merged_from")
    ]
    status = await clean_pool.fetchval("SELECT status FROM cases WHERE case_id = 'M-2'")
    assert status == "merged"
