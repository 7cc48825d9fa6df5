"""The department actions of the command line: one subcommand per duty update.

    check-in CASE_ID DEPARTMENT [--whistle N]
    file-report CASE_ID DEPARTMENT --result T [--findings T] [--actions T] [--whistle N]
    decline CASE_ID DEPARTMENT --reason T [--whistle N]
    rule-decline CASE_ID DEPARTMENT uphold|overrule --reason T [--whistle N]

each a duty action of the catalogue (domain/catalogue.py), acting as the person of the
caller's token: a department's duty officer (role = the department's code) for check-in,
file-report and decline, a `supervisor` for a ruling. Like `cli/case_commands.py`, each
builds the action's input model, so a malformed action is refused before anything is sent;
the duty's workflow is the case's child for that whistle and department
(`duty_workflow_id`). `starter.py` sends them through the API (`build_input` of
cli/case_commands.py builds their input too).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from cli.case_commands import Command, add_token_file
from cli.text import _
from domain.catalogue import ACTIONS, DUTY_ACTIONS


def _reason(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", required=True, help=_("why (recorded with the duty)"))


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--result", required=True, help=_("the result of the department's part"))
    p.add_argument("--findings", help=_("what the department found"))
    p.add_argument("--actions", help=_("what it did"))


def _ruling_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "ruling",
        choices=["uphold", "overrule"],
        help=_("uphold: the department is excused; overrule: it is supervised"),
    )
    _reason(p)


DUTY_COMMANDS: tuple[Command, ...] = (
    Command(ACTIONS["check-in"], lambda a: {}),
    Command(ACTIONS["file-report"], lambda a: dict(
        result=a.result, findings=a.findings, actions=a.actions), _report_args),
    Command(ACTIONS["decline"], lambda a: dict(reason=a.reason), _reason),
    Command(ACTIONS["rule-decline"], lambda a: dict(uphold=a.ruling == "uphold",
                                                    reason=a.reason), _ruling_args),
)  # fmt: skip
assert [c.name for c in DUTY_COMMANDS] == [a.name for a in DUTY_ACTIONS], "one per action"


def add_duty_parsers(sub: Any, run: Callable) -> None:
    """One subcommand per duty action, each with the duty's whistle and the actor options."""
    for action in DUTY_COMMANDS:
        p = sub.add_parser(action.name, help=action.help(), description=action.help())
        p.add_argument("case_id")
        p.add_argument("department", help=_("the department's code, e.g. police_station"))
        action.add_args(p)
        p.add_argument(
            "--whistle", type=int, default=1, help=_("which whistle of the case (default: 1)")
        )
        add_token_file(p, action)
        p.set_defaults(run=run, action=action)
