"""A 信访 matter end to end on the time-skipping server, a real worker and PostgreSQL: the
procedure engine's windows as timers, its checks as the update's validator, every step in
`case_events`, `procedure` in the view that `status --json` prints."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.actions import Actor
from domain.case_models import CaseStatus
from domain.naming import workflow_id_for
from domain.periods import Period, PeriodKind
from domain.policy import ResponseWindow, parse_policy
from domain.procedure_clock import calendar_days
from domain.procedure_models import ProcedureInput
from domain.procedure_table import Length
from ledger.related import links
from ledger.reports import count_units
from service.case_json import status_json
from service.intake import procedure_start
from tests import factories
from tests.workflows.test_case import ledger_kinds, view_when
from texts import Lang
from workflows.procedure import ProcedureWorkflow

ROOT = Path(__file__).resolve().parents[2]
OFFICE = Actor(name="信访办甲", role="petition_office", unit="Haibowan District")
BODY = Actor(name="住建局乙", role="handling_body", unit="Haibowan District")
PETITIONER = Actor(name="王某", role="petitioner")
#: The worker who applied for arbitration: the applicant of the case, with a party's token.
WORKER = Actor(name="王某", role="applicant")
CLERK = Actor(name="立案庭书记员", role="court_clerk", unit="海博湾区人民法院")
JUDGE = Actor(name="审判员", role="judge", unit="海博湾区人民法院")
ARBITRATOR = Actor(name="仲裁员", role="arbitrator", unit="海博湾区劳动人事争议仲裁委员会")


def petition(case_id: str, **petition_fields):
    fields = {"channel": "visit", "addressed_to": {"kind": "office", "name": "区信访局"}}
    fields.update(petition_fields)
    return factories.intake(case_id, procedure="petition", petition=fields)


async def start(env, worker, case_id: str | None = None, **fields) -> WorkflowHandle:
    case_id = case_id or f"XF-{uuid.uuid4().hex[:8]}"
    start = procedure_start(petition(case_id, **fields), factories.DEFAULT_POLICY, Lang.zh)
    return await env.client.start_workflow(
        ProcedureWorkflow.run, start, id=workflow_id_for(case_id), task_queue=worker.task_queue
    )


def act(action: str, actor: Actor = OFFICE, **kw) -> ProcedureInput:
    return ProcedureInput(actor=actor, action=action, **kw)


async def skip_past(env, moment) -> None:
    await env.sleep(moment - await env.get_current_time() + timedelta(hours=1))


async def refused(handle: WorkflowHandle, action: ProcedureInput, why: str) -> None:
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(ProcedureWorkflow.procedure_action, action)
    assert why in str(caught.value.cause)


def registered(view) -> bool:
    return any(e.kind == "petition_registered" for e in view.events)


async def test_a_registered_petition_left_alone_is_flagged_when_its_15_days_pass(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    view = await view_when(handle, registered)
    procedure = status_json(view)["procedure"]
    assert procedure["name"] == "petition" and procedure["state"] == "registered"
    [window] = procedure["windows"]
    assert window["name"] == "register" and window["law"] == "信访工作条例 第二十二条"
    assert window["starts_at"].endswith("+08:00") and window["due_at"].endswith("+08:00")
    await skip_past(time_env, view.procedure.windows[0].due_at)
    flagged = await view_when(handle, lambda v: "overdue:register" in v.procedure.flags)
    assert flagged.procedure.windows[0].expired
    kinds = await ledger_kinds(clean_pool, handle.id.removeprefix("case-"))
    assert kinds == ["petition_registered", "procedure_flag"]
    row = await clean_pool.fetchrow(
        "SELECT status, level FROM cases WHERE case_id = $1", flagged.case_id
    )
    assert dict(row) == {"status": "open", "level": "county"}
    outbox = await clean_pool.fetch(
        "SELECT recipient_role FROM outbox WHERE case_id = $1", flagged.case_id
    )
    assert [r["recipient_role"] for r in outbox] == ["supervisor"]


async def test_a_refused_action_leaves_nothing_and_an_accepted_one_moves_the_matter(
    time_env, case_worker, clean_pool
):
    handle = await start(time_env, case_worker)
    await view_when(handle, registered)
    await refused(handle, act("reply", BODY), "reply 不能在 registered 环节办理")
    assigned = await handle.execute_update(ProcedureWorkflow.procedure_action, act("assign"))
    assert assigned.procedure.state == "assigned"
    assert {w.name for w in assigned.procedure.windows} == {"accept_assigned", "object"}
    accepted = await handle.execute_update(ProcedureWorkflow.procedure_action, act("accept", BODY))
    assert [w.name for w in accepted.procedure.windows] == ["handle"]
    extended = await handle.execute_update(
        ProcedureWorkflow.procedure_action, act("extend", BODY, window="handle")
    )
    assert extended.procedure.windows[0].length == "90d"
    await refused(
        handle,
        act("extend", BODY, window="handle"),
        "handle 只能延长 1 次（信访工作条例 第三十四条）",
    )
    replied = await handle.execute_update(
        ProcedureWorkflow.procedure_action,
        act("reply", BODY, facts={"opinion": "support"}, happened_at=accepted.opened_at),
    )
    assert replied.procedure.state == "answered" and replied.status is CaseStatus.open
    [review] = replied.procedure.windows
    assert review.name == "review_request" and review.law == "信访工作条例 第三十五条"
    kinds = await ledger_kinds(clean_pool, replied.case_id)
    assert kinds == ["petition_registered"] + ["procedure_action"] * 4


async def test_a_repeat_after_re_review_with_the_same_facts_is_linked_and_not_accepted(
    time_env, case_worker, clean_pool
):
    first = await start(time_env, case_worker, addressed_to={"kind": "body", "name": "住建局"})
    await view_when(first, registered)
    steps = [
        act("accept", BODY),
        act("reply", BODY, facts={"opinion": "no_support"}),
        act("request_review", PETITIONER),
        act("review_decision", Actor(name="市住建委", role="reviewing_body")),
        act("request_re_review", PETITIONER),
        act("re_review_decision", Actor(name="市政府", role="reviewing_body")),
    ]
    for step in steps:
        view = await first.execute_update(ProcedureWorkflow.procedure_action, step)
    assert view.procedure.state == "final_after_re_review" and view.status is CaseStatus.resolved
    rated = await first.execute_update(
        ProcedureWorkflow.procedure_action, act("rate", PETITIONER, facts={"rating": "satisfied"})
    )
    assert rated.status is CaseStatus.closed

    again = await start(time_env, case_worker, repeat_of=view.case_id, higher_body=True)
    answered = await view_when(again, lambda v: v.status is CaseStatus.closed)
    [event] = answered.events
    assert event.kind == "petition_not_accepted"
    assert event.data["linked_to"] == view.case_id
    assert event.data["law"] == "信访工作条例 第三十六条第三款"
    # Final at once: no window left running, nothing due.
    assert answered.procedure.final and answered.procedure.windows == []
    assert answered.due_at is None
    # Linked both ways in the ledger: `status` of either lists the other.
    for _ in range(100):  # the step's ledger write may land just after the view changed
        found = [(r["case_id"], r["link"]) for r in await links(clean_pool, answered.case_id)]
        if found:
            break
        await asyncio.sleep(0.05)
    assert found == [(view.case_id, "related")]
    assert (answered.case_id, "related") in {
        (r["case_id"], r["link"]) for r in await links(clean_pool, view.case_id)
    }

    new_facts = await start(time_env, case_worker, repeat_of=view.case_id, new_facts=True)
    opened = await view_when(new_facts, registered)
    assert opened.status is CaseStatus.open and opened.events[0].data["linked_to"] == view.case_id

    # The month's 信访 figures (docs/metrics.md) count these three matters.
    now = await time_env.get_current_time()
    period = Period(label="t", kind=PeriodKind.month, start=now - timedelta(days=400),
                    end=now + timedelta(days=1))  # fmt: skip
    async with clean_pool.acquire() as conn:
        counts = await count_units(conn, period, ResponseWindow())
    [c] = counts.values()
    assert (c.petitions_received, c.petitions_repeated) == (3, 2)
    assert (c.petitions_accepted, c.petitions_accepted_on_time) == (1, 1)
    assert (c.petitions_answered, c.petitions_answered_on_time) == (1, 1)
    assert (c.petitions_rated, c.petitions_satisfied) == (1, 1)
    assert (c.petitions_to_review, c.petitions_to_re_review) == (1, 1)
    assert c.received == 0  # no dispute received on the ladder


# --- the court road and labour arbitration, with the demo policy (a day runs a minute) -------

DEMO = parse_policy((ROOT / "policies" / "demo.toml").read_text(encoding="utf-8"), source="demo")


async def start_road(env, worker, procedure: str, state: str, **kw) -> WorkflowHandle:
    case_id = f"FY-{uuid.uuid4().hex[:8]}"
    intake = factories.intake(
        case_id, procedure=procedure, road={"start": state, "from_case": "HB-2026-000101"}, **kw
    )
    start = procedure_start(intake, DEMO, Lang.zh)
    return await env.client.start_workflow(
        ProcedureWorkflow.run, start, id=workflow_id_for(case_id), task_queue=worker.task_queue
    )


def opened(view) -> bool:
    return any(e.kind == "procedure_opened" for e in view.events)


async def test_a_pre_filing_mediation_past_day_30_goes_to_docketing_within_7_days(
    time_env, case_worker, clean_pool
):
    handle = await start_road(time_env, case_worker, "court", "pre_filing_mediation")
    view = await view_when(handle, opened)
    [window] = view.procedure.windows
    assert window.name == "pre_filing" and window.due_at - window.starts_at == timedelta(minutes=30)
    assert view.events[0].data["from_case"] == "HB-2026-000101"
    await skip_past(time_env, window.due_at)
    filed = await view_when(handle, lambda v: v.procedure.state == "filed")
    [docket] = filed.procedure.windows
    assert docket.law == "民事诉讼法 第一百二十六条"
    assert (docket.starts_at, docket.due_at) == (
        window.due_at,
        window.due_at + timedelta(minutes=7),
    )
    kinds = await ledger_kinds(clean_pool, filed.case_id)
    assert kinds[:2] == ["procedure_opened", "procedure_moved"]


async def test_a_small_claim_paused_for_an_appraisal_and_converted_keeps_its_clock(
    time_env, case_worker, clean_pool
):
    clerk, judge = CLERK, JUDGE
    handle = await start_road(time_env, case_worker, "court", "filed")
    await view_when(handle, opened)
    docketed = await handle.execute_update(
        ProcedureWorkflow.procedure_action, act("docket_small_claims", clerk)
    )
    [trial] = docketed.procedure.windows
    plain = trial.due_at
    await handle.execute_update(
        ProcedureWorkflow.procedure_action, act("pause", judge, reason="appraisal")
    )
    await time_env.sleep(timedelta(minutes=20))
    resumed = await handle.execute_update(
        ProcedureWorkflow.procedure_action, act("resume", judge, reason="appraisal")
    )
    lost = resumed.procedure.windows[0].due_at - plain
    assert timedelta(minutes=20) <= lost < timedelta(minutes=21)
    ordinary = await handle.execute_update(
        ProcedureWorkflow.procedure_action, act("convert_to_ordinary", judge)
    )
    [trial] = ordinary.procedure.windows
    assert (
        trial.name == "trial_ordinary"
        and trial.starts_at == docketed.procedure.windows[0].starts_at
    )
    assert trial.law == "民事诉讼法 第一百五十二条"
    # Six months from the original docketing (a demo day runs a minute), the appraisal's
    # 20 minutes still not counted (审限规定 Arts. 8, 9).
    months = calendar_days(trial.starts_at, Length.parse("6mo"), utc_offset_hours=8)
    assert trial.due_at == trial.starts_at + timedelta(minutes=months) + lost


async def test_arbitration_not_accepted_by_day_5_opens_the_workers_right_to_sue(
    time_env, case_worker, clean_pool
):
    handle = await start_road(time_env, case_worker, "labour_arbitration", "applied")
    view = await view_when(handle, opened)
    await refused(handle, act("sue_on_silence", WORKER), "may_sue")
    await skip_past(time_env, view.procedure.windows[0].due_at)
    routed = await view_when(handle, lambda v: "may_sue" in v.procedure.routes)
    assert routed.procedure.flags == ["overdue:accept"]
    sued = await handle.execute_update(
        ProcedureWorkflow.procedure_action, act("sue_on_silence", WORKER)
    )
    assert sued.procedure.state == "to_court" and sued.status is CaseStatus.resolved


async def test_an_award_of_8_months_wage_is_final_for_the_employer_the_worker_has_15_days(
    time_env, case_worker, clean_pool
):
    handle = await start_road(time_env, case_worker, "labour_arbitration", "applied")
    await view_when(handle, opened)
    update = ProcedureWorkflow.procedure_action
    await handle.execute_update(update, act("accept", ARBITRATOR))
    awarded = await handle.execute_update(
        update, act("award", ARBITRATOR, facts={"wage_months": 8})
    )
    assert awarded.procedure.state == "award_final_for_employer"
    [sue] = awarded.procedure.windows
    assert sue.name == "worker_sue" and sue.law == "劳动争议调解仲裁法 第四十八条"
    assert sue.due_at - sue.starts_at == timedelta(minutes=15)  # demo: a day runs a minute
    # Final for the employer: only the worker's side may take it to court (Art. 47, 48).
    await refused(handle, act("worker_sues", Actor(name="某公司", role="respondent")), "须由申请人")
    # Just past the window (the demo's 30 minutes to rate the handling still run).
    await time_env.sleep(sue.due_at - await time_env.get_current_time() + timedelta(seconds=30))
    effective = await view_when(handle, lambda v: v.procedure.state == "award_effective")
    assert effective.status is CaseStatus.resolved
    await refused(handle, act("worker_sues", WORKER), "已逾期")


async def test_an_award_above_12_months_wage_leaves_both_parties_15_days_to_sue(
    time_env, case_worker, clean_pool
):
    handle = await start_road(time_env, case_worker, "labour_arbitration", "applied")
    await view_when(handle, opened)
    update = ProcedureWorkflow.procedure_action
    await handle.execute_update(update, act("accept", ARBITRATOR))
    awarded = await handle.execute_update(
        update, act("award", ARBITRATOR, facts={"wage_months": 13})
    )
    assert awarded.procedure.state == "award_open_to_suit"
    sued = await handle.execute_update(update, act("sue", Actor(name="某公司", role="respondent")))
    assert sued.procedure.state == "to_court"


async def test_a_court_judgment_is_recorded_by_a_judge_and_refused_to_anyone_else(
    time_env, case_worker, clean_pool
):
    handle = await start_road(time_env, case_worker, "court", "filed")
    await view_when(handle, opened)
    update = ProcedureWorkflow.procedure_action
    township_clerk = Actor(name="乡镇文书", role="governance_centre", unit="Haibowan Township")
    await refused(handle, act("docket_ordinary", township_clerk), "须由法院书记员办理")
    await handle.execute_update(update, act("docket_ordinary", CLERK))
    for someone in (township_clerk, WORKER, CLERK):
        await refused(handle, act("judgment", someone), "判决须由法官办理")
    judged = await handle.execute_update(update, act("judgment", JUDGE))
    assert judged.procedure.state == "judged"
    kinds = await ledger_kinds(clean_pool, judged.case_id)
    assert kinds == ["procedure_opened", "procedure_action", "procedure_action"]


async def test_a_court_matter_offers_its_step_only_to_the_roles_its_table_names_now(
    time_env, case_worker, clean_pool
):
    handle = await start_road(time_env, case_worker, "court", "filed")
    await view_when(handle, opened)
    township_clerk = Actor(name="乡镇文书", role="governance_centre", unit="Haibowan Township")

    async def offered(who: Actor) -> list[str]:
        return (await handle.query(ProcedureWorkflow.offers, who)).actions

    # Filed: the clerk dockets; no one else has a step of the table here.
    assert await offered(CLERK) == ["procedure"]
    assert await offered(township_clerk) == []
    docketed = await handle.execute_update(
        ProcedureWorkflow.procedure_action, act("docket_ordinary", CLERK)
    )
    assert docketed.procedure.state != "filed"
    assert await offered(JUDGE) == ["procedure"]
    assert await offered(township_clerk) == []
