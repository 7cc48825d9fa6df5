"""Replay saved histories of matters on a procedure (tests/histories/procedures/) against
today's ProcedureWorkflow: a change that would break a running 信访 matter or court road fails
here. Record a new story with

    RECORD_HISTORIES=1 .venv/bin/pytest tests/workflows/test_procedure_replay.py -k record

never re-recording a saved one (guard the change with `workflow.patched` instead)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from domain.actions import Actor
from runtime.codec import data_converter
from tests.workflows.test_case import view_when
from tests.workflows.test_procedure_matters import (
    BODY,
    OFFICE,
    PETITIONER,
    act,
    registered,
    start,
    start_road,
)
from workflows.procedure import ProcedureWorkflow

HISTORIES = Path(__file__).resolve().parent.parent / "histories" / "procedures"
SAVED = sorted(HISTORIES.glob("*.json"))
REVIEWER = Actor(name="复查员丙", role="reviewing_body", unit="海博湾区人民政府")
JUDGE = Actor(name="审判员", role="judge")
CLERK = Actor(name="立案庭书记员", role="court_clerk")
OFFICER = Actor(name="执行员", role="enforcement_officer")


def test_procedure_histories_are_saved():
    assert {p.stem for p in SAVED} >= {"petition_to_re_review", "small_claim_converted"}


@pytest.mark.parametrize("path", SAVED, ids=[p.stem for p in SAVED])
async def test_saved_procedure_history_replays_without_nondeterminism(path: Path, payload_keys):
    history = WorkflowHistory.from_json(f"case-{path.stem}", path.read_text())  # noqa: ASYNC240
    replayer = Replayer(workflows=[ProcedureWorkflow], data_converter=data_converter(payload_keys))
    await replayer.replay_workflow(history)


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records histories on request")
async def test_record_procedure_histories(time_env, case_worker, clean_pool):
    for name in ("petition_to_re_review", "small_claim_converted"):
        assert not (HISTORIES / f"{name}.json").exists(), "never re-record a saved history"
    update = ProcedureWorkflow.procedure_action
    petition = await start(time_env, case_worker, "petition_to_re_review")
    await view_when(petition, registered)
    await time_env.sleep(timedelta(days=16))  # the register window passes: flagged
    for step in (
        act("assign", OFFICE),
        act("accept", BODY),
        act("extend", BODY, window="handle"),
        act("reply", BODY, facts={"opinion": "no_support"}),
        act("request_review", PETITIONER),
        act("review_decision", REVIEWER),
        act("request_re_review", PETITIONER),
        act("pause", REVIEWER, reason="hearing"),
    ):
        await petition.execute_update(update, step)
    await time_env.sleep(timedelta(days=10))
    await petition.execute_update(update, act("resume", REVIEWER, reason="hearing"))
    await petition.execute_update(update, act("re_review_decision", REVIEWER))
    await petition.execute_update(update, act("rate", PETITIONER, facts={"rating": "satisfied"}))
    await petition.result()

    road = await start_road(time_env, case_worker, "court", "filed")
    await road.execute_update(update, act("docket_small_claims", CLERK))
    await road.execute_update(update, act("pause", JUDGE, reason="appraisal"))
    await time_env.sleep(timedelta(minutes=20))
    await road.execute_update(update, act("resume", JUDGE, reason="appraisal"))
    await road.execute_update(update, act("convert_to_ordinary", JUDGE))
    await road.execute_update(update, act("judgment", JUDGE))
    await time_env.sleep(timedelta(minutes=16))  # no appeal: effective
    await road.execute_update(update, act("apply_enforcement", OFFICER))
    await road.execute_update(update, act("enforcement_done", OFFICER))
    await time_env.sleep(timedelta(minutes=31))  # nobody rates: closed
    await road.result()

    for handle, name in ((petition, "petition_to_re_review"), (road, "small_claim_converted")):
        history = await handle.fetch_history()
        (HISTORIES / f"{name}.json").write_text(history.to_json())
