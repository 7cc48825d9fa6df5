"""What a part of CaseWorkflow asks the workflow to do next, instead of calling back into it.

A part's step changes its own concern and records it; when that leads somewhere only the
workflow can take the case (to a level, with all an arrival brings: the ladder's handler and
clock, the track's clock restarted after a pause, the policy's whistle at the township), the
step returns an intent and the workflow acts on it. Parts never hold the workflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import Actor
    from domain.ladder import Level


@dataclass(frozen=True)
class ArriveAt:
    """Take the case to `level` (or start it over there): `CaseWorkflow.arrive_at`."""

    level: Level
    #: Why, in the case's language: the event's text.
    why: str
    #: The machine reason (`deadline`, `failed`, `transfer`, `risk`, `refused`, ...).
    trigger: str | None = None
    actor: Actor | None = None


@dataclass(frozen=True)
class Acted:
    """A part acted on its clock; `then` is what the workflow does next, if anything."""

    then: ArriveAt | None = None
