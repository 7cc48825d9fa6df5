"""The intake pipeline (runtime/intake_run.py) in-process: streaming, order, a lost server."""

from __future__ import annotations

import asyncio
import io
import json
from datetime import UTC, datetime
from typing import Any

import asyncpg
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from domain.intake import iter_intake
from runtime import config
from service.intake import EXIT_UNUSABLE, exit_status, open_intake, submit
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
                   emit=emit, concurrency=4),
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
