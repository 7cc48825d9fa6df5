"""`starter.py notifications`: the listing and the re-queue, run as the CLI against PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import asyncpg

from tests.notify.helpers import HANDLER, SUPERVISOR, seed

ROOT = Path(__file__).resolve().parents[2]


async def notifications(
    pg_url: str, *args: str, lang: str | None = None
) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPUTE_")}
    env |= {"DISPUTE_LANG": lang} if lang else {}
    return await asyncio.to_thread(
        subprocess.run, [sys.executable, "starter.py", "notifications", *args], cwd=ROOT,
        env={**env, "DATABASE_URL": pg_url}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


async def test_listing_by_state_and_case_then_retrying_a_dead_one(
    clean_pool: asyncpg.Pool, pg_url: str
):
    await seed(clean_pool, "L-0001", recipients=(HANDLER, SUPERVISOR))
    await seed(clean_pool, "L-0002")
    dead_id = await clean_pool.fetchval(
        "UPDATE outbox SET dead_at = now(), attempts = 9, last_error = 'HTTP 503: down'"
        " WHERE case_id = 'L-0001' AND recipient_role = 'supervisor' RETURNING id"
    )
    await clean_pool.execute("UPDATE outbox SET delivered_at = now() WHERE case_id = 'L-0002'")

    everything = await notifications(pg_url)
    assert everything.returncode == 0, everything.stderr
    assert "共 3 条通知：待发送 1 条，已送达 1 条，已放弃 1 条" in everything.stdout
    assert "已放弃" in everything.stdout.splitlines()[1:-1][1]  # the dead one's state, named
    assert "未配置发送渠道" in everything.stderr
    english = await notifications(pg_url, lang="en")
    assert "3 notification(s): 1 pending, 1 delivered, 1 dead" in english.stdout
    assert english.stdout.startswith("id  case")
    assert "no channel is configured" in english.stderr

    dead = await notifications(pg_url, "--dead", "--json")
    [row] = [json.loads(line) for line in dead.stdout.splitlines()]
    assert (row["id"], row["state"], row["attempts"]) == (dead_id, "dead", 9)
    assert (row["kind"], row["last_error"]) == ("warning", "HTTP 503: down")
    assert row["to"] == "supervisor@Diamond Square Community"

    one_case = await notifications(pg_url, "--case", "L-0001", "--pending", "--json")
    [row] = [json.loads(line) for line in one_case.stdout.splitlines()]
    assert (row["case_id"], row["to"]) == ("L-0001", "grid_worker@G-07 (赵网格员)")

    retried = await notifications(pg_url, "retry", str(dead_id))
    assert retried.returncode == 0 and f"通知 {dead_id} 已重新排队" in retried.stdout
    state = await clean_pool.fetchrow(
        "SELECT dead_at, queued_at FROM outbox WHERE id = $1", dead_id
    )
    assert state["dead_at"] is None

    delivered_id = await clean_pool.fetchval("SELECT id FROM outbox WHERE case_id = 'L-0002'")
    refused = await notifications(pg_url, "retry", str(delivered_id))
    assert refused.returncode == 1 and "已于" in refused.stderr and "送达" in refused.stderr
    refused = await notifications(pg_url, "retry", str(delivered_id), lang="en")
    assert refused.returncode == 1 and "already delivered" in refused.stderr
    wrong = await notifications(pg_url, "retry", "x", lang="en")
    assert wrong.returncode == 2 and "expected `notifications retry ID`" in wrong.stderr
