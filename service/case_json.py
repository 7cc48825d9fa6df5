"""A case as JSON, for the API and `starter.py status --json`: the `CaseView` with every time
at one offset (+08:00, the counties' own) and every duration in whole seconds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from domain.case_models import CaseView
from texts.terms import LOCAL_ZONE

# An ISO 8601 time with its offset, as the ledger's JSON holds one inside an event's data.
_ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)$")


def _local(value: Any, key: str = "") -> Any:
    """`value` with every time at +08:00 and every duration (a timedelta, or a number under a
    key ending in `_seconds`) in whole seconds, recursively."""
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_ZONE).isoformat()
    if isinstance(value, timedelta):
        return round(value.total_seconds())
    if isinstance(value, dict):
        return {k: _local(v, k) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_local(v, key) for v in value]
    if isinstance(value, float) and key.endswith("_seconds"):
        return round(value)
    if isinstance(value, str) and _ISO_TIME.match(value):
        return datetime.fromisoformat(value).astimezone(LOCAL_ZONE).isoformat()
    return value


def status_json(view: CaseView) -> dict[str, Any]:
    """The case as `status --json` prints it: the view's own fields and values (the machine
    contract), every time at +08:00, durations in whole seconds."""
    return _local(view.model_dump(mode="python"))


def related_json(links: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The case's links (ledger/related.py) as the API and `status --json` give them:
    `{"case_id", "link": "related" | "duplicate_of" | "merged_from", "status", "title",
    "note", "at"}`, times at +08:00."""
    return [_local(link) for link in links]


def with_local_times(value: dict[str, Any]) -> dict[str, Any]:
    """Any JSON-bound dict with its times at +08:00 and durations in whole seconds."""
    return _local(value)
