"""Tri-linked mediation (三调联动), labour arbitration and judicial confirmation on the
time-skipping server, with a real worker and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid
from datetime import time, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.actions import (
    Actor,
    ArbitrationInput,
    ConfirmationInput,
    OutcomeInput,
    PauseInput,
    ResumeInput,
    TrackExtendInput,
    TrackInput,
    VisitInput,
)
from domain.case_models import CaseStatus
from domain.confirmation import confirmation_deadlines, period_end
from domain.naming import workflow_id_for
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
        ArbitrationInput(
            actor=ARBITRATOR, step="award", award="pay 18,000 CNY in arrears", wage_months=14
        ),
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
    # Above 12 months' wage: either party may sue within 15 days (Art. 50), from the table.
    assert (awarded.procedure.name, awarded.procedure.state) == (
        "labour_arbitration", "award_open_to_suit",
    )  # fmt: skip
    [sue] = awarded.procedure.windows
    assert (sue.name, sue.law, sue.due_at) == ("sue", "劳动争议调解仲裁法 第五十条",
                                               awarded.mediation.sue_by)  # fmt: skip

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


async def arbitration_case(time_env, case_worker):
    """A wage case whose mediation lapsed, a party applied for arbitration: on the engine."""
    handle = await start(time_env, case_worker, dispute_type="wages", policy=factories.NO_VISITS)
    view = await view_when(handle, settled)
    await sleep_past(time_env, view.mediation.due_at)  # 15 days of labour mediation lapse
    applied = await handle.execute_update(
        CaseWorkflow.arbitration, ArbitrationInput(actor=APPLICANT, step="applied")
    )
    return handle, applied


async def test_a_cases_arbitration_not_accepted_by_day_5_opens_the_workers_right_to_sue(
    time_env, case_worker, clean_pool
):
    handle, applied = await arbitration_case(time_env, case_worker)
    [accept] = applied.procedure.windows
    assert (accept.name, accept.law) == ("accept", "劳动争议调解仲裁法 第二十九条")
    assert accept.due_at == applied.mediation.due_at
    assert accept.due_at == factories.NO_VISITS.after(applied.mediation.applied_at,
                                                      Budget.parse("5d")).due  # fmt: skip

    await sleep_past(time_env, accept.due_at)
    view = await view_when(handle, lambda v: "may_sue" in v.procedure.routes)
    assert view.procedure.flags == ["overdue:accept"] and view.mediation.flagged_overdue
    kinds = [e.kind for e in await case_history(clean_pool, view.case_id)]
    assert kinds[-2:] == ["arbitration_overdue", "arbitration_route"]
    route = next(e for e in view.events if e.kind == "arbitration_route")
    assert route.data == {"route": "may_sue", "window": "accept",
                          "law": "劳动争议调解仲裁法 第二十九条",
                          "procedure": "labour_arbitration", "state": "applied",
                          "final": False}  # fmt: skip
    outbox = await clean_pool.fetch(
        "SELECT DISTINCT recipient_role FROM outbox WHERE case_id = $1", view.case_id
    )
    assert {"applicant", "respondent"} <= {r["recipient_role"] for r in outbox}


async def test_a_cases_award_of_8_months_wage_is_final_for_the_employer_15_days_for_the_worker(
    time_env, case_worker, clean_pool
):
    handle, _ = await arbitration_case(time_env, case_worker)
    accepted = await handle.execute_update(
        CaseWorkflow.arbitration, ArbitrationInput(actor=ARBITRATOR, step="accepted")
    )
    extended = await handle.execute_update(
        CaseWorkflow.arbitration, ArbitrationInput(actor=ARBITRATOR, step="extended")
    )
    assert (
        extended.mediation.due_at
        == factories.NO_VISITS.after(accepted.mediation.accepted_at, Budget.parse("60d")).due
    )  # 45 + 15 with the chair's approval, once (Art. 43)
    with pytest.raises(WorkflowUpdateFailedError) as again:
        await handle.execute_update(
            CaseWorkflow.arbitration, ArbitrationInput(actor=ARBITRATOR, step="extended")
        )
    assert "1 time(s) only" in str(again.value.cause) and "第四十三条" in str(again.value.cause)
    with pytest.raises(WorkflowUpdateFailedError) as no_amount:
        await handle.execute_update(
            CaseWorkflow.arbitration,
            ArbitrationInput(actor=ARBITRATOR, step="award", award="pay 9,000 CNY"),
        )
    assert "wage_months" in str(no_amount.value.cause)

    awarded = await handle.execute_update(
        CaseWorkflow.arbitration,
        ArbitrationInput(actor=ARBITRATOR, step="award", award="pay 9,000 CNY", wage_months=8),
    )
    assert awarded.procedure.state == "award_final_for_employer"
    [sue] = awarded.procedure.windows
    assert (sue.name, sue.law) == ("worker_sue", "劳动争议调解仲裁法 第四十八条")
    assert (
        sue.due_at
        == awarded.mediation.sue_by
        == factories.NO_VISITS.after(sue.starts_at, Budget.parse("15d")).due
    )
    told = awarded.events[-1]
    assert told.kind == "arbitration_sue_window" and told.data["final_for_employer"] is True
    # Where the table's run stands, as the figures read a procedure's events (docs/metrics.md).
    assert (told.data["procedure"], told.data["state"], told.data["final"]) == (
        "labour_arbitration", "award_final_for_employer", False,
    )  # fmt: skip

    await sleep_past(time_env, sue.due_at)
    final = await handle.result()
    assert final.status is CaseStatus.closed
    history = [e.kind for e in await case_history(clean_pool, awarded.case_id)]
    assert history[-2:] == ["arbitration_award_final", "closed"]


async def test_a_case_started_before_the_engine_keeps_the_policys_arbitration_clocks(
    time_env, case_worker, clean_pool
):
    case = factories.case_start(f"T-{uuid.uuid4().hex[:8]}", dispute_type="wages",
                                policy=factories.NO_VISITS)  # fmt: skip
    old = case.model_copy(update={"arbitration": None})  # as a v0.2.0 start holds it
    handle = await time_env.client.start_workflow(
        CaseWorkflow.run, old, id=workflow_id_for(old.case_id), task_queue=case_worker.task_queue
    )
    view = await view_when(handle, settled)
    await sleep_past(time_env, view.mediation.due_at)
    applied = await handle.execute_update(
        CaseWorkflow.arbitration, ArbitrationInput(actor=APPLICANT, step="applied")
    )
    assert applied.procedure is None  # no run: the old clocks
    assert (
        applied.mediation.due_at
        == factories.NO_VISITS.after(applied.mediation.applied_at, Budget.parse("5d")).due
    )
    history = await handle.fetch_history()
    markers = [e for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert markers == []  # the patch is not even asked


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


def _confirm(actor: Actor, step: str) -> tuple:
    return CaseWorkflow.confirmation, ConfirmationInput(actor=actor, step=step)


async def test_judicial_confirmation_runs_its_table_one_extension_and_the_courts_lateness(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, policy=factories.NO_VISITS)
    await view_when(handle, settled)
    agreed = await handle.execute_update(
        CaseWorkflow.outcome,
        OutcomeInput(outcome="resolved", actor=GRID, agreement="repair the ceiling by 12-01"),
    )
    c, count = agreed.confirmation, {"calendar": factories.NO_VISITS.calendar}
    assert c.procedure.procedure == "judicial_confirmation" and c.procedure.state == "agreement"
    # The table's 30 days (人民调解法 Art. 33), counted as the law counts them.
    assert c.apply_by == period_end(c.agreement_at, 30, **count)
    assert c.apply_by == c.procedure.window("apply").due_at
    window = next(e for e in agreed.events if e.kind == "confirmation_window")
    assert window.data | {"apply_by": None, "remind_at": None} == {
        "apply_by": None, "remind_at": None,
        "procedure": "judicial_confirmation", "state": "agreement", "final": False,
    }  # fmt: skip

    await handle.execute_update(*_confirm(RESPONDENT, "applied"))
    accepted = await handle.execute_update(*_confirm(COURT, "accepted"))
    accepted_at = accepted.confirmation.accepted_at
    assert accepted.confirmation.decide_by == period_end(accepted_at, 15, **count)
    extended = await handle.execute_update(*_confirm(COURT, "extended"))
    # One extension of 10 days, running on from the original end (法释〔2011〕5号 Art. 6).
    due = extended.confirmation.decide_by
    assert due == period_end(accepted_at, 25, **count)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(*_confirm(COURT, "extended"))
    assert "1 time(s) only (法释〔2011〕5号 第六条)" in str(caught.value.cause)

    await sleep_past(time_env, due)
    late = await view_when(handle, lambda v: v.events[-1].kind == "court_decision_overdue")
    assert "overdue:court_decide" in late.confirmation.procedure.flags
    assert late.events[-1].data["state"] == "accepted"
    confirmed = await handle.execute_update(*_confirm(COURT, "confirmed"))
    assert confirmed.confirmation.outcome == "confirmed"
    assert confirmed.confirmation.procedure.final
    result = await handle.result()
    assert result.status is CaseStatus.closed
    kinds = [e.kind for e in await case_history(clean_pool, confirmed.case_id)]
    assert kinds[-2:] == ["confirmation_confirmed", "closed"]
    assert "confirmation_refused" not in kinds  # the validator refused the second extension


async def test_a_case_started_before_the_engine_keeps_the_policys_confirmation_clocks(
    time_env, case_worker, clean_pool
):
    case = factories.case_start(f"T-{uuid.uuid4().hex[:8]}", policy=factories.NO_VISITS)
    old = case.model_copy(update={"confirmation": None})  # as a v0.2.0 start holds it
    handle = await time_env.client.start_workflow(
        CaseWorkflow.run, old, id=workflow_id_for(old.case_id), task_queue=case_worker.task_queue
    )
    await view_when(handle, settled)
    agreed = await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID, agreement="repair")
    )
    c = agreed.confirmation
    assert c.procedure is None  # no run: the policy's clocks
    assert c.apply_by == confirmation_deadlines(
        c.agreement_at, factories.NO_VISITS.confirmation,
        calendar=factories.NO_VISITS.calendar, utc_offset_hours=8,
    ).apply_by  # fmt: skip
    window = next(e for e in agreed.events if e.kind == "confirmation_window")
    assert "procedure" not in window.data
    history = await handle.fetch_history()
    markers = [e for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert markers == []  # no patch is asked: the start alone decides


async def test_a_judicial_track_is_extended_only_with_both_parties_consent(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, complexity="complex")
    before = await view_when(handle, settled)
    # Court-referred mediation before filing (委派), on the court table's window.
    run = before.procedure
    assert (run.name, run.state) == ("court", "pre_filing_mediation")
    [window] = run.windows
    assert (window.name, window.law) == ("pre_filing", "特邀调解规定 第二十七条")
    assert before.mediation.due_at == window.due_at
    assert (
        window.due_at == factories.DEFAULT_POLICY.after(window.starts_at, Budget.parse("30d")).due
    )

    async def refused(by: str, consent: bool) -> str:
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await handle.execute_update(
                CaseWorkflow.extend_track,
                TrackExtendInput(
                    actor=GRID, by=by, both_parties_consent=consent, reason="appraisal"
                ),
            )
        return str(caught.value.cause)

    assert "needs consent (特邀调解规定 第二十七条)" in await refused("30d", False)
    assert "extends this mediation by 30d" in await refused("10d", True)
    view = await handle.execute_update(
        CaseWorkflow.extend_track,
        TrackExtendInput(actor=GRID, by="30d", both_parties_consent=True, reason="appraisal"),
    )
    # Thirty days more, one period of 60 from the start, counted as the law counts them.
    expected = factories.DEFAULT_POLICY.after(window.starts_at, Budget.parse("60d")).due
    assert view.mediation.due_at == expected == view.procedure.windows[0].due_at
    assert view.events[-1].kind == "track_extended" and view.events[-1].data["by"] == "30d"
    assert "1 time(s) only" in await refused("30d", True)


async def test_a_judicial_track_started_before_the_engine_keeps_the_policys_limit_and_extension(
    time_env, case_worker, clean_pool
):
    case = factories.case_start(f"T-{uuid.uuid4().hex[:8]}", complexity="complex")
    old = case.model_copy(update={"court": None})  # as a v0.2.0 start holds it
    handle = await time_env.client.start_workflow(
        CaseWorkflow.run, old, id=workflow_id_for(old.case_id), task_queue=case_worker.task_queue
    )
    before = await view_when(handle, settled)
    assert before.procedure is None and before.mediation.track == "judicial_pre_filing"
    view = await handle.execute_update(
        CaseWorkflow.extend_track,
        TrackExtendInput(actor=GRID, by="10d", both_parties_consent=True, reason="appraisal"),
    )
    expected = factories.DEFAULT_POLICY.after(before.mediation.due_at, Budget.parse("10d")).due
    assert view.mediation.due_at == expected
    history = await handle.fetch_history()
    markers = [e for e in history.events if e.HasField("marker_recorded_event_attributes")]
    assert markers == []  # no patch is asked: the start alone decides


async def test_pre_filing_mediation_past_its_days_lapses_to_docketing_and_mediation_ends(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, complexity="complex", policy=factories.NO_VISITS)
    view = await view_when(handle, settled)
    await sleep_past(time_env, view.mediation.due_at)
    final = await view_when(handle, lambda v: any(e.kind == "track_lapsed" for e in v.events))
    lapsed = next(e for e in final.events if e.kind == "track_lapsed")
    # The table's expiry: the dispute goes to docketing (特邀调解规定 Art. 21); the court track
    # was the last, so mediation ends (referred, or kept under the county's supervision).
    assert lapsed.data["law"] == "特邀调解规定 第二十一条"
    assert final.procedure.state == "filed"
    kinds = [e.kind for e in await case_history(clean_pool, final.case_id)]
    assert kinds[kinds.index("track_lapsed") + 1] in ("referred", "mediation_exhausted")


async def test_entrusted_mediation_past_its_15_days_is_flagged_and_stays_on_its_track(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)
    handed = await handle.execute_update(
        CaseWorkflow.track,
        TrackInput(actor=GRID, to_track="judicial_post_filing", reason="filed, then entrusted"),
    )
    [window] = handed.procedure.windows
    assert (handed.procedure.state, window.name) == ("entrusted_mediation", "entrusted")
    assert (
        window.due_at == factories.DEFAULT_POLICY.after(window.starts_at, Budget.parse("15d")).due
    )
    await sleep_past(time_env, window.due_at)
    late = await view_when(handle, lambda v: any(e.kind == "track_overdue" for e in v.events))
    assert late.mediation.track == "judicial_post_filing" and late.mediation.flagged_overdue
    assert late.procedure.flags == ["overdue:entrusted"]
    told = next(e for e in late.events if e.kind == "track_overdue")
    assert told.data["law"] == "特邀调解规定 第二十七条"


async def test_an_agreement_on_a_court_referred_track_settles_its_run(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, complexity="complex", policy=factories.NO_VISITS)
    await view_when(handle, settled)
    resolved = await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID, agreement="repair")
    )
    assert (resolved.procedure.state, resolved.procedure.final) == ("settled", True)


async def test_a_pre_filing_window_ended_during_a_pause_lapses_when_the_case_resumes(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, complexity="complex", policy=factories.NO_VISITS)
    view = await view_when(handle, settled)
    due = view.mediation.due_at
    await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="appraisal"))
    await sleep_past(time_env, due)
    paused = await handle.query(CaseWorkflow.view)
    # The window ran by law, but a paused case cannot be referred: nothing happened yet.
    assert paused.status is CaseStatus.paused
    assert not any(e.kind == "track_lapsed" for e in paused.events)
    assert paused.mediation.due_at == due  # the pause did not lengthen it
    await handle.execute_update(CaseWorkflow.resume, ResumeInput(actor=GRID))
    lapsed = await view_when(handle, lambda v: any(e.kind == "track_lapsed" for e in v.events))
    assert lapsed.procedure.state == "filed"
    assert lapsed.status in (CaseStatus.referred, CaseStatus.closed)


async def _paused_past_the_pre_filing_window(time_env, case_worker):
    """A case on court-referred mediation before filing, paused, and 31 days on."""
    handle = await start(time_env, case_worker, complexity="complex", policy=factories.NO_VISITS)
    view = await view_when(handle, settled)
    await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="appraisal"))
    await sleep_past(time_env, view.mediation.due_at)
    return handle


async def test_an_agreement_after_the_pre_filing_window_ended_in_a_pause_resolves_the_case(
    time_env, case_worker, clean_pool
):
    handle = await _paused_past_the_pre_filing_window(time_env, case_worker)
    resolved = await asyncio.wait_for(
        handle.execute_update(
            CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID, agreement="repair")
        ),
        timeout=30,
    )
    assert resolved.status is CaseStatus.resolved
    assert resolved.procedure.final or resolved.procedure.state == "filed"


async def test_a_failed_track_after_the_pre_filing_window_ended_in_a_pause_moves_on(
    time_env, case_worker, clean_pool
):
    handle = await _paused_past_the_pre_filing_window(time_env, case_worker)
    view = await asyncio.wait_for(
        handle.execute_update(CaseWorkflow.track, TrackInput(actor=GRID, reason="no agreement")),
        timeout=30,
    )
    # The window's end was applied first: the run went to docketing, nothing left to fail.
    kinds = [e.kind for e in view.events]
    assert "mediation_failed" in kinds
    assert "referred" in kinds or "mediation_exhausted" in kinds
    assert view.procedure is None or view.procedure.state == "filed"


async def test_extending_the_pre_filing_window_after_it_ended_is_refused_to_the_caller(
    time_env, case_worker, clean_pool
):
    handle = await _paused_past_the_pre_filing_window(time_env, case_worker)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await asyncio.wait_for(
            handle.execute_update(
                CaseWorkflow.extend_track,
                TrackExtendInput(actor=GRID, by="30d", both_parties_consent=True, reason="x"),
            ),
            timeout=30,
        )
    assert "court-referred mediation has ended (filed)" in str(caught.value.cause)
    view = await handle.query(CaseWorkflow.view)
    assert view.status is CaseStatus.paused


async def test_a_case_reopened_after_a_court_referred_agreement_answers_its_offers(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker, complexity="complex")
    view = await view_when(handle, settled)
    due = view.mediation.due_at
    await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID, agreement="repair")
    )
    reopened = await handle.execute_update(
        CaseWorkflow.visit, VisitInput(actor=GRID, visit="satisfaction", result="dissatisfied")
    )
    assert reopened.status is CaseStatus.open and reopened.procedure.final
    offered = (await handle.query(CaseWorkflow.offers, GRID)).actions
    assert "extend-track" not in offered and "outcome" in offered
    await sleep_past(time_env, due)
    await asyncio.sleep(0.5)
    later = await handle.query(CaseWorkflow.view)
    assert not any(e.kind == "track_overdue" for e in later.events)


async def test_court_referred_mediation_before_filing_offers_its_extension(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, complexity="complex")
    await view_when(handle, settled)
    assert "extend-track" in (await handle.query(CaseWorkflow.offers, GRID)).actions


async def test_a_confirmation_extended_after_the_decision_window_ended_is_refused_to_the_caller(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker, policy=factories.NO_VISITS)
    await view_when(handle, settled)
    await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID, agreement="repair")
    )
    await handle.execute_update(*_confirm(RESPONDENT, "applied"))
    accepted = await handle.execute_update(*_confirm(COURT, "accepted"))
    await sleep_past(time_env, accepted.confirmation.decide_by)
    await view_when(handle, lambda v: v.events[-1].kind == "court_decision_overdue")
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(*_confirm(COURT, "extended"))
    assert "too late" in str(caught.value.cause)
    kinds = [e.kind for e in await case_history(clean_pool, accepted.case_id)]
    assert "confirmation_refused" not in kinds


async def test_an_arbitration_extended_after_the_award_window_ended_is_refused_to_the_caller(
    time_env, case_worker, clean_pool
):
    handle, _ = await arbitration_case(time_env, case_worker)
    accepted = await handle.execute_update(
        CaseWorkflow.arbitration, ArbitrationInput(actor=ARBITRATOR, step="accepted")
    )
    await sleep_past(time_env, accepted.mediation.due_at)
    await view_when(
        handle,
        lambda v: any(
            e.kind == "arbitration_overdue" and e.data["step"] == "award" for e in v.events
        ),
    )
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.arbitration, ArbitrationInput(actor=ARBITRATOR, step="extended")
        )
    assert "too late" in str(caught.value.cause)
    kinds = [e.kind for e in await case_history(clean_pool, accepted.case_id)]
    assert "arbitration_refused" not in kinds
