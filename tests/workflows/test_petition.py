"""A 信访 matter end to end on the time-skipping server, a real worker and PostgreSQL: the
procedure engine's windows as timers, its checks as the update's validator, every step in
`case_events`, `procedure` in the view that `status --json` prints."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError

from domain.actions import Actor
from domain.case_models import CaseStatus
from domain.naming import workflow_id_for
from domain.procedure_models import ProcedureInput
from service.case_json import status_json
from service.intake import petition_start
from tests import factories
from tests.workflows.test_case import ledger_kinds, view_when
from texts import Lang
from workflows.petition import PetitionWorkflow

OFFICE = Actor(name="信访办甲", role="petition_office", unit="Haibowan District")
BODY = Actor(name="住建局乙", role="handling_body", unit="Haibowan District")
PETITIONER = Actor(name="王某", role="petitioner")


def petition(case_id: str, **petition_fields):
    fields = {"channel": "visit", "addressed_to": {"kind": "office", "name": "区信访局"}}
    fields.update(petition_fields)
    return factories.intake(case_id, procedure="petition", petition=fields)


async def start(env, worker, case_id: str | None = None, **fields) -> WorkflowHandle:
    case_id = case_id or f"XF-{uuid.uuid4().hex[:8]}"
    start = petition_start(petition(case_id, **fields), factories.DEFAULT_POLICY, Lang.zh)
    return await env.client.start_workflow(
        PetitionWorkflow.run, start, id=workflow_id_for(case_id), task_queue=worker.task_queue
    )


def act(action: str, actor: Actor = OFFICE, **kw) -> ProcedureInput:
    return ProcedureInput(actor=actor, action=action, **kw)


async def skip_past(env, moment) -> None:
    await env.sleep(moment - await env.get_current_time() + timedelta(hours=1))


async def refused(handle: WorkflowHandle, action: ProcedureInput, why: str) -> None:
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(PetitionWorkflow.procedure_action, action)
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
    await refused(handle, act("reply", BODY), "not allowed")
    assigned = await handle.execute_update(PetitionWorkflow.procedure_action, act("assign"))
    assert assigned.procedure.state == "assigned"
    assert {w.name for w in assigned.procedure.windows} == {"accept_assigned", "object"}
    accepted = await handle.execute_update(PetitionWorkflow.procedure_action, act("accept", BODY))
    assert [w.name for w in accepted.procedure.windows] == ["handle"]
    extended = await handle.execute_update(
        PetitionWorkflow.procedure_action, act("extend", BODY, window="handle")
    )
    assert extended.procedure.windows[0].length == "90d"
    await refused(handle, act("extend", BODY, window="handle"), "extended once only")
    replied = await handle.execute_update(
        PetitionWorkflow.procedure_action,
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
        view = await first.execute_update(PetitionWorkflow.procedure_action, step)
    assert view.procedure.state == "final_after_re_review" and view.status is CaseStatus.resolved
    rated = await first.execute_update(
        PetitionWorkflow.procedure_action, act("rate", PETITIONER, facts={"rating": "satisfied"})
    )
    assert rated.status is CaseStatus.closed

    again = await start(time_env, case_worker, repeat_of=view.case_id, higher_body=True)
    answered = await view_when(again, lambda v: v.status is CaseStatus.closed)
    [event] = answered.events
    assert event.kind == "petition_not_accepted"
    assert event.data["linked_to"] == view.case_id
    assert event.data["law"] == "信访工作条例 第三十六条第三款"

    new_facts = await start(time_env, case_worker, repeat_of=view.case_id, new_facts=True)
    opened = await view_when(new_facts, registered)
    assert opened.status is CaseStatus.open and opened.events[0].data["linked_to"] == view.case_id
