"""The intake pipeline (runtime/intake_run.py) in-process: streaming, order, a lost server."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from typing import Any

import asyncpg
from temporalio.client import Client, Interceptor, OutboundInterceptor, StartWorkflowInput
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode
from temporalio.testing import WorkflowEnvironment

from domain.intake import iter_intake
from runtime import config
from service.intake import EXIT_UNUSABLE, exit_status, open_intake, started_by, submit
from starter import load_policy
from tests.conftest import DEV_SERVER
from tests.intake_strategies import GOOD
from workflows import search_attributes as sa


def file_of(count: int, prefix: str) -> io.BytesIO:
    text = "".join(json.dumps({**GOOD, "case_id": f"{prefix}-{n}"}) + "\n" for n in range(count))
    return io.BytesIO(text.encode("utf-8"))


async def test_a_lost_temporal_stops_the_run_and_answers_every_record_read(
    clean_pool: asyncpg.Pool,
):
    # A server of its own: this test shuts it down mid-file.
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(DEV_SERVER),
        search_attributes=list(sa.ALL),
        data_converter=pydantic_data_converter,
        dev_server_log_level="error",
    )
    now = datetime.now(UTC)
    policy = load_policy(str(config.DEFAULT_POLICY), str(config.DEFAULT_CALENDAR), now)
    fmt, lines = open_intake("lost.jsonl", file_of(400, "LOST"))
    out: list[dict[str, Any]] = []
    stopping: list[asyncio.Task] = []

    def emit(line: dict[str, Any]) -> None:
        out.append(line)
        if len(out) == 5:  # some cases started: now the server goes away
            stopping.append(asyncio.get_running_loop().create_task(env.shutdown()))

    try:
        outcome = await asyncio.wait_for(
            submit(iter_intake(lines, fmt, now=now), env.client, clean_pool, policy,
                   emit=emit, concurrency=4, reconnect_for=1),
            timeout=240,
        )  # fmt: skip
    finally:
        if stopping:
            await stopping[0]
        else:
            await env.shutdown()

    assert outcome.stopped and "lost Temporal" in outcome.stopped
    assert exit_status(outcome) == EXIT_UNUSABLE
    assert [line["line"] for line in out] == list(range(1, len(out) + 1))
    assert len(out) < 400 and outcome.last_line == len(out)
    assert out[0]["status"] == "started"
    not_sent = [line for line in out if line["status"] == "rejected"]
    assert not_sent and all(line["errors"][0]["field"] == "(server)" for line in not_sent)
    assert all("run the file again" in line["errors"][0]["message"] for line in not_sent)


class Flaky(Interceptor):
    """A connection that fails as a dropped one does: every third start is refused as
    unavailable before it reaches the server, and every fifth reaches it and starts the case
    but its answer is lost."""

    def __init__(self) -> None:
        self.calls = 0

    def intercept_client(self, next: OutboundInterceptor) -> OutboundInterceptor:
        flaky = self

        class Outbound(OutboundInterceptor):
            async def start_workflow(self, input: StartWorkflowInput):
                flaky.calls += 1
                lost = RPCError("connection dropped", RPCStatusCode.UNAVAILABLE, b"")
                if flaky.calls % 3 == 0:
                    raise lost
                handle = await super().start_workflow(input)
                if flaky.calls % 5 == 0:
                    raise lost
                return handle

        return Outbound(next)


async def test_starts_the_server_dropped_are_retried_and_each_case_started_once(
    clean_pool: asyncpg.Pool, dev_env: WorkflowEnvironment
):
    flaky = Flaky()
    client = Client(**{**dev_env.client.config(), "interceptors": [flaky]})
    now = datetime.now(UTC)
    policy = load_policy(str(config.DEFAULT_POLICY), str(config.DEFAULT_CALENDAR), now)
    fmt, lines = open_intake("flaky.jsonl", file_of(30, "FLAKY"))
    out: list[dict[str, Any]] = []

    outcome = await submit(
        iter_intake(lines, fmt, now=now), client, clean_pool, policy, emit=out.append,
        concurrency=4, reconnect_for=30,
    )  # fmt: skip

    assert flaky.calls > 30  # some starts were tried again
    assert outcome.stopped is None and exit_status(outcome) == 0
    # Every record answered once, in order, as started: a start whose answer was lost is
    # ours (its workflow carries this client's identity), not a duplicate.
    assert [line["line"] for line in out] == list(range(1, 31))
    assert {line["status"] for line in out} == {"started"}
    ids = {line["workflow_id"] for line in out}
    for workflow_id in ids:  # each started by this client, once
        assert await started_by(client, workflow_id)
    assert len(ids) == 30


async def test_a_case_another_client_started_is_still_a_duplicate_after_a_retry(
    clean_pool: asyncpg.Pool, dev_env: WorkflowEnvironment
):
    now = datetime.now(UTC)
    policy = load_policy(str(config.DEFAULT_POLICY), str(config.DEFAULT_CALENDAR), now)
    fmt, lines = open_intake("first.jsonl", file_of(6, "TWICE"))
    first: list[dict[str, Any]] = []
    await submit(iter_intake(lines, fmt, now=now), dev_env.client, clean_pool, policy,
                 emit=first.append)  # fmt: skip
    flaky = Flaky()
    again = await Client.connect(  # another clerk's run: another identity
        dev_env.client.service_client.config.target_host, namespace=dev_env.client.namespace,
        data_converter=dev_env.client.data_converter, interceptors=[flaky], identity="again",
    )  # fmt: skip
    fmt, lines = open_intake("again.jsonl", file_of(6, "TWICE"))
    second: list[dict[str, Any]] = []

    await submit(iter_intake(lines, fmt, now=now), again, clean_pool, policy,
                 emit=second.append, reconnect_for=30)  # fmt: skip

    assert {line["status"] for line in first} == {"started"}
    assert flaky.calls > 6 and {line["status"] for line in second} == {"duplicate"}
