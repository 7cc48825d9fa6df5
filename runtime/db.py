"""PostgreSQL plumbing: the connection pool and the versioned SQL migrations.

Migrations are plain SQL files in `migrations/`, applied in name order, each once, inside a
transaction holding an advisory lock, so several workers starting together apply them once.
"""

from __future__ import annotations

import json
from pathlib import Path

import asyncpg

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: Arbitrary but fixed: the advisory lock that serialises migration runs across processes.
_MIGRATION_LOCK = 0x0D15_9E7E


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb columns in and out as Python values, not strings.
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def create_pool(url: str, *, min_size: int = 1, max_size: int = 10) -> asyncpg.Pool:
    return await asyncpg.create_pool(
        url, min_size=min_size, max_size=max_size, init=_init_connection
    )


def _read_scripts(directory: Path) -> list[tuple[str, str]]:
    return [
        (path.stem, path.read_text(encoding="utf-8")) for path in sorted(directory.glob("*.sql"))
    ]


async def migrate(pool: asyncpg.Pool, directory: Path = MIGRATIONS) -> list[str]:
    """Apply the migrations not yet applied; returns the versions applied now."""
    applied_now: list[str] = []
    scripts = _read_scripts(directory)
    async with pool.acquire() as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", _MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, sql in scripts:
            if version in done:
                continue
            await conn.execute(sql)
            await conn.execute("INSERT INTO schema_migrations (version) VALUES ($1)", version)
            applied_now.append(version)
    return applied_now
