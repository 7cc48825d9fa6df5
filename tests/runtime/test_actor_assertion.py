"""Only the front door names who acts: an update that reaches Temporal without the API's signed
actor assertion, or with one signed for someone else, is refused by the validator and audited;
a signed one is applied."""

from __future__ import annotations

import pytest
from temporalio import client as tclient
from temporalio.client import Client, WorkflowUpdateFailedError

from domain.actions import Actor, PauseInput
from runtime import actor_assertion as aa
from runtime import refusals
from tests.conftest import ACTOR_KEY
from tests.factories import GRID
from tests.workflows.test_case import start
from worker import write_refusals
from workflows.case import CaseWorkflow

EVE = Actor(name="Eve", role="grid_worker", unit="G-01")


def test_an_assertion_vouches_for_its_actor_case_and_update_only():
    args = [PauseInput(actor=GRID, reason="hearing")]
    good = aa.sign(ACTOR_KEY, "case-A", "pause", args, now=1000)
    assert aa.verify(ACTOR_KEY, good, "case-A", "pause", args, now=1001) is None
    other = [PauseInput(actor=EVE, reason="hearing")]
    assert "does not match" in aa.verify(ACTOR_KEY, good, "case-A", "pause", other, now=1001)
    assert "does not match" in aa.verify(ACTOR_KEY, good, "case-B", "pause", args, now=1001)
    assert "does not match" in aa.verify(ACTOR_KEY, good, "case-A", "resume", args, now=1001)
    assert "does not match" in aa.verify(bytes(32), good, "case-A", "pause", args, now=1001)
    assert "expired" in aa.verify(ACTOR_KEY, good, "case-A", "pause", args, now=1000 + 121)
    assert "no actor assertion" in aa.verify(ACTOR_KEY, None, "case-A", "pause", args)
    assert "malformed" in aa.verify(ACTOR_KEY, {"v": 1, "exp": "x"}, "case-A", "pause", args)
    far = aa.sign(ACTOR_KEY, "case-A", "pause", args, now=10_000)
    assert "too late" in aa.verify(ACTOR_KEY, far, "case-A", "pause", args, now=1000)


def test_the_assertion_carries_no_personal_data():
    assertion = aa.sign(ACTOR_KEY, "case-A", "pause", [PauseInput(actor=GRID, reason="hearing")])
    assert set(assertion) == {"v", "exp", "mac"}
    assert GRID.name not in aa.header_payload(assertion).data.decode()


class _SignsAs(tclient.Interceptor):
    """An impostor holding a signed assertion for one actor, sending an update for another."""

    def __init__(self, signed_for: Actor) -> None:
        self.signed_for = signed_for

    def intercept_client(self, next):
        signed_for = self.signed_for

        class Out(tclient.OutboundInterceptor):
            async def start_workflow_update(self, input):
                fake = [PauseInput(actor=signed_for, reason="hearing")]
                assertion = aa.sign(ACTOR_KEY, input.id, input.update, fake)
                input.headers = {aa.HEADER: aa.header_payload(assertion)}
                return await super().start_workflow_update(input)

        return Out(next)


def _client_like(client: Client, interceptors: list) -> Client:
    return Client(**{**client.config(), "interceptors": interceptors})


@pytest.mark.parametrize("how", ["unsigned", "signed_for_someone_else"])
async def test_an_update_not_signed_for_its_actor_is_refused_and_audited(
    time_env, case_worker, clean_pool, how
):
    await clean_pool.execute("TRUNCATE refused_actions")
    refusals.drain()
    handle = await start(time_env, case_worker, f"AA-{how}")
    interceptors = [] if how == "unsigned" else [_SignsAs(GRID)]
    raw = _client_like(time_env.client, interceptors).get_workflow_handle(handle.id)
    with pytest.raises(WorkflowUpdateFailedError) as caught:
        await raw.execute_update(CaseWorkflow.pause, PauseInput(actor=EVE, reason="other"))
    assert "assertion" in str(caught.value.cause)
    view = await handle.query(CaseWorkflow.view)
    assert view.status == "open"
    assert not any(e.kind == "paused" for e in view.events)

    assert await write_refusals(clean_pool) == 1
    row = await clean_pool.fetchrow("SELECT * FROM refused_actions")
    assert (row["case_id"], row["action"], row["name"], row["source"], row["status"]) == (
        f"AA-{how}",
        "pause",
        "Eve",
        "temporal",
        403,
    )

    # The same update, signed for its actor as the API signs it, is applied.
    done = await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing"))
    assert done.status == "paused"


async def test_a_worker_refuses_a_plaintext_update_and_audits_it(time_env, clean_pool, tmp_path):
    import uuid

    from temporalio.contrib.pydantic import pydantic_data_converter

    from runtime.codec import data_converter
    from tests.conftest import PAYLOAD_KEYS, SIGNING
    from tests.factories import case_start
    from worker import build_worker

    await clean_pool.execute("TRUNCATE refused_actions")
    refusals.drain()
    base = time_env.client.config()
    refusing = Client(
        **{**base, "data_converter": data_converter(PAYLOAD_KEYS, refuse_plaintext=True)}
    )
    plain = Client(**{**base, "data_converter": pydantic_data_converter, "interceptors": SIGNING})
    worker = build_worker(refusing, clean_pool, task_queue=f"plain-{uuid.uuid4().hex[:6]}",
                          reports_dir=tmp_path)  # fmt: skip
    async with worker:
        handle = await time_env.client.start_workflow(
            CaseWorkflow.run, case_start("AA-PLAIN"), id="case-AA-PLAIN",
            task_queue=worker.task_queue,
        )  # fmt: skip
        with pytest.raises(WorkflowUpdateFailedError) as caught:
            await plain.get_workflow_handle(handle.id).execute_update(
                CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing")
            )
        assert "Failed decoding arguments" in str(caught.value.cause)
        # Encrypted and signed, the same update is applied.
        done = await handle.execute_update(
            CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing")
        )
        assert done.status == "paused"
    assert await write_refusals(clean_pool) >= 1
    rows = await clean_pool.fetch("SELECT case_id, action, reason, source FROM refused_actions")
    assert ("AA-PLAIN", "(plaintext payload)", "temporal") in {
        (r["case_id"], r["action"], r["source"]) for r in rows
    }


async def test_every_payload_of_a_case_names_its_workflow_for_the_codec_server(
    time_env, case_worker, clean_pool
):
    """The codec server reads whose case a payload is from it: the start input, the update's
    input and result, the activities' inputs and results all name the case's workflow."""
    from runtime.codec import ENCODING, workflow_of

    handle = await start(time_env, case_worker, "AA-BOUND")
    await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing"))
    history = await handle.fetch_history()
    sealed = [
        p
        for event in history.events
        for field in event.ListFields()
        if field[0].name.endswith("_attributes")
        for p in _payloads_in(field[1])
    ]
    encrypted = [p for p in sealed if p.metadata.get("encoding") == ENCODING]
    assert len(encrypted) >= 5
    assert {workflow_of(p) for p in encrypted} == {handle.id}


def _payloads_in(message):
    from temporalio.api.common.v1 import Payload

    for _field, value in message.ListFields():
        values = (
            list(value)
            if hasattr(value, "__len__") and not hasattr(value, "ListFields")
            else [value]
        )
        for v in values:
            if isinstance(v, Payload):
                yield v
            elif hasattr(v, "ListFields"):
                yield from _payloads_in(v)


def test_every_update_of_the_case_and_the_duty_has_a_validator_for_the_check():
    """The interceptor checks the assertion in the validator; an update without one (an alias
    kept for old clients included) would skip the check."""
    from temporalio.workflow import _Definition

    from workflows.department_duty import DepartmentDutyWorkflow

    for workflow_class in (CaseWorkflow, DepartmentDutyWorkflow):
        updates = _Definition.from_class(workflow_class).updates
        assert updates
        missing = [name for name, defn in updates.items() if defn.validator is None]
        assert missing == [], f"{workflow_class.__name__}: {missing}"


async def test_the_temporal_cli_cannot_act_on_a_case(dev_env, clean_pool, tmp_path):
    """The attack as it was made: `temporal workflow update execute --name pause` with a made-up
    actor against the server's port. Refused (the payload is plaintext, and unsigned), nothing
    recorded, audited."""
    import asyncio
    import json
    import subprocess
    import uuid

    from runtime.codec import data_converter
    from tests.conftest import DEV_SERVER, PAYLOAD_KEYS
    from tests.factories import case_start
    from worker import build_worker

    await clean_pool.execute("TRUNCATE refused_actions")
    refusals.drain()
    base = dev_env.client.config()
    refusing = Client(
        **{**base, "data_converter": data_converter(PAYLOAD_KEYS, refuse_plaintext=True)}
    )
    address = dev_env.client.service_client.config.target_host
    async with build_worker(refusing, clean_pool, task_queue=f"cli-{uuid.uuid4().hex[:6]}",
                            reports_dir=tmp_path) as worker:  # fmt: skip
        handle = await dev_env.client.start_workflow(
            CaseWorkflow.run, case_start("AA-CLI"), id="case-AA-CLI", task_queue=worker.task_queue
        )
        await handle.query(CaseWorkflow.view)
        eve = {"actor": {"name": "Eve", "role": "grid_worker", "unit": "G-07"}, "reason": "other"}
        done = await asyncio.to_thread(
            subprocess.run,
            [str(DEV_SERVER), "workflow", "update", "execute", "--address", address,
             "--name", "pause", "--workflow-id", handle.id, "--input", json.dumps(eve)],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        view = await handle.query(CaseWorkflow.view)
    assert done.returncode != 0, done.stdout
    assert view.status == "open" and not any(e.kind == "paused" for e in view.events)
    assert await write_refusals(clean_pool) >= 1
    rows = await clean_pool.fetch("SELECT case_id, source FROM refused_actions")
    assert ("AA-CLI", "temporal") in {(r["case_id"], r["source"]) for r in rows}
