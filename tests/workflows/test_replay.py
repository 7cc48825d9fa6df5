"""Replay saved case histories against today's CaseWorkflow code.

A change to the workflow that would break a case already running in production fails here.
The histories in tests/histories/ were recorded from real runs; to add one for a new path:

    RECORD_HISTORIES=1 .venv/bin/pytest tests/workflows/test_replay.py -k record

Never re-record an existing file to make this test pass: guard the change with
`workflow.patched` instead.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from domain.case_models import Actor, OutcomeInput
from tests import factories
from tests.workflows.test_case import start
from workflows.case import CaseWorkflow

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
SAVED = sorted(HISTORIES.glob("*.json"))
HANDLER = Actor(name="赵网格员", role="grid_worker", unit="G-07")


def test_histories_are_saved():
    assert {p.stem for p in SAVED} >= {"climb_to_county", "resolved_at_village"}


@pytest.mark.parametrize("path", SAVED, ids=[p.stem for p in SAVED])
async def test_saved_history_replays_without_nondeterminism(path: Path):
    history = WorkflowHistory.from_json(f"case-{path.stem}", path.read_text())  # noqa: ASYNC240
    replayer = Replayer(workflows=[CaseWorkflow], data_converter=pydantic_data_converter)
    await replayer.replay_workflow(history)  # raises on any non-determinism


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records histories on request")
async def test_record_histories(time_env, case_worker, clean_pool):
    await factories.load_roster(clean_pool)
    climb = await start(time_env, case_worker, "climb_to_county")
    await time_env.sleep(timedelta(days=40))
    await climb.execute_update(
        CaseWorkflow.report_outcome, OutcomeInput(outcome="resolved", actor=HANDLER, level="county")
    )
    await climb.result()

    resolved = await start(time_env, case_worker, "resolved_at_village")
    await resolved.execute_update(
        CaseWorkflow.report_outcome,
        OutcomeInput(outcome="failed", actor=HANDLER, reason="no answer"),
    )
    await resolved.execute_update(
        CaseWorkflow.report_outcome,
        OutcomeInput(outcome="resolved", actor=HANDLER, agreement="apology"),
    )
    await resolved.result()

    for handle in (climb, resolved):
        history = await handle.fetch_history()
        (HISTORIES / f"{handle.id.removeprefix('case-')}.json").write_text(history.to_json())
