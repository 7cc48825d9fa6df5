"""Replay saved case histories against today's CaseWorkflow code.

A change to the workflow that would break a case already running in production fails here.
The histories in tests/histories/ were recorded from real runs; to add one for a new path:

    RECORD_HISTORIES=1 .venv/bin/pytest tests/workflows/test_replay.py -k record

(add a recording test for the new story first). Histories recorded since payload encryption are
encrypted with the committed test-only key `tests/payload-test.keys` and replay through the
codec; the older ones are plain and pass through it. The recorders refuse to overwrite a saved
history: never re-record one to make this test pass; guard the change with
`workflow.patched` instead, its id declared in `workflows/case/versions.py` with the release
that may retire it (today: `SUPERVISED_LAPSE_STAYS_OPEN` in `workflows/case/tracks.py`: its new
path is saved as `supervised_lapse`, and both of its paths are run and replayed in
tests/workflows/test_case_lifecycle.py).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from domain.actions import ExtendInput, OutcomeInput, PauseInput, ResumeInput, VisitInput
from runtime.codec import data_converter
from tests import factories
from tests.factories import COUNTY, GRID, VILLAGE, supervisor
from tests.workflows.test_case import start
from workflows.case import CaseWorkflow

HISTORIES = Path(__file__).resolve().parent.parent / "histories"
SAVED = sorted(HISTORIES.glob("*.json"))


def test_histories_are_saved():
    assert {p.stem for p in SAVED} >= {
        "climb_to_county", "resolved_at_village", "whistle_track_confirmation", "chinese_case",
    }  # fmt: skip


@pytest.mark.parametrize("path", SAVED, ids=[p.stem for p in SAVED])
async def test_saved_history_replays_without_nondeterminism(path: Path, payload_keys):
    history = WorkflowHistory.from_json(f"case-{path.stem}", path.read_text())  # noqa: ASYNC240
    # Plain (saved before encryption) or under the test key: the codec reads both.
    replayer = Replayer(workflows=[CaseWorkflow], data_converter=data_converter(payload_keys))
    await replayer.replay_workflow(history)  # raises on any non-determinism


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records histories on request")
async def test_record_histories(time_env, case_worker, clean_pool):
    for name in ("climb_to_county", "resolved_at_village"):
        assert not (HISTORIES / f"{name}.json").exists(), "never re-record a saved history"
    await factories.load_roster(clean_pool)
    climb = await start(time_env, case_worker, "climb_to_county")
    await time_env.sleep(timedelta(days=40))
    await climb.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=COUNTY, level="county")
    )
    for name in ("satisfaction", "performance"):
        await climb.execute_update(
            CaseWorkflow.visit, VisitInput(actor=GRID, visit=name, result="satisfied")
        )
    await climb.result()

    story = await start(time_env, case_worker, "resolved_at_village")
    await story.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing"))
    await time_env.sleep(timedelta(hours=5))
    await story.execute_update(CaseWorkflow.resume, ResumeInput(actor=GRID))
    await story.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="failed", actor=GRID, reason="no answer")
    )
    await story.execute_update(
        CaseWorkflow.extend,
        ExtendInput(actor=supervisor("Haibei Street"), by="12h", reason="appraisal pending"),
    )
    await story.execute_update(
        CaseWorkflow.outcome,
        OutcomeInput(outcome="resolved", actor=VILLAGE, agreement="apology and repair"),
    )
    await story.execute_update(
        CaseWorkflow.visit,
        VisitInput(actor=GRID, visit="satisfaction", result="dissatisfied"),
    )
    await story.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=VILLAGE)
    )
    await time_env.sleep(timedelta(days=35))  # the visits fall due, one goes overdue
    for name in ("satisfaction", "performance"):
        await story.execute_update(
            CaseWorkflow.visit, VisitInput(actor=GRID, visit=name, result="satisfied")
        )
    await story.result()

    for handle in (climb, story):
        history = await handle.fetch_history()
        (HISTORIES / f"{handle.id.removeprefix('case-')}.json").write_text(history.to_json())


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records histories on request")
async def test_record_whistle_track_confirmation(time_env, case_worker, clean_pool):
    """A red case: a whistle answered by two departments, a hand-off to judicial mediation,
    a resolution whose agreement the court confirms, the visits."""
    from domain.actions import ConfirmationInput, TrackInput, WhistleInput
    from domain.duty_contract import DutyCheckIn, DutyReport
    from domain.naming import duty_workflow_id
    from ledger.departments import load_departments
    from tests.factories import RESPONDENT, TOWNSHIP, Actor
    from workflows.department_duty import DepartmentDutyWorkflow

    path = HISTORIES / "whistle_track_confirmation.json"
    assert not path.exists(), "never re-record a saved history: guard the change instead"
    await factories.load_roster(clean_pool)
    await load_departments(clean_pool, factories.sample_departments())
    case = await start(
        time_env, case_worker, "whistle_track_confirmation", risk_flags=["group_dispute"]
    )
    await case.execute_update(
        CaseWorkflow.whistle,
        WhistleInput(actor=TOWNSHIP, kind="routine", reason="boundary fight",
                     departments=["police_station", "judicial_office"]),
    )  # fmt: skip
    for code in ("police_station", "judicial_office"):
        who = Actor(name="值班员", role=code, unit="Haibei Street")
        duty = time_env.client.get_workflow_handle(duty_workflow_id(case.id, 1, code))
        await duty.execute_update(DepartmentDutyWorkflow.check_in, DutyCheckIn(actor=who))
        await duty.execute_update(
            DepartmentDutyWorkflow.file_report, DutyReport(actor=who, result="on site")
        )
        await duty.result()
    await case.execute_update(
        CaseWorkflow.track,
        TrackInput(actor=TOWNSHIP, to_track="judicial_pre_filing", reason="the court's weight"),
    )
    await case.execute_update(
        CaseWorkflow.outcome,
        OutcomeInput(outcome="resolved", actor=TOWNSHIP, agreement="new fence line"),
    )
    court = Actor(name="法官", role="judge", unit="court")
    await case.execute_update(
        CaseWorkflow.confirmation, ConfirmationInput(actor=RESPONDENT, step="applied")
    )
    for step in ("accepted", "confirmed"):
        await case.execute_update(
            CaseWorkflow.confirmation, ConfirmationInput(actor=court, step=step)
        )
    await time_env.sleep(timedelta(days=2))
    for name in ("satisfaction", "performance"):
        if name == "performance":
            await time_env.sleep(timedelta(days=29))
        await case.execute_update(
            CaseWorkflow.visit, VisitInput(actor=GRID, visit=name, result="satisfied")
        )
    await case.result()
    path.write_text((await case.fetch_history()).to_json())


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records histories on request")
async def test_record_chinese_case(time_env, case_worker, clean_pool):
    """A case started in Chinese (CaseStart.lang): paused, failed at the grid, extended and
    resolved at the village, a visit; its texts come from the catalogs."""
    from texts import Lang

    path = HISTORIES / "chinese_case.json"
    assert not path.exists(), "never re-record a saved history: guard the change instead"
    await factories.load_roster(clean_pool)
    case = await start(time_env, case_worker, "chinese_case", lang=Lang.zh)
    await case.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="appraisal"))
    await time_env.sleep(timedelta(hours=3))
    await case.execute_update(CaseWorkflow.resume, ResumeInput(actor=GRID))
    await case.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="failed", actor=GRID, reason="双方僵持")
    )
    await case.execute_update(
        CaseWorkflow.extend,
        ExtendInput(actor=supervisor("Haibei Street"), by="12h", reason="等待鉴定结论"),
    )
    await case.execute_update(
        CaseWorkflow.outcome,
        OutcomeInput(outcome="resolved", actor=VILLAGE, agreement="赔礼道歉并修复"),
    )
    await time_env.sleep(timedelta(days=35))
    for name in ("satisfaction", "performance"):
        await case.execute_update(
            CaseWorkflow.visit, VisitInput(actor=GRID, visit=name, result="satisfied")
        )
    await case.result()
    path.write_text((await case.fetch_history()).to_json())


@pytest.mark.skipif(not os.environ.get("RECORD_HISTORIES"), reason="records histories on request")
async def test_record_supervised_lapse(time_env, case_worker, clean_pool):
    """A complex case every level failed, under county supervision when its last track (the
    court's pre-filing mediation) lapses: it stays supervised (the patch
    `SUPERVISED_LAPSE_STAYS_OPEN`, its marker in the history), then the county resolves it."""
    from tests.workflows.test_case_lifecycle import supervised_on_the_last_track
    from tests.workflows.test_case_mediation import sleep_past

    path = HISTORIES / "supervised_lapse.json"
    assert not path.exists(), "never re-record a saved history: guard the change instead"
    case = await supervised_on_the_last_track(time_env, case_worker)
    await sleep_past(time_env, (await case.query(CaseWorkflow.view)).mediation.due_at)
    await case.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=COUNTY, level="county")
    )
    await case.result()
    path.write_text((await case.fetch_history()).to_json())
