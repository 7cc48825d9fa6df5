"""`starter.py duties`: the day's report duties (零报告) and their state, filing a report
through the API, and putting a duty policy in force with its schedule.

    starter.py duties [--date D] [--unit U] [--json] [--token-file F]
        (with a token, through the API: the duties the token's unit sees)
    starter.py duties file [--case ID ...] [--note TEXT] [--date D] --token-file F
        (a zero report when it names no case and no note)
    starter.py duties schedule [--policy FILE] [--cutoff-in 3m]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx

from cli.api_client import CliError, _answer, read_token
from cli.text import _
from domain.durations import parse_duration
from domain.naming import TASK_QUEUE
from domain.policy_files import PolicyError
from domain.report_duties import ReportKind, parse_duty_policy
from runtime import config
from runtime.settings import settings
from service.report_duties import duty_list, put_in_force
from texts import process_lang
from texts.terms import label


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        message = _("not a date like 2026-12-07: {text}").format(text=text)
        raise argparse.ArgumentTypeError(message) from None


@dataclass(frozen=True)
class Tools:
    """What the commands share with the rest of `starter.py` (cli/commands.py passes them in,
    so this module does not import it back)."""

    usage_error: type[Exception]
    connect: Callable[[], Awaitable[Any]]
    open_pool: Callable[[], Awaitable[Any]]
    read_text: Callable[[str], str]


async def _through_api(args: argparse.Namespace, token: str) -> list[dict[str, Any]]:
    """GET /api/duties as the token's person: the duties their unit sees."""
    params = {k: v for k, v in (("date", args.date and args.date.isoformat()),
                                ("unit", args.unit)) if v}  # fmt: skip
    base = config.api_url()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": process_lang().value}
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            return _answer(args, await http.get("/api/duties", params=params))
    except httpx.TransportError as err:
        message = _("{command}: cannot reach the API at {url}: {error} (is `make run` up?)")
        raise CliError(message.format(command=args.command, url=base, error=err), 2) from None


async def cmd_duties(args: argparse.Namespace) -> int:
    """With a token (`--token-file`, or DISPUTE_TOKEN): through the API, the duties the
    token's unit sees; without one, the operator's view of every duty, from the ledger."""
    if args.token_file or settings().token:
        try:
            found = await _through_api(args, read_token(args))
        except CliError as err:
            print(err, file=sys.stderr)
            return err.code
    else:
        pool = await args.tools.open_pool()
        try:
            found = await duty_list(pool, args.date, args.unit, datetime.now(UTC))
        finally:
            await pool.close()
    if args.json or not sys.stdout.isatty():
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return 0
    for d in found:
        print(duty_line(d))
    if not found:
        print(_("no report duties that day"))
    elif summary := summary_line(found):
        print(summary)
    return 0


def duty_line(d: dict[str, Any]) -> str:
    """One duty on a terminal: day, unit, state, when filed, whom it reports to; a weekly
    unit that owes the day's report only because of a sensitive period names the period."""
    filed = d["filed_at"][11:16] if d["filed_at"] else "-"
    state = label("report_duty", d["state"], process_lang())
    line = f"{d['day']}  {d['unit']}  {state}  {filed}  → {d['reports_to']}"
    if d["sensitive"]:
        line += "  " + _("(daily: {period})").format(period=d["sensitive"])
    return line


def summary_line(found: list[dict[str, Any]]) -> str | None:
    """The day's figures as the daily report counts them (domain.report_duties.figures_of):
    the reports owed (cut-off passed), on time and their rate, zero reports, flagged ones;
    None while every cut-off is still ahead."""
    owed = [d for d in found if d["state"] != "due"]
    if not owed:
        return None
    on_time = sum(
        d["filed_at"] is not None
        and datetime.fromisoformat(d["filed_at"]) <= datetime.fromisoformat(d["cutoff_at"])
        for d in owed
    )
    text = _("on time: {on_time} of {owed} reports owed ({rate:.0%}); zero reports: {zero}; "
             "flagged: {flagged}")  # fmt: skip
    return text.format(
        on_time=on_time, owed=len(owed), rate=on_time / len(owed),
        zero=sum(d["kind"] == "zero" for d in owed),
        flagged=sum(d["state"] == "flagged" for d in owed),
    )  # fmt: skip


async def cmd_duties_file(args: argparse.Namespace) -> int:
    token = read_token(args)
    body = {
        "kind": (ReportKind.matters if args.case or args.note else ReportKind.zero).value,
        "cases": args.case or [],
    }
    for key in ("note", "unit"):
        if getattr(args, key):
            body[key] = getattr(args, key)
    if args.date:
        body["day"] = args.date.isoformat()
    base = config.api_url()
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": process_lang().value}
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            answer = _answer(args, await http.post("/api/duties/reports", json=body))
    except httpx.TransportError as err:
        message = _("{command}: cannot reach the API at {url}: {error} (is `make run` up?)")
        print(message.format(command=args.command, url=base, error=err), file=sys.stderr)
        return 2
    except CliError as err:
        print(err, file=sys.stderr)
        return err.code
    print(json.dumps(answer, indent=2, ensure_ascii=False))
    return 0


async def cmd_duties_schedule(args: argparse.Namespace) -> int:
    tools: Tools = args.tools
    UsageError = tools.usage_error
    try:
        policy = parse_duty_policy(tools.read_text(args.policy), source=args.policy)
    except PolicyError as err:
        raise UsageError(str(err)) from None
    now = datetime.now(UTC)
    if args.cutoff_in:
        try:
            at = (now + parse_duration(args.cutoff_in)).astimezone(policy.zone)
        except ValueError as err:
            raise UsageError(f"--cutoff-in: {err}") from None
        # Whole minutes: a schedule's calendar has no seconds; round up, never into the past.
        at = (at + timedelta(seconds=59)).replace(second=0, microsecond=0)
        policy = policy.model_copy(update={"cutoff": at.time().replace(tzinfo=None)})
    client = await tools.connect()
    pool = await tools.open_pool()
    try:
        action = await put_in_force(client, pool, policy, TASK_QUEUE, now)
    finally:
        await pool.close()
    cutoff = policy.cutoff.strftime("%H:%M")
    print(json.dumps({"schedule_id": "duty-round", "action": action, "policy": policy.name,
                      "cutoff": cutoff}, ensure_ascii=False))  # fmt: skip
    told = _("duties: policy {policy} in force; reports are due daily at {cutoff} (UTC+{offset})")
    print(told.format(policy=policy.name, cutoff=cutoff, offset=policy.utc_offset_hours),
          file=sys.stderr)  # fmt: skip
    return 0


def add_parser(sub, tools: Tools) -> None:
    duties = sub.add_parser("duties", help=_("report duties (zero reports): state, file, schedule"))
    duties.add_argument("--date", type=_day, help=_("the day (default: today)"))
    duties.add_argument("--unit", help=_("one reporting unit"))
    duties.add_argument("--json", action="store_true", help=_("the JSON, even on a terminal"))
    duties.add_argument(
        "--token-file",
        help=_("read through the API as this token's person: the duties their unit sees"),
    )
    duties.set_defaults(run=cmd_duties, tools=tools)
    duties_sub = duties.add_subparsers(dest="duties_command")
    file = duties_sub.add_parser(
        "file", help=_("file your unit's report: zero, or the cases it holds (through the API)")
    )
    file.add_argument("--case", action="append", help=_("a case the report names (repeat)"))
    file.add_argument("--note", help=_("what the unit reports, in words"))
    file.add_argument("--unit", help=_("the reporting unit (default: the token's)"))
    file.add_argument("--date", type=_day, help=_("the duty's day (default: today)"))
    file.add_argument("--token-file", help=_("file holding your token (or set DISPUTE_TOKEN)"))
    file.set_defaults(run=cmd_duties_file)
    schedule = duties_sub.add_parser(
        "schedule", help=_("put a duty policy in force and schedule its daily round")
    )
    schedule.add_argument(
        "--policy", default=str(config.ROOT / "policies" / "duties.toml"), help=_("duty policy")
    )
    schedule.add_argument(
        "--cutoff-in", help=_("set the cut-off this long from now (a demonstration: '3m')")
    )
    schedule.set_defaults(run=cmd_duties_schedule)
