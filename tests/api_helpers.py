"""Serving the API inside a test: uvicorn on a free port, on the test's own event loop (so
the worker, the API and the test share one loop), over the test's Temporal and PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
import uvicorn
from temporalio.client import Client

from api.app import create_app
from ledger import tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@asynccontextmanager
async def serve_api(client: Client, pool: asyncpg.Pool) -> AsyncIterator[str]:
    """The API's base URL while the block runs."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(client, pool), host="127.0.0.1", port=port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


async def person_token(
    pool: asyncpg.Pool, level: str, unit: str, name: str, role: str, *, as_role: str | None = None
) -> str:
    """Put the person on the roster (idempotently) and issue them a token."""
    await pool.execute(
        "INSERT INTO roster (level, unit, name, role) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (level, unit, name) DO UPDATE SET active = true",
        level, unit, name, role,
    )  # fmt: skip
    return (await tokens.issue(pool, name, unit, as_role or role))[1]
