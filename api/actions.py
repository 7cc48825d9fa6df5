"""The actions the API offers: one route per action of the catalogue (domain/catalogue.py).

A request's body is the action's input model without `actor`, which comes from the token, and
without the fields the action's name fixes (`accept-transfer`: accept). The action is sent as
its update, by name, to the case's workflow or, for a duty's action, to the case's child for
that whistle and department.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, create_model

from domain.catalogue import ACTIONS, Action
from domain.naming import duty_workflow_id, workflow_id_for
from texts import Lang


@dataclass(frozen=True)
class ApiAction:
    action: Action
    body: type[BaseModel]  # what a request sends: the model without actor and fixed fields

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def duty(self) -> bool:
        return self.action.duty

    def help(self, lang: Lang) -> str:
        return self.action.help_in(lang)

    def workflow_id(self, case_id: str, department: str | None, whistle: int) -> str:
        if self.duty:
            assert department is not None
            return duty_workflow_id(workflow_id_for(case_id), whistle, department)
        return workflow_id_for(case_id)


def _body_model(action: Action) -> type[BaseModel]:
    """The request body's schema (for validation of each field and for /docs); the full
    model, with its cross-field rules, is validated once the actor is added."""
    fields: dict[str, Any] = {
        key: (info.annotation, info)
        for key, info in action.model.model_fields.items()
        if key != "actor" and key not in action.fixed
    }
    title = "".join(part.capitalize() for part in action.name.split("-")) + "Body"
    return create_model(title, __config__=ConfigDict(extra="forbid"), **fields)


API_ACTIONS: dict[str, ApiAction] = {
    name: ApiAction(action, _body_model(action)) for name, action in ACTIONS.items()
}
CASE_ACTIONS = [a for a in API_ACTIONS.values() if not a.duty]
DUTY_ACTION_LIST = [a for a in API_ACTIONS.values() if a.duty]
