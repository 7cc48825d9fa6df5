"""A validator-accepted input never fails a workflow task: Hypothesis drives every update of
the case and of a department's duty with generated inputs (any actor, any field values that
pass the input model, as the API would send them) through validator and step on the
time-skipping server, and fails on a workflow task failure or a workflow that fails.

Each example is one case and a sequence of updates; a refused update is fine (that is the
validator doing its job), an update that never answers or a failed task is not.
"""

from __future__ import annotations

import asyncio
import types
import typing
import uuid
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Literal

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowUpdateFailedError, WorkflowUpdateRPCTimeoutOrCancelledError
from temporalio.service import RPCError
from temporalio.workflow import _Definition

from domain.actions import Actor, WhistleInput
from domain.naming import duty_workflow_id
from ledger.departments import load_departments
from tests import factories
from tests.factories import APPLICANT, COUNTY, GRID, RESPONDENT, TOWNSHIP, VILLAGE, supervisor
from tests.workflows.test_case import settled, start, view_when
from workflows.case import CaseWorkflow
from workflows.department_duty import DepartmentDutyWorkflow

UPDATES: dict[str, type[BaseModel]] = {
    name: defn.arg_types[0] for name, defn in _Definition.from_class(CaseWorkflow).updates.items()
}

ACTORS = [
    GRID, VILLAGE, TOWNSHIP, COUNTY, APPLICANT, RESPONDENT,
    supervisor("Diamond Square Community"), supervisor("Haibei Street"),
    supervisor("Haibowan District"),
    Actor(name="法官", role="court", unit="Haibowan District"),
    Actor(name="仲裁员", role="arbitration_committee", unit="Haibowan District"),
    Actor(name="司法所干部", role="judicial_office", unit="Haibei Street"),
    Actor(name="第三人", role="third_party"),
    Actor(name="值班民警", role="police_station", unit="Haibei Street"),
]  # fmt: skip

#: Words the fields of the actions take: units, tracks, durations, departments (Chinese too).
WORDS = [
    "G-07", "G-01", "Diamond Square Community", "Haibei Street", "Haibowan District",
    "peoples", "administrative", "judicial_pre_filing", "labour_arbitration", "litigation",
    "6h", "1d", "2d", "10d", "3wd", "0h", "999d", "police_station", "派出所", "司法所",
    "城管执法队", "market_supervision", "海北派出所", "海北司法所", "海北市场监管所",
    "judicial_office", "comprehensive_enforcement", "海北街道综合执法队",
    "grid", "village", "township", "county",
    "hearing", "appraisal", "other", "resolved", "failed",
]  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)


def value_of(annotation: Any) -> st.SearchStrategy:
    """A strategy for one field's annotation (loosely: the model decides what is valid)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        return value_of(args[0])
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(value_of(a) for a in args))
    if annotation is type(None):
        return st.none()
    if origin is Literal:
        return st.sampled_from(args)
    if origin is list:
        return st.lists(value_of(args[0]), max_size=4)
    if isinstance(annotation, type):
        if annotation is Actor:
            return st.sampled_from(ACTORS)
        if issubclass(annotation, Enum):
            return st.sampled_from(list(annotation))
        if issubclass(annotation, BaseModel):
            return model_dict(annotation)
        if annotation is bool:
            return st.booleans()
        if annotation is int:
            return st.integers(-3, 400)
        if annotation is float:
            return st.floats(-1, 1e9, allow_nan=False)
        if annotation is datetime:
            base = datetime(2026, 12, 1, tzinfo=UTC)
            return st.integers(-400, 400).map(lambda d: base + timedelta(days=d))
    return TEXT


def model_dict(model: type[BaseModel]) -> st.SearchStrategy:
    fields = {}
    for name, info in model.model_fields.items():
        strategy = value_of(info.annotation)
        fields[name] = strategy if info.is_required() else st.one_of(st.none(), strategy)
    return st.fixed_dictionaries(fields)


def an_update() -> st.SearchStrategy:
    return st.sampled_from(sorted(UPDATES)).flatmap(
        lambda name: st.tuples(st.just(name), model_dict(UPDATES[name]))
    )


async def task_failures(handle) -> list[str]:
    """Why each workflow task failed, and whether the workflow itself failed."""
    out = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
            out.append(event.workflow_task_failed_event_attributes.failure.message)
        if event.event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
            out.append(
                "workflow failed: "
                + event.workflow_execution_failed_event_attributes.failure.message
            )
    return out


#: A case at the grid, a complex one (judicial track), a red one (at the township: whistles).
#: How both properties are driven: derandomized, the same examples each run (CI stays
#: reproducible); no shrinking, whose every step would wait out a hung update (the failing
#: example is printed as found).
DRIVEN = dict(
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)

CASES = {
    "general": {},
    "complex": {"complexity": "complex"},
    "red": {"risk_flags": ["group_dispute"]},
}


@pytest.mark.parametrize("kind", sorted(CASES))
async def test_no_accepted_update_fails_a_workflow_task(time_env, case_worker, clean_pool, kind):
    await factories.load_roster(clean_pool)
    await load_departments(clean_pool, factories.sample_departments())
    loop = asyncio.get_running_loop()
    applied: list[str] = []  # the updates accepted and applied: the test must reach steps

    @settings(max_examples=25, **DRIVEN)
    @given(st.lists(an_update(), min_size=1, max_size=6))
    def run(steps):
        # Hypothesis drives from a thread; each example runs on the test's own loop.
        asyncio.run_coroutine_threadsafe(one_case(steps), loop).result()

    async def one_case(steps: list[tuple[str, dict]]) -> None:
        handle = await start(time_env, case_worker, f"PROP-{uuid.uuid4().hex[:8]}", **CASES[kind])
        await view_when(handle, settled)
        tried = []
        for name, raw in steps:
            try:
                action = UPDATES[name].model_validate(
                    {k: v for k, v in raw.items() if v is not None}
                )
            except ValidationError:
                continue  # the API answers 422; nothing reaches the workflow
            tried.append((name, action))
            try:
                await asyncio.wait_for(handle.execute_update(name, action), timeout=5)
                applied.append(name)
            except (WorkflowUpdateFailedError, RPCError):
                pass  # refused by the validator, or the step: the case is untouched
            except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
                break  # a task failed and keeps failing: reported below
        failures = await task_failures(handle)
        assert not failures, f"{failures} after {tried}"
        try:
            await handle.terminate("property test done")
        except RPCError:
            pass  # it ended by itself (withdrawn, referred...)

    await asyncio.to_thread(run)
    assert applied, "no generated update reached a step: the test proves nothing"


DUTY_UPDATES: dict[str, type[BaseModel]] = {
    name: defn.arg_types[0]
    for name, defn in _Definition.from_class(DepartmentDutyWorkflow).updates.items()
}
SUMMONED = ("police_station", "judicial_office")
DUTY_ACTORS = [
    *(Actor(name=f"{code} 值班员", role=code, unit="Haibei Street") for code in SUMMONED),
    supervisor("Haibei Street"), supervisor("Haibowan District"), TOWNSHIP, GRID, APPLICANT,
]  # fmt: skip


def a_duty_update() -> st.SearchStrategy:
    def one(name: str) -> st.SearchStrategy:
        fields = model_dict(DUTY_UPDATES[name])
        actor = st.sampled_from(DUTY_ACTORS)
        return st.tuples(
            st.just(name), st.sampled_from(SUMMONED),
            st.tuples(fields, actor).map(lambda fa: {**fa[0], "actor": fa[1]}),
        )  # fmt: skip

    return st.sampled_from(sorted(DUTY_UPDATES)).flatmap(one)


async def test_no_accepted_duty_update_fails_a_workflow_task(time_env, case_worker, clean_pool):
    await factories.load_roster(clean_pool)
    await load_departments(clean_pool, factories.sample_departments())
    loop = asyncio.get_running_loop()
    applied: list[str] = []  # the updates accepted and applied: the test must reach steps

    @settings(max_examples=20, **DRIVEN)
    @given(st.lists(a_duty_update(), min_size=1, max_size=8))
    def run(steps):
        asyncio.run_coroutine_threadsafe(one_whistle(steps), loop).result()

    async def one_whistle(steps: list[tuple[str, str, dict]]) -> None:
        case = await start(time_env, case_worker, f"PROPD-{uuid.uuid4().hex[:8]}",
                           risk_flags=["group_dispute"])  # fmt: skip
        await view_when(case, settled)
        await case.execute_update(
            CaseWorkflow.whistle,
            WhistleInput(actor=TOWNSHIP, kind="routine", reason="boundary fight",
                         departments=list(SUMMONED)),
        )  # fmt: skip
        duties = {
            code: time_env.client.get_workflow_handle(duty_workflow_id(case.id, 1, code))
            for code in SUMMONED
        }
        tried = []
        # The police have arrived: the generated steps then meet a duty in each state.
        arrived = ("check_in", "police_station", {"actor": DUTY_ACTORS[0]})
        for name, code, raw in [arrived, *steps]:
            try:
                action = DUTY_UPDATES[name].model_validate(
                    {k: v for k, v in raw.items() if v is not None}
                )
            except ValidationError:
                continue
            tried.append((name, code, action))
            try:
                await asyncio.wait_for(duties[code].execute_update(name, action), timeout=5)
                applied.append(name)
            except (WorkflowUpdateFailedError, RPCError):
                pass
            except (TimeoutError, WorkflowUpdateRPCTimeoutOrCancelledError):
                break
        failures = [f for h in (case, *duties.values()) for f in await task_failures(h)]
        assert not failures, f"{failures} after {tried}"
        try:
            await case.terminate("property test done")  # its duties with it
        except RPCError:
            pass

    await asyncio.to_thread(run)
    assert len(set(applied)) >= 2, applied
