"""Reading policy files: TOML, and one optional table at a time with errors as `table.key`.

Shared by the ladder's policy and the whistle, mediation and confirmation tables, each of
which builds its own typed model from the table as written. Pure: text in, models out.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import ValidationError

T = TypeVar("T")


class PolicyError(ValueError):
    """The policy file is unreadable or breaks a rule; the message names the key."""


def load_toml(text: str, *, source: str) -> dict[str, Any]:
    """A policy file's TOML; PolicyError naming the file when it is not TOML."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise PolicyError(f"{source}: not valid TOML: {err}") from None


def build_table(data: dict[str, Any], table: str, build: Callable[[Any], T], *, source: str) -> T:
    """The rules of one optional table of a policy file (`[whistle]`, `[mediation]`, …),
    built by `build` from the table as written (None when absent); errors name the file
    and the key as `table.key`."""
    try:
        return build(data.get(table))
    except ValidationError as err:
        raise PolicyError(f"{source}: {problems(err, table=table)}") from None
    except ValueError as err:
        raise PolicyError(f"{source}: {table}.{err}") from None


def problems(err: ValidationError, *, table: str | None = None) -> str:
    """Each error as `key.path: message`, the key under `table` when one is given."""
    problems = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"])
        if table:
            where = f"{table}.{where}" if where else table
        problems.append(f"{where or '(top)'}: {e['msg']}")
    return "; ".join(problems)
