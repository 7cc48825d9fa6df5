"""Migration 007 on a database that already holds undelivered notifications (an upgrade)."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import asyncpg

from runtime import db


async def test_rows_written_before_the_upgrade_become_pending_with_their_own_ids(
    pool: asyncpg.Pool, pg_url: str, tmp_path: Path
):
    name = f"upgrade_{uuid.uuid4().hex[:8]}"
    await pool.execute(f"CREATE DATABASE {name}")
    before = tmp_path / "before"
    before.mkdir()
    for script in sorted(db.MIGRATIONS.glob("*.sql")):
        if script.name < "007":
            shutil.copy(script, before)
    old = await db.create_pool(pg_url.replace("/disputes_test", f"/{name}"))
    try:
        await db.migrate(old, before)
        await old.execute(
            "INSERT INTO cases (case_id, workflow_id, dispute_type, complexity, risk, title,"
            " county, township, village, grid, reported_at, opened_at, policy_name, intake,"
            " level) VALUES ('OLD-1', 'case-OLD-1', 'neighbour', 'simple', 'green', 't', 'c',"
            " 't', 'v', 'g', now(), now(), 'p', '{}'::jsonb, 'grid')"
        )
        await old.execute(
            "INSERT INTO outbox (case_id, seq, recipient_role, recipient_unit, message, created_at)"
            " VALUES ('OLD-1', 2, 'grid_worker', 'G-1', 'm', now() - interval '3 days')"
        )

        applied = await db.migrate(old)
        assert applied[0] == "007_delivery" and all(v > "007" for v in applied)

        row = await old.fetchrow("SELECT * FROM outbox")
        # Never tried before the upgrade: its `dead after` window starts now, not 3 days ago.
        assert row["queued_at"] > row["created_at"] and row["attempts"] == 0
        assert row["next_attempt_at"] is not None and row["dead_at"] is None
        same_key = await old.fetchval(
            "SELECT md5('OLD-1/2/grid_worker/G-1')::uuid = message_id FROM outbox"
        )
        assert same_key  # derived from the business key: the same after any retry
    finally:
        await old.close()
        await pool.execute(f"DROP DATABASE {name} WITH (FORCE)")
