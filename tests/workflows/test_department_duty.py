"""DepartmentDutyWorkflow on the time-skipping server, with a real worker and real PostgreSQL:
a duty from summons to report, missed deadlines and supervision, declines and their rulings,
and what a validator refuses."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import pytest
from temporalio import workflow
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from activities.departments import DepartmentActivities
from activities.ledger import LedgerActivities
from domain.actions import Actor
from domain.duty_contract import (
    DUTY_CHANGED_SIGNAL,
    DutyChange,
    DutyCheckIn,
    DutyDecline,
    DutyReport,
    DutyRuling,
    DutyStart,
    DutyView,
)
from domain.ladder import Level
from domain.naming import duty_workflow_id, workflow_id_for
from domain.risk import RiskColour
from domain.whistle import Department, DutyEvent, DutyState, WhistleKind
from ledger.departments import load_departments
from ledger.rows import CaseRegistration
from tests import factories
from tests.factories import registration_step, supervisor
from workflows.department_duty import DepartmentDutyWorkflow

E, S = DutyEvent, DutyState
W = DepartmentDutyWorkflow
POLICE = Department(code="police_station", name="海北派出所", unit="Haibei Street", kind="township")
OFFICER = Actor(name="张警官", role="police_station", unit="Haibei Street")
TOWNSHIP_SUPERVISOR = supervisor("Haibei Street")
COUNTY_SUPERVISOR = supervisor("Haibowan District")


@workflow.defn(sandboxed=False)  # a test's helper: the sandbox would re-import pytest
class CaseStandIn:
    """Stands in for the case: starts the duty as its child and keeps every change it hears."""

    def __init__(self) -> None:
        self._changes: list[DutyChange] = []
        self._result: DutyView | None = None

    @workflow.run
    async def run(self, start: DutyStart) -> None:
        self._result = await workflow.execute_child_workflow(
            DepartmentDutyWorkflow.run,
            start,
            id=duty_workflow_id(start.case_workflow_id, start.whistle_seq, start.department.code),
            static_summary=f"{start.department.name}: whistle {start.whistle_seq}",
        )
        await workflow.wait_condition(lambda: False)  # stays open for the test's queries

    @workflow.signal(name=DUTY_CHANGED_SIGNAL)
    def duty_changed(self, change: DutyChange) -> None:
        self._changes.append(change)

    @workflow.query
    def changes(self) -> list[DutyChange]:
        return self._changes

    @workflow.query
    def result(self) -> DutyView | None:
        return self._result


@pytest.fixture
async def duty_pool(clean_pool: asyncpg.Pool) -> asyncpg.Pool:
    """The departments the duty's foreign key needs (clean_pool empties cases and duties)."""
    await load_departments(clean_pool, [(POLICE.code, POLICE.name, POLICE.unit, True)])
    return clean_pool


@pytest.fixture
async def duty_worker(time_env: WorkflowEnvironment, duty_pool: asyncpg.Pool) -> AsyncIterator:
    departments = DepartmentActivities(duty_pool)
    async with Worker(
        time_env.client,
        task_queue=f"duties-{uuid.uuid4().hex[:8]}",
        workflows=[DepartmentDutyWorkflow, CaseStandIn],
        activities=[departments.find, departments.record_duty],
    ) as worker:
        yield worker


class Duty:
    """One summoned duty under test: its handle, its case's and its ledger row."""

    def __init__(self, env: WorkflowEnvironment, pool: asyncpg.Pool, start: DutyStart) -> None:
        self.env, self.pool, self.start = env, pool, start
        self.handle: WorkflowHandle = env.client.get_workflow_handle_for(
            W.run,
            duty_workflow_id(start.case_workflow_id, start.whistle_seq, start.department.code),
        )
        self.case: WorkflowHandle = env.client.get_workflow_handle(start.case_workflow_id)

    async def view(self) -> DutyView:
        return await self.handle.query(W.view)

    async def act(self, update: Any, action: Any) -> DutyView:
        return await self.handle.execute_update(update, action)

    async def changes(self, count: int) -> list[tuple[DutyEvent, DutyState]]:
        """The (event, state) of every change the case heard, once it heard `count`."""
        heard = await until(lambda: self.case.query(CaseStandIn.changes), lambda c: len(c) >= count)
        return [(c.event, c.state) for c in heard]

    async def row(self) -> asyncpg.Record:
        return await self.pool.fetchrow(
            "SELECT * FROM department_duties WHERE case_id = $1 AND department = $2",
            self.start.case_id,
            self.start.department.code,
        )


async def until(ask: Callable, ready: Callable[[Any], bool], tries: int = 250) -> Any:
    """`await ask()` once `ready` holds of it (activities and signals run in real time)."""
    for _ in range(tries):
        try:
            answer = await ask()
        except Exception:  # the child not started yet
            answer = None
        if answer is not None and ready(answer):
            return answer
        await asyncio.sleep(0.02)
    raise AssertionError(f"never ready: {answer}")


async def summon(
    env: WorkflowEnvironment, worker: Worker, pool: asyncpg.Pool, *, case_alive: bool = True
) -> Duty:
    """Register a case, summon its township's police station under an emergency whistle
    (30 minutes to check in, 4 hours to report), and wait until the summons is recorded."""
    case_id = f"D-{uuid.uuid4().hex[:8]}"
    now: datetime = await env.get_current_time()
    await ActivityEnvironment().run(
        LedgerActivities(pool).write_step,
        registration_step(
            CaseRegistration(
                case_id=case_id,
                workflow_id=workflow_id_for(case_id),
                intake=factories.intake(case_id),
                risk=RiskColour.red,
                level=Level.township,
                policy_name="test",
                opened_at=now,
            )
        ),
    )
    start = DutyStart(
        case_id=case_id,
        case_workflow_id=workflow_id_for(case_id),
        whistle_seq=1,
        whistle_kind=WhistleKind.emergency,
        department=POLICE,
        summoned_at=now,
        check_in_by=now + timedelta(minutes=30),
        report_by=now + timedelta(hours=4),
        township="Haibei Street",
        county="Haibowan District",
    )
    duty = Duty(env, pool, start)
    if case_alive:
        await env.client.start_workflow(
            CaseStandIn.run, start, id=start.case_workflow_id, task_queue=worker.task_queue
        )
    else:  # no case: the duty's signals find nobody to tell
        await env.client.start_workflow(
            W.run, start, id=duty.handle.id, task_queue=worker.task_queue
        )
    await until(duty.row, lambda row: row["state"] == "summoned")
    return duty


async def refused(duty: Duty, update: Any, action: Any) -> str:
    """The reason an update is refused; asserts nothing of it was recorded."""
    before, row = await duty.view(), await duty.row()
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await duty.act(update, action)
    assert await duty.view() == before
    assert dict(await duty.row()) == dict(row)
    return str(caught.value.cause)


# --- the duty's course ---------------------------------------------------------------------


async def test_check_in_then_report_completes_the_duty(time_env, duty_worker, duty_pool):
    duty = await summon(time_env, duty_worker, duty_pool)

    view = await duty.act(W.check_in, DutyCheckIn(actor=OFFICER))
    assert view.state is S.checked_in and view.checked_in_at is not None
    assert view.checked_in_at.utcoffset() == timedelta(hours=8)  # the case's local time
    report = DutyReport(actor=OFFICER, result="order kept", findings="a quarrel", actions="talks")
    view = await duty.act(W.file_report, report)

    assert view.state is S.reported
    assert (view.result, view.findings, view.actions) == ("order kept", "a quarrel", "talks")
    assert await duty.changes(2) == [(E.check_in, S.checked_in), (E.report, S.reported)]
    heard = await duty.case.query(CaseStandIn.changes)
    assert heard[0].actor == OFFICER and heard[1].detail["result"] == "order kept"
    result = await until(lambda: duty.case.query(CaseStandIn.result), lambda r: True)
    assert result.state is S.reported
    row = await duty.row()
    assert (row["state"], row["result"], row["last_seq"]) == ("reported", "order kept", 3)
    assert row["checked_in_at"] is not None and row["reported_at"] is not None


async def test_a_missed_check_in_is_supervised_and_a_late_report_still_ends_it(
    time_env, duty_worker, duty_pool
):
    duty = await summon(time_env, duty_worker, duty_pool)

    await time_env.sleep(timedelta(minutes=31))

    assert await duty.changes(2) == [(E.check_in_overdue, S.missed), (E.supervise, S.supervised)]
    row = await until(duty.row, lambda r: r["state"] == "supervised")
    assert row["missed_at"] is not None and row["supervised_at"] is not None
    heard = await duty.case.query(CaseStandIn.changes)
    assert datetime.fromisoformat(heard[0].detail["deadline"]) == duty.start.check_in_by
    assert heard[1].detail["supervised_by"] == "Haibowan District"
    assert heard[1].detail["unit"] == "Haibei Street"  # whom the case tells of the supervision

    # Under supervision the department reports directly, without checking in first.
    view = await duty.act(W.file_report, DutyReport(actor=OFFICER, result="arrived late, done"))
    assert view.state is S.reported and view.checked_in_at is None
    assert (await duty.changes(3))[-1] == (E.report, S.reported)
    assert (await duty.row())["state"] == "reported"


async def test_a_missed_report_is_supervised_and_the_clock_counts_from_the_summons(
    time_env, duty_worker, duty_pool
):
    duty = await summon(time_env, duty_worker, duty_pool)
    await duty.act(W.check_in, DutyCheckIn(actor=OFFICER))

    await time_env.sleep(timedelta(hours=4, minutes=1))

    assert await duty.changes(3) == [
        (E.check_in, S.checked_in),
        (E.report_overdue, S.missed),
        (E.supervise, S.supervised),
    ]
    # Arrived once already: a second check-in under supervision is refused.
    reason = await refused(duty, W.check_in, DutyCheckIn(actor=OFFICER))
    assert "already checked in" in reason


async def test_an_upheld_decline_excuses_the_department(time_env, duty_worker, duty_pool):
    duty = await summon(time_env, duty_worker, duty_pool)

    view = await duty.act(W.decline, DutyDecline(actor=OFFICER, reason="a civil debt"))
    assert view.state is S.declined
    # Declined: no clock runs; the deadline passing changes nothing.
    await time_env.sleep(timedelta(hours=5))
    assert (await duty.view()).state is S.declined
    ruling = DutyRuling(actor=TOWNSHIP_SUPERVISOR, uphold=True, reason="for the court")
    view = await duty.act(W.rule_decline, ruling)

    assert view.state is S.excused and view.ruling == "for the court"
    assert await duty.changes(2) == [(E.decline, S.declined), (E.uphold, S.excused)]
    result = await until(lambda: duty.case.query(CaseStandIn.result), lambda r: True)
    assert result.state is S.excused and result.declined_reason == "a civil debt"
    row = await duty.row()
    assert (row["state"], row["declined_reason"], row["ruling"]) == (
        "excused",
        "a civil debt",
        "for the court",
    )


async def test_an_overruled_decline_puts_the_department_under_supervision(
    time_env, duty_worker, duty_pool
):
    duty = await summon(time_env, duty_worker, duty_pool)
    await duty.act(W.check_in, DutyCheckIn(actor=OFFICER))
    await duty.act(W.decline, DutyDecline(actor=OFFICER, reason="not ours"))

    ruling = DutyRuling(actor=COUNTY_SUPERVISOR, uphold=False, reason="public order is yours")
    view = await duty.act(W.rule_decline, ruling)

    assert view.state is S.supervised
    assert await duty.changes(3) == [
        (E.check_in, S.checked_in),
        (E.decline, S.declined),
        (E.overrule, S.supervised),
    ]
    assert (await duty.row())["state"] == "supervised"
    # Supervised: it may no longer decline, and it still owes its report.
    reason = await refused(duty, W.decline, DutyDecline(actor=OFFICER, reason="still not ours"))
    assert "decline from supervised" in reason
    view = await duty.act(W.file_report, DutyReport(actor=OFFICER, result="patrols added"))
    assert view.state is S.reported


# --- what validators refuse ----------------------------------------------------------------


async def test_a_wrong_actor_is_refused_and_nothing_is_recorded(time_env, duty_worker, duty_pool):
    duty = await summon(time_env, duty_worker, duty_pool)
    other_station = Actor(name="刘警官", role="police_station", unit="Qianli Township")
    other_department = Actor(name="陈所长", role="judicial_office", unit="Haibei Street")

    for actor in (other_station, other_department):
        reason = await refused(duty, W.check_in, DutyCheckIn(actor=actor))
        assert "only its own staff may (role police_station, unit Haibei Street)" in reason
    await duty.act(W.decline, DutyDecline(actor=OFFICER, reason="not ours"))
    for actor in (OFFICER, supervisor("Qianli Township")):
        ruling = DutyRuling(actor=actor, uphold=True, reason="fine")
        reason = await refused(duty, W.rule_decline, ruling)
        assert "only a supervisor of Haibei Street or Haibowan District may" in reason
    assert await duty.changes(1) == [(E.decline, S.declined)]  # the decline, nothing after


async def test_an_illegal_move_is_refused_with_the_state_machines_reason(
    time_env, duty_worker, duty_pool
):
    duty = await summon(time_env, duty_worker, duty_pool)

    reason = await refused(duty, W.file_report, DutyReport(actor=OFFICER, result="done"))
    assert "illegal duty transition: report from summoned" in reason
    assert "海北派出所 (police_station, Haibei Street) is summoned" in reason
    ruling = DutyRuling(actor=TOWNSHIP_SUPERVISOR, uphold=True, reason="no")
    reason = await refused(duty, W.rule_decline, ruling)
    assert "illegal duty transition: uphold from summoned" in reason
    await duty.act(W.check_in, DutyCheckIn(actor=OFFICER))
    reason = await refused(duty, W.file_report, DutyReport(actor=OFFICER, result="   "))
    assert "at least 1 character" in reason  # a blank result is no report
    assert await duty.changes(1) == [(E.check_in, S.checked_in)]


async def test_the_duty_ends_even_when_its_case_is_gone(time_env, duty_worker, duty_pool):
    duty = await summon(time_env, duty_worker, duty_pool, case_alive=False)

    await duty.act(W.check_in, DutyCheckIn(actor=OFFICER))
    await duty.act(W.file_report, DutyReport(actor=OFFICER, result="done"))

    result = await duty.handle.result()
    assert result.state is S.reported
    assert (await duty.row())["state"] == "reported"


async def test_a_move_the_ledger_refuses_is_refused_not_retried(time_env, duty_worker, duty_pool):
    duty = await summon(time_env, duty_worker, duty_pool)
    # Someone moved the ledger's row behind the workflow's back: the ledger has the last word.
    await duty_pool.execute(
        "UPDATE department_duties SET state = 'excused' WHERE case_id = $1", duty.start.case_id
    )

    reason = await refused(duty, W.check_in, DutyCheckIn(actor=OFFICER))

    assert "illegal duty transition: check_in from excused" in reason
    assert (await duty.view()).state is S.summoned  # the duty waits on, still summoned


async def test_the_old_update_names_act_with_the_same_step_and_validator(
    time_env, duty_worker, duty_pool
):
    # Running duties and saved histories hold the names from before the action catalogue.
    duty = await summon(time_env, duty_worker, duty_pool)
    other_department = Actor(name="陈所长", role="judicial_office", unit="Haibei Street")

    reason = await refused(duty, "check_in", DutyCheckIn(actor=other_department))
    assert "only its own staff may (role police_station, unit Haibei Street)" in reason
    view = await duty.handle.execute_update(
        "check_in", DutyCheckIn(actor=OFFICER), result_type=DutyView
    )
    assert view.state is S.checked_in
    view = await duty.handle.execute_update(
        "file_report", DutyReport(actor=OFFICER, result="patrols added"), result_type=DutyView
    )
    assert view.state is S.reported
    assert await duty.changes(2) == [(E.check_in, S.checked_in), (E.report, S.reported)]
