"""structlog, configured once per process: readable on a terminal, JSON lines otherwise.

No personal data in a log line: `mask_personal` runs last on every line, its own and the SDK's.
A field that names a person (`name`, `to_name`, `handler`, `person`, an `actor`'s name ...)
keeps its first character (王某 -> 王*, 周网格员 -> 周***); a mobile number anywhere in a line
keeps its first three and last four digits (13812345678 -> 138****5678), an 18-character
identity number its first and last two. Free text that could carry a name (an event's summary,
a notification's message) is not logged at all: the line says its kind.

Temporal's own loggers (`workflow.logger`, `activity.logger`) are stdlib loggers; they are
routed through the same renderer, and the case id is lifted out of the workflow id they
carry, so every line about a case can be found with one grep.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog
import temporalio.activity
import temporalio.workflow

from domain.naming import case_id_from

#: `extra=` keys of workflow log calls that become fields of the log line.
TEMPORAL_EXTRAS = ("kind", "case_level", "seq")

_configured = False

#: Fields whose value names a person.
PERSON_FIELDS = frozenset(
    {"name", "to_name", "handler", "person", "assignee", "applicant", "respondent", "officer",
     "party", "who"}
)  # fmt: skip
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{2})\d{14}(\d[0-9Xx])(?![0-9A-Za-z])")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3})-?(\d{3,4})(\d{4})(?!\d)")


def mask_name(name: str) -> str:
    """王某 -> 王*: the first character stays, so two lines about one person still match."""
    return name[:1] + "*" * max(1, len(name) - 1) if name else name


def mask_text(text: str) -> str:
    """Mobile, landline and identity numbers in free text, masked."""
    text = _ID_NUMBER.sub(lambda m: f"{m[1]}{'*' * 14}{m[2]}", text)
    text = _PHONE.sub(lambda m: f"{m[1]}****{m[3]}", text)
    return _LANDLINE.sub(lambda m: f"{m[1]}-****{m[3]}", text)


def _masked(key: str, value: Any) -> Any:
    if isinstance(value, str):
        return mask_name(value) if key in PERSON_FIELDS else mask_text(value)
    if isinstance(value, dict):
        return {k: _masked(str(k), v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(key, v) for v in value]
    return value


def mask_personal(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    """The processor: every field of the line, masked (see the module's docstring)."""
    for key, value in list(event.items()):
        if key.startswith("_"):
            continue
        if key == "actor" and isinstance(value, dict):
            event[key] = {k: _masked(k, v) for k, v in value.items()}
        else:
            event[key] = _masked(key, value)
    return event


def _case_id_from_temporal(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    record = event.get("_record")
    if record is not None and "case_id" not in event:
        info = getattr(record, "temporal_workflow", None) or getattr(
            record, "temporal_activity", None
        )
        if isinstance(info, dict) and (case_id := case_id_from(info.get("workflow_id", ""))):
            event["case_id"] = case_id
    return event


def configure(
    *, json_output: bool | None = None, level: int = logging.INFO, stream: Any = None, again=False
) -> None:
    """Set up structlog and stdlib logging; JSON unless stderr is a terminal; `stream` (a
    test's) instead of stderr, `again` to configure a second time."""
    global _configured
    if _configured and not again:
        return
    _configured = True
    if json_output is None:
        json_output = not sys.stderr.isatty()
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(ensure_ascii=False)
        if json_output
        else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    # The case id is lifted out of Temporal's context instead of repeated in each message.
    temporalio.workflow.logger.workflow_info_on_message = False
    temporalio.activity.logger.activity_info_on_message = False
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            *shared,
            structlog.stdlib.ExtraAdder(allow=TEMPORAL_EXTRAS),
            _case_id_from_temporal,
        ],
        processors=[
            _case_id_from_temporal,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if json_output else _identity,
            mask_personal,
            renderer,
        ],
    )
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _identity(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    return event
