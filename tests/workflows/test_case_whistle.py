"""Whistle and report (吹哨报到): the case summons departments, each duty a child workflow,
on the time-skipping server with a real worker and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError

from domain.actions import Actor, WhistleInput
from domain.duty_contract import DutyCheckIn, DutyReport
from domain.naming import duty_workflow_id
from ledger.departments import load_departments
from tests import factories
from tests.factories import GRID, TOWNSHIP
from tests.workflows.test_case import settled, start, view_when
from workflows.case import CaseWorkflow
from workflows.department_duty import DepartmentDutyWorkflow


@pytest.fixture
async def departments(clean_pool: asyncpg.Pool) -> None:
    await load_departments(clean_pool, factories.sample_departments())


def staff(code: str, unit: str = "Haibei Street") -> Actor:
    return Actor(name=f"{code} 值班员", role=code, unit=unit)


async def red_case(time_env, case_worker, **kw):
    """A red case: it opens at the township, where whistles are blown."""
    handle = await start(time_env, case_worker, risk_flags=["group_dispute"], **kw)
    await view_when(handle, settled)
    return handle


async def report(time_env, handle, code: str, unit: str = "Haibei Street") -> None:
    duty = time_env.client.get_workflow_handle(duty_workflow_id(handle.id, 1, code))
    await duty.execute_update(DepartmentDutyWorkflow.check_in, DutyCheckIn(actor=staff(code, unit)))
    await duty.execute_update(
        DepartmentDutyWorkflow.file_report,
        DutyReport(actor=staff(code, unit), result="mediated on site", findings="fence moved"),
    )


async def test_whistle_is_answered_when_every_department_reports(
    time_env, case_worker, clean_pool, departments
):
    handle = await red_case(time_env, case_worker)
    blown = await handle.execute_update(
        CaseWorkflow.whistle,
        WhistleInput(actor=TOWNSHIP, kind="routine", reason="boundary fight",
                     departments=["police_station", "judicial_office"]),
    )  # fmt: skip

    await report(time_env, handle, "police_station")
    half = await view_when(handle, lambda v: v.whistles[0].duties["police_station"] == "reported")
    await report(time_env, handle, "judicial_office")
    view = await view_when(handle, lambda v: v.whistles[0].answered)

    assert blown.whistles[0].duties == {"police_station": "summoned", "judicial_office": "summoned"}
    assert not half.whistles[0].answered
    kinds = [e.kind for e in view.events]
    assert kinds.count("department_report") == 2 and kinds[-1] == "whistle_answered"
    rows = await clean_pool.fetch(
        "SELECT department, state FROM department_duties WHERE case_id = $1 ORDER BY department",
        view.case_id,
    )
    assert [tuple(r) for r in rows] == [
        ("judicial_office", "reported"),
        ("police_station", "reported"),
    ]


async def test_a_department_missing_its_check_in_is_supervised_by_the_county(
    time_env, case_worker, clean_pool, departments
):
    handle = await red_case(time_env, case_worker)
    await handle.execute_update(
        CaseWorkflow.whistle,
        WhistleInput(actor=TOWNSHIP, kind="emergency", reason="crowd at the site",
                     departments=["police_station"]),
    )  # fmt: skip

    await time_env.sleep(timedelta(hours=1))  # an emergency's check-in is 30 minutes

    view = await view_when(handle, lambda v: v.whistles[0].duties["police_station"] == "supervised")
    supervised = next(e for e in view.events if e.kind == "department_supervise")
    rows = await clean_pool.fetch(
        "SELECT recipient_role, recipient_unit FROM outbox WHERE case_id = $1 AND seq = $2",
        view.case_id,
        supervised.seq,
    )
    assert {tuple(r) for r in rows} == {
        ("supervisor", "Haibowan District"),
        ("police_station", "Haibei Street"),
    }
    assert not view.whistles[0].answered


async def test_a_quorum_whistle_moves_on_without_the_last_department(
    time_env, case_worker, clean_pool, departments
):
    handle = await red_case(time_env, case_worker)
    await handle.execute_update(
        CaseWorkflow.whistle,
        WhistleInput(actor=TOWNSHIP, kind="hard_case", reason="long-running feud",
                     departments=["police_station", "judicial_office", "judge_station"]),
    )  # fmt: skip

    await report(time_env, handle, "police_station")
    await report(time_env, handle, "judge_station")
    view = await view_when(handle, lambda v: v.whistles[0].answered)

    answered = view.events[-1]
    assert answered.kind == "whistle_answered"
    assert answered.data["reported"] == ["judge_station", "police_station"]
    assert view.whistles[0].duties["judicial_office"] == "summoned"


async def test_the_policy_blows_the_whistle_for_a_red_land_acquisition_case(
    time_env, case_worker, clean_pool, departments
):
    handle = await start(
        time_env, case_worker, dispute_type="land_acquisition", risk_flags=["group_dispute"]
    )

    view = await view_when(handle, lambda v: bool(v.whistles))

    blown = next(e for e in view.events if e.kind == "whistle_blown")
    assert blown.actor is None and blown.data["kind"] == "hard_case"
    assert set(view.whistles[0].duties) == {
        "natural_resources", "comprehensive_enforcement", "police_station",
    }  # fmt: skip


async def test_only_the_township_or_county_blows_a_whistle(
    time_env, case_worker, clean_pool, departments
):
    handle = await start(time_env, case_worker)
    await view_when(handle, settled)

    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.whistle,
            WhistleInput(actor=GRID, kind="routine", reason="help", departments=["police_station"]),
        )

    assert "only the township or the county blows the whistle" in str(caught.value.cause)
    assert factories.DEFAULT_POLICY.opens_at["green"].value == "grid"


async def test_a_whistle_naming_departments_by_name_is_refused_not_failed(
    time_env, case_worker, clean_pool, departments
):
    """The validator refuses what the step could not look up (a department's Chinese name, a
    unit): it once passed and failed the case's workflow task instead."""
    handle = await red_case(time_env, case_worker)
    before = await handle.query(CaseWorkflow.view)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await handle.execute_update(
            CaseWorkflow.whistle,
            WhistleInput(actor=TOWNSHIP, kind="routine", reason="boundary fight",
                         departments=["police_station", "海北派出所"]),
        )  # fmt: skip
    assert "no department 海北派出所" in str(caught.value.cause)
    assert (await handle.query(CaseWorkflow.view)).events == before.events
    failed = [
        e async for e in handle.fetch_history_events()
        if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED
    ]  # fmt: skip
    assert failed == []
