"""The case's lifecycle in a running workflow: a supervised case whose last mediation track
lapses stays supervised (issue 20), and a case started before that fix still takes its old
path; both paths' histories replay against today's code."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio import workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHandle
from temporalio.worker import Replayer

from domain.actions import EscalateInput, TrackInput
from domain.case_models import CaseStatus, OutcomeInput
from domain.naming import workflow_id_for
from runtime.codec import data_converter
from tests import factories
from tests.factories import COUNTY
from tests.workflows.test_case import settled, start, view_when
from tests.workflows.test_case_mediation import sleep_past
from workflows.case import CaseWorkflow
from workflows.case.versions import SUPERVISED_LAPSE_STAYS_OPEN


async def supervised_on_the_last_track(time_env, case_worker) -> WorkflowHandle:
    """A complex case (judicial pre-filing from the start: the last track) that every level
    failed: under the county's supervision with its track's limit still running."""
    handle = await start(time_env, case_worker, complexity="complex", policy=factories.NO_VISITS)
    view = await view_when(handle, settled)
    assert view.mediation.track == "judicial_pre_filing"
    for level in ("grid", "village", "township", "county"):
        view = await handle.execute_update(
            CaseWorkflow.outcome,
            OutcomeInput(
                outcome="failed",
                actor=factories.HANDLERS[level],
                level=level,
                reason=f"stuck at {level}",
            ),
        )
    assert view.status is CaseStatus.supervised
    assert view.mediation.due_at is not None
    return handle


def markers(history) -> list:
    return [e for e in history.events if e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED]


async def replays(handle: WorkflowHandle, payload_keys) -> None:
    history = await handle.fetch_history()
    replayer = Replayer(workflows=[CaseWorkflow], data_converter=data_converter(payload_keys))
    await replayer.replay_workflow(history)  # raises on any non-determinism


async def test_a_supervised_case_whose_last_track_lapses_stays_supervised_and_says_so(
    time_env, case_worker, clean_pool, payload_keys
):
    handle = await supervised_on_the_last_track(time_env, case_worker)
    due = (await handle.query(CaseWorkflow.view)).mediation.due_at

    await sleep_past(time_env, due)
    view = await view_when(handle, lambda v: v.events[-1].kind == "mediation_exhausted")

    assert view.status is CaseStatus.supervised and view.closed_at is None
    lapsed, exhausted = view.events[-2:]
    assert lapsed.kind == "track_lapsed"
    assert exhausted.data == {
        "track": "judicial_pre_filing",
        "reason": "its time limit passed",
        "status": "supervised",
    }
    assert "stays under county supervision" in exhausted.summary
    told = await clean_pool.fetch(
        "SELECT recipient_role, recipient_unit FROM outbox WHERE case_id = $1 AND seq = $2",
        view.case_id,
        exhausted.seq,
    )
    assert [tuple(r) for r in told] == [("supervisor", "Haibowan District")]
    row = await clean_pool.fetchrow("SELECT status FROM cases WHERE case_id = $1", view.case_id)
    assert row["status"] == "supervised"
    # The lapsed track is no longer watched: time passes and nothing else happens.
    await time_env.sleep(timedelta(days=60))
    later = await handle.query(CaseWorkflow.view)
    assert (later.status, later.events[-1].seq) == (CaseStatus.supervised, exhausted.seq)
    # Only a person's act ends it.
    final = await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=COUNTY, level="county")
    )
    assert (await handle.result()).status is CaseStatus.closed
    assert final.events[-1].kind == "closed"
    history = await handle.fetch_history()
    assert len(markers(history)) == 1  # the patch's marker: this case took the new path
    await replays(handle, payload_keys)


async def test_a_case_from_before_the_fix_still_closes_as_referred_and_replays(
    time_env, case_worker, clean_pool, payload_keys, monkeypatch: pytest.MonkeyPatch
):
    """Without the patch (a case whose history predates it) the v0.2.0 path is taken."""
    handle = await supervised_on_the_last_track(time_env, case_worker)
    due = (await handle.query(CaseWorkflow.view)).mediation.due_at
    asked: list[str] = []

    def unpatched(patch_id: str) -> bool:
        asked.append(patch_id)
        return False

    with monkeypatch.context() as m:
        m.setattr(workflow, "patched", unpatched)
        await sleep_past(time_env, due)
        result = await handle.result()

    assert asked and set(asked) == {SUPERVISED_LAPSE_STAYS_OPEN}
    assert result.status is CaseStatus.referred
    final = await handle.query(CaseWorkflow.view)
    referred, closed = final.events[-2:]
    assert referred.kind == "referred" and referred.data["reason"] == "its time limit passed"
    assert closed.data["outcome"] == "referred"
    history = await handle.fetch_history()
    assert markers(history) == []
    # Today's code, with the real `patched`, replays the old history along the old path.
    await replays(handle, payload_keys)


async def test_an_open_case_whose_last_track_lapses_is_referred_without_a_marker(
    time_env, case_worker, clean_pool, payload_keys
):
    """Only the supervised path asks for the patch: every other case's commands are as before.
    On the policy's limits (a start without the court's table, as before 0.3.0): on the table
    a simplified entrusted mediation's end is flagged and the case stays on its track."""
    case = factories.case_start(f"T-{uuid.uuid4().hex[:8]}", policy=factories.NO_VISITS)
    old = case.model_copy(update={"court": None})
    handle = await time_env.client.start_workflow(
        CaseWorkflow.run, old, id=workflow_id_for(old.case_id), task_queue=case_worker.task_queue
    )
    await view_when(handle, settled)
    # The county pulls it up at once (20 working days) and hands it to the court's 7 days.
    await handle.execute_update(
        CaseWorkflow.pull_up,
        EscalateInput(actor=factories.supervisor("Haibowan District"), reason="urgent"),
    )
    view = await handle.execute_update(
        CaseWorkflow.track,
        TrackInput(actor=COUNTY, to_track="judicial_simplified", reason="a quick hearing"),
    )
    assert view.status is CaseStatus.open and view.level.value == "county"
    assert view.mediation.track == "judicial_simplified"
    assert view.due_at > view.mediation.due_at, "the test needs the track to lapse first"

    await sleep_past(time_env, view.mediation.due_at)
    result = await handle.result()

    assert result.status is CaseStatus.referred
    assert markers(await handle.fetch_history()) == []
    await replays(handle, payload_keys)
