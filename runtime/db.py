"""PostgreSQL plumbing: the connection pool and the versioned SQL migrations.

Migrations are plain SQL files in `migrations/`, applied in name order, each once, inside a
transaction holding an advisory lock, so several workers starting together apply them once.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import asyncpg

from runtime.text import _

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
#: Arbitrary but fixed: the advisory lock that serialises migration runs across processes.
_MIGRATION_LOCK = 0x0D15_9E7E


async def _init_connection(conn: asyncpg.Connection) -> None:
    # jsonb columns in and out as Python values, not strings.
    await conn.set_type_codec("jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


class DatabaseUnreachable(RuntimeError):
    """PostgreSQL could not be reached or refused us; the message says which one was tried."""


def describe_url(url: str) -> str:
    """Where a PostgreSQL URL points, for a message: host:port/db or the socket, no password."""
    try:
        parts = urlsplit(url)
        socket = parse_qs(parts.query).get("host", [None])[0]
        where = (
            _("socket {path}").format(path=socket)
            if socket
            else f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
        )
        database = parts.path.lstrip("/") or _("(default)")
        if parts.username:
            return _("{where}, database {database} as {user}").format(
                where=where, database=database, user=parts.username
            )
        return _("{where}, database {database}").format(where=where, database=database)
    except ValueError:
        return _("an unreadable DATABASE_URL")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """No session reset on release: the connection's users set no session state."""


async def create_pool(
    url: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    source: str = "DATABASE_URL",
    session_reset: bool = True,
) -> asyncpg.Pool:
    """A pool; a database that cannot be reached raises `DatabaseUnreachable` naming it.

    `session_reset=False` skips the query asyncpg sends on every release to reset the session
    (UNLISTEN, RESET ALL, CLOSE ALL, advisory unlocks; an open transaction is still rolled
    back): a round trip per activity for a pool whose users leave no session state behind.
    The worker's pool is such (transaction-scoped locks only, no LISTEN, no SET)."""
    try:
        return await asyncpg.create_pool(
            url, min_size=min_size, max_size=max_size, init=_init_connection, timeout=15,
            reset=None if session_reset else _keep_session,
        )  # fmt: skip
    except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as err:
        reason = getattr(err, "strerror", None) or str(err) or type(err).__name__
        message = _(
            "cannot reach the database (PostgreSQL) at {where}, from {source}: {reason}. "
            "Is `make run` up, or is DATABASE_URL right?"
        )
        raise DatabaseUnreachable(
            message.format(where=describe_url(url), source=source, reason=reason)
        ) from None


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
