"""Text PostgreSQL can store: no NUL, no lone surrogate. Checked where text comes in (intake
records, people's actions), so that the ledger never refuses a case's step."""

from __future__ import annotations

import re

#: Characters PostgreSQL cannot store in text or jsonb: NUL, and surrogates (a lone one in
#: JSON, \ud800, or a byte that is not UTF-8, decoded as surrogateescape by the reader).
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable_why(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    match = UNSTORABLE.search(text)
    if match is None:
        return None
    at = match.start() + 1
    if match.group() == "\x00":
        return f"holds a NUL character (\\u0000, character {at}), which cannot be stored"
    return (
        f"holds a lone surrogate or a byte that is not UTF-8 (character {at}), "
        "which cannot be stored: save the file as UTF-8"
    )


def printable(text: str) -> str:
    """Text safe to print and store: NUL and surrogates shown as escapes."""
    return UNSTORABLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
