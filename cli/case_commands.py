"""The handler actions of the command line: one subcommand per case update.

Each command acts as the person of the caller's token (`DISPUTE_TOKEN` or `--token-file`):
`starter.py` asks the API who that is, builds the update's input model with that actor (so
a malformed action is refused before anything is sent) and posts it to the API, which takes
the actor from the token again and calls the workflow update named here.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from cli.text import _
from domain.actions import (
    Actor,
    ArbitrationInput,
    ConfirmationInput,
    ContactInput,
    EscalateInput,
    ExtendInput,
    OutcomeInput,
    PauseInput,
    RefuseInput,
    RegradeInput,
    ResumeInput,
    TrackExtendInput,
    TrackInput,
    TransferAnswer,
    TransferInput,
    VisitInput,
    WhistleInput,
    WithdrawInput,
)
from domain.intake_models import RiskFlag
from domain.ladder import Level
from domain.procedure_models import ProcedureInput, fact_value
from texts import N_
from workflows.case import CaseWorkflow
from workflows.procedure import ProcedureWorkflow

LEVELS = [lv.value for lv in Level]


@dataclass(frozen=True)
class Action:
    """One subcommand: the update it sends and how it builds the update's input."""

    name: str
    help: str
    update: Any  # the workflow's update method (the case's, or a department duty's)
    build: Callable[[argparse.Namespace, Actor], BaseModel]
    #: The role this action is meant for (its help says so); None: several (parties, courts).
    default_role: str | None
    add_args: Callable[[argparse.ArgumentParser], None] = lambda p: None


def _reason(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--reason", required=required, help=_("why (recorded with the event)"))


def _outcome_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("outcome", choices=["resolved", "failed"])
    p.add_argument(
        "--level", choices=LEVELS, help=_("the level you act at; refused if it moved on")
    )
    _reason(p, required=False)
    p.add_argument("--agreement", help=_("terms agreed, for resolved"))


def _pause_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--reason", required=True,
                   choices=["waiting_on_party", "appraisal", "hearing", "other"])  # fmt: skip
    p.add_argument("--note")


def _extend_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("duration", help=_('how much more time: "12h", "2d" or "3wd" (working days)'))
    _reason(p)


def _pull_up_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to-level", choices=LEVELS, help=_("default: your own level"))
    _reason(p)


def _regrade_args(p: argparse.ArgumentParser) -> None:
    flags = ", ".join(f.value for f in RiskFlag)
    p.add_argument("--flags", default="", help=_(
        "the full new set, ';'-separated: {flags} (empty: none)").format(flags=flags))  # fmt: skip
    _reason(p)


def _transfer_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("to_unit", help=_("the receiving unit at the same level (grid id, village…)"))
    _reason(p)


def _visit_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("visit", choices=["satisfaction", "performance"])
    p.add_argument("result", choices=["satisfied", "dissatisfied", "agreement_broken",
                                      "flared_up", "unreachable"])  # fmt: skip
    p.add_argument("--note")
    # A reached satisfaction visit's two questions (解决率, 满意率).
    p.add_argument("--solved", choices=["yes", "no"], help=_("is it solved? (satisfaction visit)"))
    p.add_argument("--satisfaction", choices=["satisfied", "basically_satisfied",
                   "dissatisfied"], help=_("are you satisfied? (satisfaction visit)"))  # fmt: skip


def _contact_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--channel", choices=["phone", "visit", "message", "other"], default="phone")
    p.add_argument("--note")


def _whistle_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("kind", choices=["routine", "hard_case", "emergency"])
    p.add_argument("departments", help=_("department codes, ';'-separated, e.g. "
                   "'police_station;judicial_office' (see samples/departments.csv)"))  # fmt: skip
    _reason(p)


def _track_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", dest="to_track", help=_("the track to hand over to (parties: their "
                   "choice); leave out when mediation on this track failed"))  # fmt: skip
    _reason(p)


def _extend_track_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("duration", help=_('more time on the track: "10d", "5wd"'))
    p.add_argument("--both-parties-consent", action="store_true",
                   help=_("both parties agreed to go on (the law's condition)"))  # fmt: skip
    _reason(p)


def _arbitration_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("step", choices=["applied", "accepted", "extended", "award"])
    p.add_argument("--award", help=_("the award's terms, for award"))


def _confirmation_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("step", choices=["applied", "accepted", "extended", "confirmed", "rejected"])
    p.add_argument("--note")


def _procedure_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("step", help=_("an action of the matter's procedure table (docs/procedures.md), "
                   "or extend, pause, resume"))  # fmt: skip
    p.add_argument("--fact", action="append", default=[], metavar="NAME=VALUE", type=_fact,
                   help=_("a fact the action carries, e.g. opinion=support, wage_months=8, "
                          "consent=true (repeatable)"))  # fmt: skip
    p.add_argument("--window", help=_("extend: the window to extend"))
    p.add_argument("--reason", help=_("pause / resume: the reason that does not count"))
    p.add_argument("--happened-at", help=_("when it happened, if earlier (ISO 8601 with offset): "
                   "the day the petitioner received a reply"))  # fmt: skip


def _fact(item: str) -> tuple[str, bool | int | float | str]:
    """'wage_months=8' -> ('wage_months', 8): numbers and true/false as such, else text."""
    name, sep, value = item.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(_("{item!r}: write NAME=VALUE").format(item=item))
    return name.strip(), fact_value(value.strip())


def _flags(text: str) -> list[str]:
    return [f.strip() for f in text.split(";") if f.strip()]


W = CaseWorkflow
ACTIONS: tuple[Action, ...] = (
    Action("outcome", N_("record a handler's outcome: resolved, or failed with --reason"),
           W.report_outcome, lambda a, who: OutcomeInput(
               actor=who, outcome=a.outcome, level=a.level, reason=a.reason,
               agreement=a.agreement), "handler", _outcome_args),
    Action("pause", N_("stop the clock (waiting on a party, an appraisal, a hearing)"),
           W.pause, lambda a, who: PauseInput(actor=who, reason=a.reason, note=a.note),
           "handler", _pause_args),
    Action("resume", N_("restart a paused clock; the deadline moves by the paused time"),
           W.resume, lambda a, who: ResumeInput(actor=who, note=a.note), "handler",
           lambda p: p.add_argument("--note")),
    Action("extend", N_("extend the level's deadline (a supervisor of the level above)"),
           W.extend, lambda a, who: ExtendInput(actor=who, by=a.duration, reason=a.reason),
           "supervisor", _extend_args),
    Action("escalate", N_("the applicant asks for the case to go up a level"),
           W.request_escalation, lambda a, who: EscalateInput(actor=who, reason=a.reason),
           "applicant", _reason),
    Action("pull-up", N_("a supervisor above pulls the case up to their level"),
           W.pull_up, lambda a, who: EscalateInput(actor=who, reason=a.reason,
                                                   to_level=a.to_level),
           "supervisor", _pull_up_args),
    Action("regrade", N_("set the case's risk flags anew; its colour is graded again"),
           W.regrade, lambda a, who: RegradeInput(actor=who, risk_flags=_flags(a.flags),
                                                  reason=a.reason), "handler", _regrade_args),
    Action("transfer", N_("hand the case to another unit at the same level (首接负责)"),
           W.transfer, lambda a, who: TransferInput(actor=who, to_unit=a.to_unit,
                                                    reason=a.reason), "handler", _transfer_args),
    Action("accept-transfer", N_("the receiving unit accepts a transfer"),
           W.answer_transfer, lambda a, who: TransferAnswer(actor=who, accept=True),
           "handler"),
    Action("object-transfer", N_("the receiving unit objects to a transfer, with --reason"),
           W.answer_transfer, lambda a, who: TransferAnswer(actor=who, accept=False,
                                                            reason=a.reason), "handler", _reason),
    Action("withdraw", N_("the applicant withdraws the case"),
           W.withdraw, lambda a, who: WithdrawInput(actor=who, reason=a.reason), "applicant",
           _reason),
    Action("refuse", N_("a party refuses mediation (Art. 17): give --role applicant/respondent/…"),
           W.refuse, lambda a, who: RefuseInput(actor=who, reason=a.reason), None, _reason),
    Action("whistle", N_("blow the whistle: departments must report (吹哨报到), at the township"),
           W.blow_whistle, lambda a, who: WhistleInput(actor=who, kind=a.kind,
                                                      departments=_flags(a.departments),
                                                      reason=a.reason), "handler", _whistle_args),
    Action("track", N_("hand mediation to another track, or record that this track failed"),
           W.change_track, lambda a, who: TrackInput(actor=who, to_track=a.to_track,
                                                     reason=a.reason), "handler", _track_args),
    Action("extend-track", N_("more time on the mediation track, with both parties' consent"),
           W.extend_track, lambda a, who: TrackExtendInput(
               actor=who, by=a.duration, both_parties_consent=a.both_parties_consent,
               reason=a.reason), "handler", _extend_track_args),
    Action("contact", N_("record a contact with the applicant (the response rate's first contact)"),
           W.contact, lambda a, who: ContactInput(actor=who, channel=a.channel, note=a.note),
           "handler", _contact_args),
    Action("arbitration", N_("labour arbitration: applied (a party), then the committee's "
           "accepted, extended (+15 days) or award"),
           W.arbitration, lambda a, who: ArbitrationInput(actor=who, step=a.step, award=a.award),
           "arbitrator", _arbitration_args),
    Action("confirmation", N_("judicial confirmation: applied (a party), then the court's steps"),
           W.confirmation, lambda a, who: ConfirmationInput(actor=who, step=a.step, note=a.note),
           None, _confirmation_args),
    Action("visit", N_("record a return visit's result (回访)"),
           W.record_visit, lambda a, who: VisitInput(
               actor=who, visit=a.visit, result=a.result, note=a.note,
               solved=None if a.solved is None else a.solved == "yes",
               satisfaction=a.satisfaction), "grid_worker", _visit_args),
    Action("procedure", N_("a step of a statutory procedure (a 信访 matter): an action of its "
           "table, or extend / pause / resume a window"),
           ProcedureWorkflow.procedure_action, lambda a, who: ProcedureInput(
               actor=who, action=a.step, facts=dict(a.fact), window=a.window,
               reason=a.reason, happened_at=a.happened_at), None, _procedure_args),
)  # fmt: skip


def add_token_file(p: argparse.ArgumentParser, action: Action) -> None:
    """The person who acts: the token's (`--token-file`, else `DISPUTE_TOKEN`)."""
    meant = (
        _(" (meant for a {role})").format(role=action.default_role) if action.default_role else ""
    )
    p.add_argument("--token-file", help=_(
        "a file holding your token; default: the DISPUTE_TOKEN variable. You act as the "
        "token's person{meant}").format(meant=meant))  # fmt: skip


def add_action_parsers(sub: Any, run: Callable) -> None:
    """One subcommand per action, each acting as the person of the caller's token."""
    for action in ACTIONS:
        p = sub.add_parser(action.name, help=_(action.help), description=_(action.help))
        p.add_argument("case_id")
        action.add_args(p)
        add_token_file(p, action)
        p.set_defaults(run=run, action=action)


def build_input(args: argparse.Namespace, who: Actor) -> BaseModel:
    """The update's input, acted by `who` (the token's person); raises pydantic's
    ValidationError for a malformed action."""
    return args.action.build(args, who)
