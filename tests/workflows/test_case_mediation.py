"""Tri-linked mediation (三调联动), labour arbitration and judicial confirmation on the
time-skipping server, with a real worker and PostgreSQL."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.actions import (
    Actor,
    ArbitrationInput,
    ConfirmationInput,
    OutcomeInput,
    TrackExtendInput,
    TrackInput,
)
from domain.case_models import CaseStatus
from domain.policy import Budget
from ledger.cases import case_history
from tests import factories
from tests.factories import APPLICANT, GRID, RESPONDENT, TOWNSHIP
from tests.workflows.test_case import settled, start, view_when
from workflows.case import CaseWorkflow


async def sleep_past(env, moment) -> None:
    """Skip time to an hour after `moment`: how long a limit in days lasts depends on the
    weekday the test runs on (it ends at 24:00 of its last day, moved past a weekend)."""
    await env.sleep(moment - await env.get_current_time() + timedelta(hours=1))


ARBITRATOR = Actor(name="劳动仲裁员", role="arbitrator", unit="Haibowan District")
COURT = Actor(name="法官", role="judge", unit="Haibowan District Court")


async def test_a_case_is_routed_to_a_track_at_intake(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker, dispute_type="consumer")

    view = await view_when(handle, settled)

    assert (view.mediation.track, view.mediation.department) == (
        "administrative",
        "market_supervision",
    )
    # 30 days, to 24:00 of the last day (past a weekend or holiday): docs/clocks.md
    due, started = view.mediation.due_at, view.mediation.started_at
    assert due == factories.DEFAULT_POLICY.after(started, Budget.parse("30d")).due
    assert factories.DEFAULT_POLICY.local(due).time() == time(0)
    assert timedelta(days=30) < due - started < timedelta(days=35)


async def test_hand_off_from_peoples_to_judicial_keeps_the_case_and_its_clocks(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    before = await view_when(handle, settled)

    view = await handle.execute_update(
        CaseWorkflow.track,
        TrackInput(actor=GRID, to_track="judicial_pre_filing", reason="needs the court's weight"),
    )

    assert before.mediation.track == "peoples"
    assert view.mediation.track == "judicial_pre_filing"
    assert view.mediation.history == ["peoples", "judicial_pre_filing"]
    assert (view.level, view.due_at, view.case_id) == (before.level, before.due_at, before.case_id)
    assert view.events[: len(before.events)] == before.events  # no re-intake
    assert view.events[-1].kind == "mediation_track"


async def test_the_parties_choice_must_be_open_to_the_dispute(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker, dispute_type="wages")
    await view_when(handle, settled)

    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.track,
            TrackInput(actor=APPLICANT, to_track="peoples", reason="we prefer the committee"),
        )

    assert "may not choose peoples for a wages dispute" in str(caught.value.cause)


async def test_failure_on_the_last_track_refers_the_parties_to_other_routes(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, complexity="complex")  # judicial from the start
    view = await view_when(handle, settled)
    assert view.mediation.track == "judicial_pre_filing"

    await handle.execute_update(
        CaseWorkflow.track, TrackInput(actor=GRID, reason="no agreement possible")
    )
    result = await handle.result()

    final = await handle.query(CaseWorkflow.view)
    assert result.status is CaseStatus.referred
    referred, closed = final.events[-2:]
    assert referred.kind == "referred" and "court" in referred.data["route"]
    assert closed.data["outcome"] == "referred"


async def test_labour_path_goes_from_mediation_to_arbitration_and_its_award(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, dispute_type="wages", policy=factories.NO_VISITS)
    view = await view_when(handle, settled)
    assert view.mediation.track == "labour_mediation"

    # 15 days of mediation lapse (to 24:00 of the last day, past a weekend: docs/clocks.md)
    await sleep_past(time_env, view.mediation.due_at)
    lapsed = await handle.query(CaseWorkflow.view)
    applied = await handle.execute_update(
        CaseWorkflow.arbitration, ArbitrationInput(actor=APPLICANT, step="applied")
    )
    accepted = await handle.execute_update(
        CaseWorkflow.arbitration, ArbitrationInput(actor=ARBITRATOR, step="accepted")
    )
    awarded = await handle.execute_update(
        CaseWorkflow.arbitration,
        ArbitrationInput(actor=ARBITRATOR, step="award", award="pay 18,000 CNY in arrears"),
    )

    assert lapsed.mediation.track == "labour_arbitration"
    assert lapsed.mediation.due_at is None  # no clock until a party applies
    assert "track_lapsed" in [e.kind for e in lapsed.events]
    accept_by = factories.NO_VISITS.after(applied.mediation.applied_at, Budget.parse("5d"))
    assert applied.mediation.due_at == accept_by.due  # 5 days from the application
    award_by = factories.NO_VISITS.after(accepted.mediation.accepted_at, Budget.parse("45d"))
    assert accepted.mediation.due_at == award_by.due  # 45 days, to 24:00 of the last day
    resolved = next(e for e in awarded.events if e.kind == "resolved")
    assert resolved.data["agreement"] == "pay 18,000 CNY in arrears"
    # An award is no mediation agreement: no judicial confirmation, but 15 days to sue.
    kinds = [e.kind for e in awarded.events]
    assert "confirmation_window" not in kinds and kinds[-1] == "arbitration_sue_window"
    assert awarded.status is CaseStatus.resolved  # open until the window to sue has passed

    await sleep_past(time_env, awarded.mediation.sue_by)
    final = await handle.result()
    assert final.status is CaseStatus.closed
    history = [e.kind for e in await case_history(clean_pool, awarded.case_id)]
    assert history[-2:] == ["arbitration_award_final", "closed"]


async def test_arbitration_waits_for_an_application_and_a_late_acceptance_is_flagged(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, dispute_type="labour")
    await view_when(handle, settled)
    moved = await handle.execute_update(
        CaseWorkflow.track, TrackInput(actor=GRID, reason="the employer will not talk")
    )
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await handle.execute_update(
            CaseWorkflow.arbitration, ArbitrationInput(actor=ARBITRATOR, step="accepted")
        )
    applied = await handle.execute_update(
        CaseWorkflow.arbitration, ArbitrationInput(actor=APPLICANT, step="applied")
    )

    await sleep_past(time_env, applied.mediation.due_at)  # the committee's 5 days to accept

    assert moved.mediation.due_at is None
    assert "no party has applied" in str(refused.value.cause)
    view = await handle.query(CaseWorkflow.view)
    overdue = next(e for e in view.events if e.kind == "arbitration_overdue")
    assert overdue.data["step"] == "acceptance"


async def test_confirmation_applied_accepted_and_confirmed_closes_the_follow_up(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, policy=factories.NO_VISITS)
    await view_when(handle, settled)
    await handle.execute_update(
        CaseWorkflow.outcome,
        OutcomeInput(outcome="resolved", actor=GRID, agreement="repair the ceiling by 12-01"),
    )

    applied = await handle.execute_update(
        CaseWorkflow.confirmation, ConfirmationInput(actor=RESPONDENT, step="applied")
    )
    refused = None
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.confirmation, ConfirmationInput(actor=TOWNSHIP, step="accepted")
        )
    refused = str(caught.value.cause)
    accepted = await handle.execute_update(
        CaseWorkflow.confirmation, ConfirmationInput(actor=COURT, step="accepted")
    )
    await handle.execute_update(
        CaseWorkflow.confirmation, ConfirmationInput(actor=COURT, step="confirmed")
    )
    result = await handle.result()

    assert applied.confirmation.accept_by is not None
    assert "only the court" in refused
    assert accepted.confirmation.decide_by is not None
    assert result.status is CaseStatus.closed
    final = await handle.query(CaseWorkflow.view)
    assert final.confirmation.outcome == "confirmed"
    assert [e.kind for e in final.events][-2:] == ["confirmation_confirmed", "closed"]


async def test_a_judicial_track_is_extended_only_with_both_parties_consent(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, complexity="complex")
    before = await view_when(handle, settled)

    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.extend_track,
            TrackExtendInput(actor=GRID, by="10d", both_parties_consent=False, reason="appraisal"),
        )
    view = await handle.execute_update(
        CaseWorkflow.extend_track,
        TrackExtendInput(actor=GRID, by="10d", both_parties_consent=True, reason="appraisal"),
    )

    assert "needs both parties' consent" in str(caught.value.cause)
    # Ten days more, counted as the law counts them: a last day that is a day off moves to
    # the next working day (so the gap is ten days or a little more, by the calendar).
    expected = factories.DEFAULT_POLICY.after(before.mediation.due_at, Budget.parse("10d")).due
    assert view.mediation.due_at == expected
    assert view.mediation.due_at - before.mediation.due_at >= timedelta(days=10)
    assert view.events[-1].kind == "track_extended"
