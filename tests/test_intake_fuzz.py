"""Property-based fuzzing of intake end to end: the real reader, the pipeline, a dev server,
a worker and PostgreSQL. Whatever the file, no exception escapes, each record gets exactly
one output line, every rejection names a field, the exit status follows INTAKE.md, and
every record reported `started` reaches the ledger."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from temporalio.testing import WorkflowEnvironment

import starter
from domain.intake import IntakeFileError
from runtime import config
from service.intake import exit_status, submit
from tests.domain.test_intake_fuzz import expected_lines
from tests.intake_strategies import csv_file, file_bytes, jsonl_file
from worker import build_worker

#: Kept modest so the suite stays within minutes; the pure fuzz tests run many more.
EXAMPLES = 30
STATUSES = {"started", "duplicate", "rejected"}


async def ledger_has(pool: asyncpg.Pool, case_ids: set[str]) -> set[str]:
    """The case ids of `case_ids` in the ledger, once all are there or after 30 s."""
    found: set[str] = set()
    for _ in range(300):
        rows = await pool.fetch("SELECT case_id FROM cases WHERE case_id = ANY($1)", list(case_ids))
        found = {r["case_id"] for r in rows}
        if found == case_ids:
            break
        await asyncio.sleep(0.1)
    return found


async def test_intake_fuzz_against_real_servers(
    dev_env: WorkflowEnvironment, clean_pool: asyncpg.Pool, tmp_path: Path
):
    loop = asyncio.get_running_loop()
    now = datetime.now(UTC)
    policy = starter.load_policy(str(config.DEFAULT_POLICY), str(config.DEFAULT_CALENDAR), now)
    numbers = itertools.count()

    async def one_file(data: bytes, name: str) -> None:
        path = tmp_path / f"{next(numbers)}{name}"
        path.write_bytes(data)
        out: list[dict[str, Any]] = []
        try:
            stream, records = starter.open_records(str(path), now)
        except starter.UsageError as err:  # the file refused whole: exit 2, nothing started
            assert str(err).strip()
            return
        broke_off = False
        try:
            outcome = await submit(
                records, dev_env.client, clean_pool, policy, emit=out.append, concurrency=4
            )
        except IntakeFileError:  # a quote left open at the end: exit 2 after the rows before
            broke_off = True
        finally:
            stream.close()
        for line in out:
            assert line["status"] in STATUSES, line
            if line["status"] == "rejected":
                assert line["errors"] and all(e["field"].strip() for e in line["errors"]), line
            else:
                assert line["errors"] == [] and line["case_id"], line
        if not broke_off:
            text = data.decode("utf-8-sig")
            fmt = "csv" if name.endswith(".csv") else "jsonl"
            assert [line["line"] for line in out] == expected_lines(text, fmt)
            rejected = any(line["status"] == "rejected" for line in out)
            assert exit_status(outcome) == (1 if rejected else 0)
            assert not outcome.stopped
        started = {line["case_id"] for line in out if line["status"] == "started"}
        assert await ledger_has(clean_pool, started) == started

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        file=st.one_of(
            st.tuples(jsonl_file("Z"), st.just(".jsonl")),
            st.tuples(csv_file("Z"), st.just(".csv")),
        )
    )
    def each_file(file: tuple[str, str]) -> None:
        text, name = file
        asyncio.run_coroutine_threadsafe(one_file(file_bytes(text), name), loop).result(120)

    async with build_worker(dev_env.client, clean_pool, reports_dir=tmp_path / "reports"):
        # Hypothesis drives from a thread; the servers' client and the worker stay on this loop.
        await asyncio.to_thread(each_file)
