"""One copy per process of equal immutable values, found by content hash.

Every case carries the policy in force when it started (with its calendar's slice), so a
running case never changes when the files do. Decoding each case's start builds a new copy of
that policy: tens of kilobytes of Python objects per case held in a worker's cache, for a
handful of distinct policies (bench/memory.py). `shared()` hands back the first copy this
process decoded with the same content instead: equal field for field, frozen, so a case reads
exactly what its own copy held, and a replay too. Pure: no I/O, no clock.
"""

from __future__ import annotations

import hashlib
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

#: Distinct values kept; past it the table starts afresh (values handed out stay with the
#: cases holding them). A worker meets a few policies, not hundreds.
LIMIT = 256

_by_content: dict[tuple[type, bytes], BaseModel] = {}
#: The copies handed out, by identity: a value that is one of them needs no hashing (a
#: starter passes the same policy object to every case it starts; hashing it is a JSON dump
#: of the whole policy each time).
_handed_out: dict[int, BaseModel] = {}


def content_key(value: BaseModel) -> tuple[type, bytes]:
    """The value's type and the SHA-256 of its JSON: equal keys, equal values."""
    return type(value), hashlib.sha256(value.model_dump_json().encode()).digest()


def shared(value: M) -> M:
    """The process's copy of a frozen `value` (the first one seen with the same content)."""
    if not value.model_config.get("frozen"):
        raise TypeError(f"{type(value).__name__} is not frozen: a shared copy could change")
    if _handed_out.get(id(value)) is value:
        return value
    if len(_by_content) >= LIMIT:
        _by_content.clear()
        _handed_out.clear()
    # setdefault is one step under the GIL: two threads decoding the same policy agree.
    kept = _by_content.setdefault(content_key(value), value)
    _handed_out[id(kept)] = kept  # held in _by_content, so its id is not reused meanwhile
    return kept  # type: ignore[return-value]
