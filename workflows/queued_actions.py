"""People's actions on a workflow: one update per catalogue action, queued, applied in order.

`@queued_action(name)` turns a step method (async, the action's model in, nothing out) into
the Temporal update `name` of the action catalogue (`domain/catalogue.py`), validated by the
action's pure check: a refused action leaves nothing in the history. An accepted action waits
in the workflow's `queue`, carrying its step and its check, until the main loop applies it —
checked once more then, since the case (or duty) may have moved on — and the update returns
what the workflow's `answer()` gives after. Both `CaseWorkflow` and `DepartmentDutyWorkflow`
act through it; each says how its checks read its state (`check_action`).

`@with_aliases` (under `@workflow.defn`) registers each action's older update names, with the
same step and validator, so running workflows and saved histories that hold them replay.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from temporalio import workflow
from temporalio.exceptions import ApplicationError

with workflow.unsafe.imports_passed_through():
    from domain.catalogue import ACTIONS, Action


@dataclass
class Pending:
    """An accepted action (or a signal) waiting for the main loop."""

    action: BaseModel
    step: Callable[[Any], Awaitable[None]]
    check: Callable[[], None] | None = None
    done: bool = False
    error: str | None = None


class Host(Protocol):
    """A workflow that takes queued actions."""

    queue: list[Pending]

    def check_action(self, action: Action, given: BaseModel) -> None:
        """Run `action`'s check on the workflow's state as it stands; ValueError if refused."""

    def answer(self) -> BaseModel:
        """What an applied action's update returns."""


def _actions_sent_as(update: str) -> Action:
    """The catalogue's action sent as `update` (two actions may share one: a transfer's
    answer); they share the model and the check."""
    found = [a for a in ACTIONS.values() if a.update_name == update]
    assert found, f"no action in the catalogue is sent as {update!r}"
    assert len({(a.model, a.check) for a in found}) == 1, f"{update}: one model and check"
    return found[0]


def _handler(action: Action, name: str, step: Callable[..., Awaitable[None]]):
    """The update `name` running `step`, validated by `action`'s check."""

    async def update(self: Host, given: BaseModel) -> BaseModel:
        pending = Pending(
            given,
            functools.partial(step, self),
            check=lambda: self.check_action(action, given),
        )
        self.queue.append(pending)
        await workflow.wait_condition(lambda: pending.done)
        if pending.error:
            raise ApplicationError(pending.error, type="ActionRefused", non_retryable=True)
        return self.answer()

    # The update's signature for Temporal's type hints: the action model in, the answer out.
    update.__name__ = update.__qualname__ = step.__name__
    update.__doc__ = step.__doc__
    update.__annotations__ = {"given": action.model, "return": action.answer}
    handler = workflow.update(name=name)(update)

    def validate(self: Host, given: BaseModel) -> None:
        self.check_action(action, given)

    validate.__annotations__ = {"given": action.model, "return": None}
    handler.validator(validate)
    return handler


def queued_action(update: str):
    """Make the step the update `update` of the action catalogue, queued and validated."""
    action = _actions_sent_as(update)

    def decorate(step: Callable[..., Awaitable[None]]):
        handler = _handler(action, update, step)
        handler._aliases = [(alias, _handler(action, alias, step)) for alias in action.aliases]
        return handler

    return decorate


T = TypeVar("T", bound=type)


def with_aliases(cls: T) -> T:
    """Register each queued action's older update names on the workflow class."""
    for attr, value in list(vars(cls).items()):
        for alias, handler in getattr(value, "_aliases", ()):
            setattr(cls, f"_{alias}_alias_of_{attr}", handler)
    return cls
