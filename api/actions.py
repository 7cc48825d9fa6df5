"""The actions the API offers: one per CLI action command, with the same update and model.

Built from the CLI's own tables (runtime/case_commands.py, runtime/duty_commands.py), so the
two never drift: the update a command sends, and its input model (read from the update's
signature). A request's body is that model without `actor`, which comes from the token;
`accept-transfer` and `object-transfer` fix `accept`.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from cli.case_commands import ACTIONS
from cli.duty_commands import DUTY_ACTIONS
from domain.naming import duty_workflow_id, workflow_id_for

#: Fields an action's name already decides.
_FIXED: dict[str, dict[str, Any]] = {
    "accept-transfer": {"accept": True},
    "object-transfer": {"accept": False},
}


@dataclass(frozen=True)
class ApiAction:
    name: str
    help: str
    update: Any
    model: type[BaseModel]  # the update's full input model, actor included
    body: type[BaseModel]  # what a request sends: the model without actor and fixed fields
    duty: bool  # a department duty's action (sent to the case's child for that department)
    fixed: dict[str, Any] = field(default_factory=dict)

    def workflow_id(self, case_id: str, department: str | None, whistle: int) -> str:
        if self.duty:
            assert department is not None
            return duty_workflow_id(workflow_id_for(case_id), whistle, department)
        return workflow_id_for(case_id)


def _input_model(update: Any) -> type[BaseModel]:
    hints = typing.get_type_hints(update)
    return next(t for name, t in hints.items() if name != "return")


def _body_model(name: str, model: type[BaseModel], fixed: dict[str, Any]) -> type[BaseModel]:
    """The request body's schema (for validation of each field and for /docs); the full
    model, with its cross-field rules, is validated once the actor is added."""
    fields = {
        key: (info.annotation, info)
        for key, info in model.model_fields.items()
        if key != "actor" and key not in fixed
    }
    title = "".join(part.capitalize() for part in name.split("-")) + "Body"
    return create_model(title, __config__=ConfigDict(extra="forbid"), **fields)


def _build() -> dict[str, ApiAction]:
    out = {}
    for actions, duty in ((ACTIONS, False), (DUTY_ACTIONS, True)):
        for a in actions:
            model = _input_model(a.update)
            fixed = _FIXED.get(a.name, {})
            body = _body_model(a.name, model, fixed)
            out[a.name] = ApiAction(a.name, a.help, a.update, model, body, duty, fixed)
    return out


API_ACTIONS: dict[str, ApiAction] = _build()
CASE_ACTIONS = [a for a in API_ACTIONS.values() if not a.duty]
DUTY_ACTION_LIST = [a for a in API_ACTIONS.values() if a.duty]
