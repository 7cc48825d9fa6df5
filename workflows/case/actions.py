"""People's actions on a case: an update paired with its pure check, applied in order.

`@case_action(check)` turns a step method of CaseWorkflow into a Temporal update of the
same name whose validator is `check` (a pure rule in `domain/case_checks.py`): a refused
action leaves nothing in the history. An accepted action waits in the workflow's queue,
carrying its step, until the main loop applies it — checked once more then, since the case
may have moved on — and the update returns the case as it stands after.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.case_models import CaseFile, CaseStart, CaseView

Check = Callable[[CaseFile, CaseStart, Any], None]


@dataclass
class Pending:
    """An accepted action (or a signal) waiting for the main loop."""

    action: BaseModel
    step: Callable[[Any], Awaitable[None]]
    check: Callable[[], None] | None = None
    done: bool = False
    error: str | None = None


def case_action(check: Check):
    """Make `step` (async, one action model in, nothing out) the update of its name, with
    `check` as its validator."""

    def decorate(step: Callable[[Any, Any], Awaitable[None]]):
        hints = typing.get_type_hints(step)
        model = next(t for name, t in hints.items() if name != "return")

        @functools.wraps(step)
        async def update(self, action):
            pending = Pending(
                action,
                functools.partial(step, self),
                check=lambda: check(self.ctx.file, self.ctx.start, action),
            )
            self.queue.append(pending)
            await workflow.wait_condition(lambda: pending.done)
            if pending.error:
                raise ApplicationError(pending.error, type="ActionRefused", non_retryable=True)
            return self.view()

        # The update's signature for Temporal's type hints: the action model in, the view out.
        update.__annotations__ = {"action": model, "return": CaseView}
        del update.__wrapped__
        handler = workflow.update(update)

        def validate(self, action) -> None:
            check(self.ctx.file, self.ctx.start, action)

        validate.__annotations__ = {"action": model, "return": None}
        handler.validator(validate)
        return handler

    return decorate
