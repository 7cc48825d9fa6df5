"""The department actions of the command line: one subcommand per duty update.

    check-in CASE_ID DEPARTMENT [--whistle N]
    file-report CASE_ID DEPARTMENT --result T [--findings T] [--actions T] [--whistle N]
    decline CASE_ID DEPARTMENT --reason T [--whistle N]
    rule-decline CASE_ID DEPARTMENT uphold|overrule --reason T [--whistle N]

each acting as the person of the caller's token: a department's duty officer (role = the
department's code) for check-in, file-report and decline, a `supervisor` for a ruling. Like
`runtime/case_commands.py`, each builds the update's input model, so a malformed action is
refused before anything is sent, and names the update; the duty's workflow is the case's
child for that whistle and department (`duty_workflow_id`). `starter.py` sends them through
the API (`build_input` of runtime/case_commands.py builds their input too).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from cli.case_commands import Action, add_token_file
from cli.text import _
from domain.duty_contract import DutyCheckIn, DutyDecline, DutyReport, DutyRuling
from texts import N_
from workflows.department_duty import DepartmentDutyWorkflow


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


W = DepartmentDutyWorkflow
DUTY_ACTIONS: tuple[Action, ...] = (
    Action("check-in", N_("a summoned department checks in (报到)"),
               W.check_in, lambda a, who: DutyCheckIn(actor=who), None),
    Action("file-report", N_("a department files its part: --result, and what it found and did"),
               W.file_report, lambda a, who: DutyReport(
                   actor=who, result=a.result, findings=a.findings, actions=a.actions),
               None, _report_args),
    Action("decline", N_("a department declines: the matter is not within its remit"),
               W.decline, lambda a, who: DutyDecline(actor=who, reason=a.reason), None, _reason),
    Action("rule-decline", N_("a supervisor of the township or county rules on a decline"),
               W.rule_on_decline, lambda a, who: DutyRuling(
                   actor=who, uphold=a.ruling == "uphold", reason=a.reason),
               "supervisor", _ruling_args),
)  # fmt: skip


def add_duty_parsers(sub: Any, run: Callable) -> None:
    """One subcommand per duty action, each with the duty's whistle and the actor options."""
    for action in DUTY_ACTIONS:
        p = sub.add_parser(action.name, help=_(action.help), description=_(action.help))
        p.add_argument("case_id")
        p.add_argument("department", help=_("the department's code, e.g. police_station"))
        action.add_args(p)
        p.add_argument(
            "--whistle", type=int, default=1, help=_("which whistle of the case (default: 1)")
        )
        add_token_file(p, action)
        p.set_defaults(run=run, action=action)
