"""The engine's own messages (`runtime` catalog): what the plumbing, the ledger and the shared
services say to a person — a missing setting, an unreachable database, a bad token — in the
process's language, looked up when said (the language is fixed after import)."""

from __future__ import annotations

from texts import process_texts


def _(message: str) -> str:
    """`message` (an English msgid of the `runtime` catalog) in the process's language."""
    return process_texts("runtime")(message)
