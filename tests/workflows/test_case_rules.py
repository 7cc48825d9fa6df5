"""The ladder's rules on the time-skipping server: warnings, pause, extension, escalation
triggers, risk, transfer, withdrawal, refusal, who may act, and continue-as-new."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest
from temporalio.client import WorkflowUpdateFailedError

from domain.actions import (
    Actor,
    EscalateInput,
    ExtendInput,
    OutcomeInput,
    PauseInput,
    RefuseInput,
    RegradeInput,
    ResumeInput,
    TransferAnswer,
    TransferInput,
    WithdrawInput,
)
from domain.calendar import add_working_days
from domain.case_models import RECENT_EVENTS, CaseStatus, CaseView
from domain.durations import Budget
from domain.policy import Policy
from ledger.cases import case_history
from tests import factories
from tests.factories import APPLICANT, GRID, RESPONDENT, TOWNSHIP, supervisor
from tests.workflows.test_case import settled, start, view_when
from workflows.case import CaseWorkflow

#: The default policy with the grid's general budget in hours: a limit of "1d" ends at 24:00 of
#: the next working day (docs/clocks.md), so its length would depend on when the test runs.
HOURS_AT_THE_GRID = Policy.model_validate(
    factories.DEFAULT_POLICY.model_copy(
        update={
            "budgets": {
                c: {**lv, "grid": "24h"} for c, lv in factories.DEFAULT_POLICY.budgets.items()
            }
        }
    ).model_dump()
)
VILLAGE_SUPERVISOR = supervisor("Diamond Square Community")
TOWNSHIP_SUPERVISOR = supervisor("Haibei Street")
G08 = Actor(name="吴网格员", role="grid_worker", unit="G-08")


async def outbox(pool: asyncpg.Pool, case_id: str, seq: int) -> set[tuple[str, str]]:
    rows = await pool.fetch(
        "SELECT recipient_role, recipient_unit FROM outbox WHERE case_id = $1 AND seq = $2",
        case_id,
        seq,
    )
    return {(r["recipient_role"], r["recipient_unit"]) for r in rows}


async def refused(handle, update, action) -> str:
    before = await handle.query(CaseWorkflow.view)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(update, action)
    assert (await handle.query(CaseWorkflow.view)).events == before.events  # nothing recorded
    return str(caught.value.cause)


async def test_yellow_then_red_warning_reach_the_handler_and_for_red_the_supervisor(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker, policy=HOURS_AT_THE_GRID)  # the grid: 24 h
    await view_when(handle, settled)

    await time_env.sleep(timedelta(hours=13))
    view = await handle.query(CaseWorkflow.view)
    assert view.warnings_raised == ["yellow"] and view.level.value == "grid"

    await time_env.sleep(timedelta(hours=7))  # 20h: past 80%
    view = await handle.query(CaseWorkflow.view)
    yellow, red = (e for e in view.events if e.kind == "warning")
    assert (yellow.data["colour"], red.data["colour"]) == ("yellow", "red")
    assert await outbox(clean_pool, view.case_id, yellow.seq) == {("grid_worker", "G-07")}
    assert await outbox(clean_pool, view.case_id, red.seq) == {
        ("grid_worker", "G-07"),
        ("supervisor", "Diamond Square Community"),
    }


async def test_paused_time_does_not_count_against_the_budget(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)
    due = (await handle.query(CaseWorkflow.view)).due_at

    paused = await handle.execute_update(
        CaseWorkflow.pause, PauseInput(actor=GRID, reason="appraisal", note="damage assessment")
    )
    await time_env.sleep(timedelta(days=3))
    still = await handle.query(CaseWorkflow.view)
    resumed = await handle.execute_update(CaseWorkflow.resume, ResumeInput(actor=GRID))

    assert paused.status is CaseStatus.paused
    assert (still.status, still.level.value) == (CaseStatus.paused, "grid")  # no escalation
    assert still.remaining_seconds == pytest.approx(paused.remaining_seconds, abs=1)
    event = resumed.events[-1]
    assert event.kind == "resumed"
    assert event.data["paused_seconds"] == pytest.approx(3 * 86400, abs=5)
    assert resumed.due_at - due == timedelta(seconds=event.data["paused_seconds"])
    assert resumed.paused_total_seconds == event.data["total_paused_seconds"]


async def test_a_pause_stops_the_mediation_tracks_clock_too(time_env, case_worker, clean_pool):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker)  # a neighbour case: people's mediation, 30d
    before = await view_when(handle, settled)

    await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="appraisal"))
    await time_env.sleep(timedelta(days=40))  # past the track's 30 days
    still = await handle.query(CaseWorkflow.view)
    resumed = await handle.execute_update(CaseWorkflow.resume, ResumeInput(actor=GRID))

    assert still.mediation.track == "peoples"  # did not lapse while paused
    assert "track_lapsed" not in [e.kind for e in still.events]
    paused = timedelta(seconds=resumed.events[-1].data["paused_seconds"])
    assert resumed.mediation.due_at - before.mediation.due_at == paused


async def test_a_pause_on_a_working_day_budget_moves_the_deadline_by_the_working_time_lost(
    time_env, case_worker, clean_pool
):
    policy = factories.DEFAULT_POLICY.model_copy(
        update={
            "budgets": {
                c: {**lv, "grid": "5wd"} for c, lv in factories.DEFAULT_POLICY.budgets.items()
            }
        }
    )
    policy = Policy.model_validate(policy.model_dump())
    # Open on a Thursday noon (Beijing time), pause from Friday noon to Sunday noon.
    now = policy.local(await time_env.get_current_time())
    days_to_thursday = (3 - now.weekday()) % 7
    thursday_noon = (now + timedelta(days=days_to_thursday)).replace(
        hour=12, minute=0, second=0, microsecond=0
    )
    if thursday_noon <= now:
        thursday_noon += timedelta(days=7)
    await time_env.sleep(thursday_noon - now)
    handle = await start(time_env, case_worker, policy=policy)
    before = await view_when(handle, settled)
    await time_env.sleep(timedelta(days=1))
    paused = await handle.execute_update(
        CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing")
    )
    await time_env.sleep(timedelta(days=2))
    resumed = await handle.execute_update(CaseWorkflow.resume, ResumeInput(actor=GRID))

    resumed_at = resumed.events[-1].at
    expected = policy.resume_due(
        before.due_at, paused.paused_since, resumed_at, Budget.parse("5wd")
    )
    assert resumed.due_at == expected
    # A weekend lost no working time: the deadline moves by less than the 48 h paused.
    assert resumed.due_at - before.due_at < resumed_at - paused.paused_since


async def test_working_day_budget_records_what_moved_the_deadline(
    time_env, case_worker, clean_pool
):
    policy = factories.DEFAULT_POLICY.model_copy(
        update={
            "budgets": {
                c: {**lv, "grid": "5wd"} for c, lv in factories.DEFAULT_POLICY.budgets.items()
            }
        }
    )
    handle = await start(time_env, case_worker, policy=Policy.model_validate(policy.model_dump()))
    view = await view_when(handle, settled)

    assigned = next(e for e in view.events if e.kind == "assigned")
    expected = add_working_days(assigned.at, 5, factories.CALENDAR.for_years([2026, 2027]))
    assert view.due_at == expected.due
    # What moved it depends on the day the test runs (started on a Sunday, five working days
    # span no weekend): the expectation is the calendar's own count from the actual start.
    # A deadline in a year the calendar does not cover (a case opened late in December) is
    # counted on weekends only, and the clock says so.
    unknown = [
        f"no official calendar loaded for {y}: weekends only" for y in expected.unknown_years
    ]
    assert view.deadline_moved_by == expected.moved_by + unknown
    assert assigned.data["deadline"]["moved_by"] == view.deadline_moved_by


async def test_extension_by_the_supervisor_above_moves_the_deadline_and_tells_the_parties(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    before = await view_when(handle, settled)

    view = await handle.execute_update(
        CaseWorkflow.extend, ExtendInput(actor=VILLAGE_SUPERVISOR, by="6h", reason="party abroad")
    )

    assert view.due_at - before.due_at == timedelta(hours=6)
    assert view.extended_seconds == 6 * 3600
    recipients = await outbox(clean_pool, view.case_id, view.events[-1].seq)
    assert {("applicant", "party"), ("respondent", "party")} <= recipients


async def test_extension_over_the_cap_or_by_a_handler_is_refused(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker, policy=HOURS_AT_THE_GRID)  # cap: 12 h
    await view_when(handle, settled)

    over = await refused(
        handle, CaseWorkflow.extend, ExtendInput(actor=VILLAGE_SUPERVISOR, by="13h", reason="x")
    )
    handler = await refused(
        handle, CaseWorkflow.extend, ExtendInput(actor=GRID, by="1h", reason="more time")
    )

    assert "an extension of 13.0 h would exceed the policy's cap" in over  # said, not "13h"
    assert "only a supervisor of Diamond Square Community" in handler


async def test_applicant_may_ask_to_go_up_a_level_but_the_respondent_may_not(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)

    message = await refused(
        handle, CaseWorkflow.escalate, EscalateInput(actor=RESPONDENT, reason="slow")
    )
    view = await handle.execute_update(
        CaseWorkflow.escalate, EscalateInput(actor=APPLICANT, reason="no progress")
    )

    assert "not a party of case" in message
    assert view.level.value == "village"
    assert view.events[-1].data["trigger"] == "applicant_request"
    assert view.events[-1].actor == APPLICANT


async def test_supervisor_pulls_the_case_up_to_their_level(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)

    view = await handle.execute_update(
        CaseWorkflow.pull_up, EscalateInput(actor=TOWNSHIP_SUPERVISOR, reason="media attention")
    )

    assert view.level.value == "township"
    assert view.events[-1].data["trigger"] == "pull_up"


async def test_regrade_to_red_sends_the_case_to_the_township_and_tells_the_county(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)

    view = await handle.execute_update(
        CaseWorkflow.regrade,
        RegradeInput(actor=GRID, risk_flags=["violence_threat"], reason="threatened the neighbour"),
    )

    regraded = next(e for e in view.events if e.kind == "regraded")
    assert (regraded.data["from"], regraded.data["to"]) == ("green", "red")
    # The county at once (重大事项直报), and the police: the case is in mediation (Art. 25).
    assert await outbox(clean_pool, view.case_id, regraded.seq) == {
        ("supervisor", "Haibowan District"),
        ("police_station", "Haibei Street"),
    }
    assert view.risk.value == "red" and view.level.value == "township"
    assert view.events[-1].data["trigger"] == "risk"
    assert (
        await clean_pool.fetchval("SELECT risk FROM cases WHERE case_id = $1", view.case_id)
        == "red"
    )


async def test_transfer_stays_with_the_first_receiver_until_accepted(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(
        clean_pool, [*factories.ROSTER, ("grid", "G-08", "吴网格员", "grid_worker")]
    )
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)

    asked = await handle.execute_update(
        CaseWorkflow.transfer, TransferInput(actor=GRID, to_unit="G-08", reason="lives in G-08")
    )
    stranger = await refused(
        handle, CaseWorkflow.answer_transfer, TransferAnswer(actor=TOWNSHIP, accept=True)
    )
    accepted = await handle.execute_update(
        CaseWorkflow.answer_transfer, TransferAnswer(actor=G08, accept=True)
    )

    assert asked.assignee.name == "赵网格员" and asked.transfer.to_unit == "G-08"
    assert "it was sent to G-08" in stranger
    assert accepted.location.grid == "G-08" and accepted.assignee.name == "吴网格员"
    assert [e.kind for e in accepted.events[-2:]] == ["transfer_accepted", "assigned"]
    assert (
        await clean_pool.fetchval("SELECT grid FROM cases WHERE case_id = $1", accepted.case_id)
        == "G-08"
    )


async def test_objection_sends_the_transfer_back_with_its_reason(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)
    await handle.execute_update(
        CaseWorkflow.transfer, TransferInput(actor=GRID, to_unit="G-08", reason="lives in G-08")
    )

    view = await handle.execute_update(
        CaseWorkflow.answer_transfer,
        TransferAnswer(actor=G08, accept=False, reason="the flat is on our boundary, not inside"),
    )

    assert view.transfer is None and view.location.grid == "G-07"
    assert view.events[-1].kind == "transfer_objected"
    assert view.events[-1].data["reason"] == "the flat is on our boundary, not inside"


async def test_silence_past_the_objection_window_is_acceptance(time_env, case_worker, clean_pool):
    policy = factories.DEFAULT_POLICY.model_copy(update={"transfer_objection_window": "2h"})
    handle = await start(time_env, case_worker, policy=policy)
    await view_when(handle, settled)
    await handle.execute_update(
        CaseWorkflow.transfer, TransferInput(actor=GRID, to_unit="G-08", reason="lives in G-08")
    )

    await time_env.sleep(timedelta(hours=3))

    view = await handle.query(CaseWorkflow.view)
    accepted = next(e for e in view.events if e.kind == "transfer_accepted")
    assert accepted.data["deemed"] is True and view.location.grid == "G-08"


async def test_withdrawal_by_the_applicant_closes_the_case(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)

    other = await refused(
        handle, CaseWorkflow.withdraw, WithdrawInput(actor=RESPONDENT, reason="x")
    )
    await handle.execute_update(
        CaseWorkflow.withdraw, WithdrawInput(actor=APPLICANT, reason="settled between us")
    )
    result = await handle.result()

    assert "not a party of case" in other
    assert result.status is CaseStatus.withdrawn
    assert (
        await clean_pool.fetchval("SELECT status FROM cases WHERE case_id = $1", result.case_id)
        == "withdrawn"
    )


async def test_refusal_reroutes_from_the_village_and_closes_as_referred_above(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)

    rerouted = await handle.execute_update(
        CaseWorkflow.refuse, RefuseInput(actor=RESPONDENT, reason="does not trust the committee")
    )
    await handle.execute_update(
        CaseWorkflow.refuse, RefuseInput(actor=RESPONDENT, reason="wants a court")
    )
    result = await handle.result()

    assert rerouted.level.value == "township" and rerouted.events[-1].data["trigger"] == "refused"
    assert result.status is CaseStatus.referred
    refusal, closed = (await handle.query(CaseWorkflow.view)).events[-2:]
    assert refusal.kind == "refused" and "court" in refusal.data["route"]
    assert (closed.kind, closed.data["outcome"]) == ("closed", "referred")


async def test_long_case_continues_as_new_and_keeps_one_story(time_env, case_worker, clean_pool):
    handle = await start(time_env, case_worker, history_limit=40)
    await view_when(handle, settled)

    for _ in range(6):
        await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing"))
        await handle.execute_update(CaseWorkflow.resume, ResumeInput(actor=GRID))
    view = await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="failed", actor=GRID, reason="stuck")
    )

    assert view.runs > 1
    assert [e.seq for e in view.events] == list(range(1, len(view.events) + 1))
    seqs = await clean_pool.fetch(
        "SELECT seq FROM case_events WHERE case_id = $1 ORDER BY seq", view.case_id
    )
    assert [r["seq"] for r in seqs] == [e.seq for e in view.events]
    assert view.level.value == "village"


async def test_the_case_keeps_only_its_latest_events_and_the_ledger_keeps_them_all(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)

    for _ in range(RECENT_EVENTS):
        await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing"))
        view = await handle.execute_update(CaseWorkflow.resume, ResumeInput(actor=GRID))

    history = await case_history(clean_pool, view.case_id)
    assert len(history) == 3 + 2 * RECENT_EVENTS  # opened, track, assigned, the pauses
    assert len(view.events) == RECENT_EVENTS
    assert [(e.seq, e.kind, e.at, e.summary) for e in view.events] == [
        (e.seq, e.kind, e.at, e.summary) for e in history[-RECENT_EVENTS:]
    ]


async def test_a_yellow_case_is_led_by_a_member_of_the_townships_leadership(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker, risk_flags=["minors"])

    view = await view_when(handle, lambda v: v.lead is not None)

    assert view.risk.value == "yellow" and view.level.value == "grid"
    assert (view.lead.name, view.assignee.name) == ("吴委员", "赵网格员")
    told = await clean_pool.fetch(
        "SELECT recipient_name FROM outbox WHERE case_id = $1 AND seq = $2",
        view.case_id,
        next(e.seq for e in view.events if e.kind == "lead_assigned"),
    )
    assert [r["recipient_name"] for r in told] == ["吴委员"]


async def test_an_old_update_name_acts_with_the_same_step_and_validator(
    time_env, case_worker, clean_pool
):
    # Running cases and saved histories hold the names from before the action catalogue.
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)  # opened: its first step written

    reason = await refused(handle, "report_outcome", OutcomeInput(
        outcome="failed", actor=G08, reason="not ours"))  # fmt: skip
    assert "is not responsible" in reason
    view = await handle.execute_update(
        "report_outcome",
        OutcomeInput(outcome="failed", actor=GRID, reason="no answer"),
        result_type=CaseView,
    )
    assert (view.level.value, view.status) == ("village", CaseStatus.open)
