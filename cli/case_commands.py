"""The case actions of the command line: one subcommand per case action of the catalogue.

Each command acts as the person of the caller's token (`DISPUTE_TOKEN` or `--token-file`):
`starter.py` asks the API who that is, builds the action's input model with that actor (so
a malformed action is refused before anything is sent) and posts it to the API, which takes
the actor from the token again and sends the action's update. The action (its name, model,
label and help) is the catalogue's (domain/catalogue.py); here is only how a terminal
spells its arguments.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from cli.text import _
from domain.actions import Actor
from domain.catalogue import ACTIONS, CASE_ACTIONS, PROCEDURE_ACTIONS, Action, Who
from domain.intake_models import RiskFlag
from domain.ladder import Level
from domain.procedure_models import fact_value
from texts import process_lang
from texts.terms import label

LEVELS = [lv.value for lv in Level]


#: The role an action's help says it is meant for, by who takes it (a single group).
MEANT_FOR = {Who.handler: "handler", Who.receiver: "handler", Who.supervisor: "supervisor",
             Who.applicant: "applicant", Who.visitor: "grid_worker", Who.arbitrator: "arbitrator",
             Who.court: "court"}  # fmt: skip


@dataclass(frozen=True)
class Command:
    """One subcommand: a catalogue action, its arguments, and its input's fields from them."""

    action: Action
    fields: Callable[[argparse.Namespace], Mapping[str, Any]]
    add_args: Callable[[argparse.ArgumentParser], None] = lambda p: None

    @property
    def name(self) -> str:
        return self.action.name

    @property
    def fixed(self) -> Mapping[str, Any]:
        return self.action.fixed

    @property
    def default_role(self) -> str | None:
        """The role this action is meant for (its help says so); None: several."""
        who = self.action.who
        return MEANT_FOR.get(next(iter(who))) if len(who) == 1 else None

    def help(self) -> str:
        return self.action.help_in(process_lang())

    def build(self, args: argparse.Namespace, who: Actor) -> BaseModel:
        return self.action.build(who, self.fields(args))


def _reason(p: argparse.ArgumentParser, required: bool = True) -> None:
    p.add_argument("--reason", required=required, help=_("why (recorded with the event)"))


def _outcome_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("outcome", choices=["resolved", "failed"])
    p.add_argument(
        "--level", choices=LEVELS, help=_("the level you act at; refused if it moved on")
    )
    _reason(p, required=False)
    p.add_argument("--agreement", help=_("terms agreed, for resolved"))


def _merge_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--into", required=True, help=_("the case that goes on (the same dispute)"))
    _reason(p)


def _link_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--other", required=True, help=_("the related case (both go on)"))
    p.add_argument("--note")


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
    where = _("departments by name or code, separated by , or ;, e.g. 司法所,派出所 "
              "(see samples/departments.csv)")  # fmt: skip
    p.add_argument("departments", nargs="?", help=where)
    p.add_argument("--departments", dest="departments_named", metavar="NAMES", help=where)
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
    p.add_argument(
        "--wage-months",
        type=float,
        help=_(
            "for award: its amount in months of the local minimum wage (at most 12: final for the "
            "employer, the worker alone may sue, Arts. 47-48)"
        ),
    )


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
    """A list as people type it: separated by ; , or their Chinese forms, or 、."""
    return [f.strip() for f in re.split(r"[;,；，、]", text) if f.strip()]


def _command(name: str, fields, add_args=lambda p: None) -> Command:
    return Command(ACTIONS[name], fields, add_args)


COMMANDS: tuple[Command, ...] = (
    _command("outcome", lambda a: dict(outcome=a.outcome, level=a.level, reason=a.reason,
                                       agreement=a.agreement), _outcome_args),
    _command("pause", lambda a: dict(reason=a.reason, note=a.note), _pause_args),
    _command("resume", lambda a: dict(note=a.note), lambda p: p.add_argument("--note")),
    _command("extend", lambda a: dict(by=a.duration, reason=a.reason), _extend_args),
    _command("escalate", lambda a: dict(reason=a.reason), _reason),
    _command("pull-up", lambda a: dict(reason=a.reason, to_level=a.to_level), _pull_up_args),
    _command("regrade", lambda a: dict(risk_flags=_flags(a.flags), reason=a.reason),
             _regrade_args),
    _command("transfer", lambda a: dict(to_unit=a.to_unit, reason=a.reason), _transfer_args),
    _command("accept-transfer", lambda a: {}),
    _command("object-transfer", lambda a: dict(reason=a.reason), _reason),
    _command("withdraw", lambda a: dict(reason=a.reason), _reason),
    _command("merge", lambda a: dict(into=a.into, reason=a.reason), _merge_args),
    _command("link", lambda a: dict(other=a.other, note=a.note), _link_args),
    _command("refuse", lambda a: dict(reason=a.reason), _reason),
    _command("whistle", lambda a: dict(kind=a.kind, reason=a.reason, departments=_flags(
        a.departments or a.departments_named or "")), _whistle_args),
    _command("track", lambda a: dict(to_track=a.to_track, reason=a.reason), _track_args),
    _command("extend-track", lambda a: dict(by=a.duration, reason=a.reason,
             both_parties_consent=a.both_parties_consent), _extend_track_args),
    _command("contact", lambda a: dict(channel=a.channel, note=a.note), _contact_args),
    _command("arbitration", lambda a: dict(step=a.step, award=a.award, wage_months=a.wage_months),
             _arbitration_args),
    _command("confirmation", lambda a: dict(step=a.step, note=a.note), _confirmation_args),
    _command("visit", lambda a: dict(
        visit=a.visit, result=a.result, note=a.note,
        solved=None if a.solved is None else a.solved == "yes", satisfaction=a.satisfaction),
        _visit_args),
)  # fmt: skip
assert [c.name for c in COMMANDS] == [a.name for a in CASE_ACTIONS], "one command per action"

#: A step of a matter run by the procedure engine (a 信访 matter, the court road).
PROCEDURE_COMMANDS: tuple[Command, ...] = (
    _command("procedure", lambda a: dict(action=a.step, facts=dict(a.fact), window=a.window,
             reason=a.reason, happened_at=a.happened_at), _procedure_args),
)  # fmt: skip
assert [c.name for c in PROCEDURE_COMMANDS] == [a.name for a in PROCEDURE_ACTIONS]


def add_token_file(p: argparse.ArgumentParser, action: Command) -> None:
    """The person who acts: the token's (`--token-file`, else `DISPUTE_TOKEN`)."""
    meant = (
        _(" (meant for a {role})").format(role=label("role", action.default_role, process_lang()))
        if action.default_role
        else ""
    )
    p.add_argument("--token-file", help=_(
        "a file holding your token; default: the DISPUTE_TOKEN variable. You act as the "
        "token's person{meant}").format(meant=meant))  # fmt: skip
    p.add_argument("--json", action="store_true", help=_("the JSON, even on a terminal"))


def add_action_parsers(sub: Any, run: Callable) -> None:
    """One subcommand per action, each acting as the person of the caller's token."""
    for action in (*COMMANDS, *PROCEDURE_COMMANDS):
        p = sub.add_parser(action.name, help=action.help(), description=action.help())
        p.add_argument("case_id")
        action.add_args(p)
        add_token_file(p, action)
        p.set_defaults(run=run, action=action)


def build_input(args: argparse.Namespace, who: Actor) -> BaseModel:
    """The update's input, acted by `who` (the token's person); raises pydantic's
    ValidationError for a malformed action."""
    return args.action.build(args, who)
