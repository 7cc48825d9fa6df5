"""structlog, configured once per process: readable on a terminal, JSON lines otherwise.

Temporal's own loggers (`workflow.logger`, `activity.logger`) are stdlib loggers; they are
routed through the same renderer, and the case id is lifted out of the workflow id they
carry, so every line about a case can be found with one grep.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
import temporalio.activity
import temporalio.workflow

from domain.naming import case_id_from

#: `extra=` keys of workflow log calls that become fields of the log line.
TEMPORAL_EXTRAS = ("kind", "case_level", "seq")

_configured = False


def _case_id_from_temporal(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    record = event.get("_record")
    if record is not None and "case_id" not in event:
        info = getattr(record, "temporal_workflow", None) or getattr(
            record, "temporal_activity", None
        )
        if isinstance(info, dict) and (case_id := case_id_from(info.get("workflow_id", ""))):
            event["case_id"] = case_id
    return event


def configure(*, json_output: bool | None = None, level: int = logging.INFO) -> None:
    """Set up structlog and stdlib logging; JSON unless stderr is a terminal."""
    global _configured
    if _configured:
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
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def _identity(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    return event
