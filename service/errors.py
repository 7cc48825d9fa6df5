"""pydantic's validation errors as one line, the same for the CLI and the API."""

from __future__ import annotations

from pydantic import ValidationError


def problems(err: ValidationError) -> str:
    """pydantic's errors as one line: `field: message; …` (the CLI's and the API's)."""
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) + ': ' if e['loc'] else ''}"
        f"{e['msg'].removeprefix('Value error, ')}"
        for e in err.errors()
    )
