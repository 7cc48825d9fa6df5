"""The command line for clerks and intake scripts.

    python starter.py intake FILE [--policy policy.toml]     JSON Lines or CSV; '-' reads stdin
    python starter.py status CASE_ID                          the case as JSON
    python starter.py outcome CASE_ID resolved|failed --by NAME --unit UNIT [--reason ...]
    python starter.py ACTION CASE_ID ... --by NAME [--role ROLE] [--unit UNIT]
        ACTION: pause resume extend escalate pull-up regrade transfer accept-transfer
                object-transfer withdraw refuse visit whistle track arbitration confirmation
                (`python starter.py ACTION -h`)
    python starter.py DUTY CASE_ID DEPARTMENT ... --by NAME --unit UNIT [--role ROLE] [--whistle N]
        DUTY: check-in file-report decline rule-decline  (a summoned department's duty)
    python starter.py roster load FILE                        handlers per level and unit (CSV)
    python starter.py departments load FILE                   departments a whistle summons (CSV)
    python starter.py report --period 2026-11 [--township T]  the assessment figures
    python starter.py schedules                               create/update the assessment schedules

Exit status: 0 ok; 1 some record rejected or an action refused; 2 the input itself could not
be read (intake) or a server could not be reached.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import structlog
from pydantic import ValidationError
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, RPCStatusCode

from domain.calendar import CalendarError, parse_calendar
from domain.intake import IntakeFileError, detect_format, parse_intake
from domain.naming import TASK_QUEUE, workflow_id_for
from domain.policy import Policy, PolicyError, parse_policy
from runtime import config, db
from runtime import logging as logsetup
from runtime.case_commands import add_action_parsers, build_input
from runtime.departments_io import load_departments, parse_departments
from runtime.duty_commands import add_duty_parsers, build_duty_input, duty_workflow_id_for
from runtime.intake_run import Progress, submit
from runtime.queries import case_history, load_roster, parse_roster
from runtime.reporting import print_report
from runtime.schedules import ensure_schedules
from workflows.case import CaseWorkflow


class UsageError(Exception):
    """Bad input from the command line; printed as one line, exit status 2."""


def read_text(name: str) -> str:
    """The file's text (UTF-8, BOM allowed), or stdin's for '-'."""
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {name}: {err.strerror}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UsageError(
            f"{name} is not UTF-8 text (byte {err.start}): save it as UTF-8 and try again"
        ) from None


def load_policy(path: str, calendar_path: str, now: datetime) -> Policy:
    """The policy, carrying the calendar of this year and the next (a case copies both)."""
    try:
        policy = parse_policy(read_text(path), source=path)
        calendar = parse_calendar(read_text(calendar_path), source=calendar_path)
    except (PolicyError, CalendarError) as err:
        raise UsageError(str(err)) from None
    year = policy.local(now).year
    return policy.model_copy(update={"calendar": calendar.for_years([year, year + 1])})


async def connect() -> Client:
    try:
        return await Client.connect(
            **config.temporal_connect_config(), data_converter=pydantic_data_converter
        )
    except RuntimeError as err:  # the SDK's connection failure
        raise UsageError(f"cannot reach Temporal: {err} (is `make run` up?)") from None


def emit(line: dict) -> None:
    print(json.dumps(line, ensure_ascii=False), flush=True)


async def cmd_intake(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    policy = load_policy(args.policy, args.calendar, now)
    text = read_text(args.file)
    try:
        records = parse_intake(text, detect_format(args.file, text), now=now)
    except IntakeFileError as err:
        raise UsageError(f"{args.file}: {err}") from None
    client = await connect()
    pool = await db.create_pool(config.database_url())
    try:
        await db.migrate(pool)
        totals = await submit(
            records,
            client,
            pool,
            policy,
            emit=emit,
            concurrency=args.concurrency,
            progress=Progress(len(records)),
        )
    finally:
        await pool.close()
    print(
        f"intake: {len(records)} record(s): {totals['started']} started, "
        f"{totals['duplicate']} duplicate, {totals['rejected']} rejected",
        file=sys.stderr,
    )
    return 1 if totals["rejected"] else 0


async def cmd_status(args: argparse.Namespace) -> int:
    client = await connect()
    handle = client.get_workflow_handle(workflow_id_for(args.case_id))
    try:
        view = await handle.query(CaseWorkflow.view)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            print(f"status: no case {args.case_id}", file=sys.stderr)
            return 1
        raise
    # The workflow keeps its latest events; the ledger has the whole history.
    pool = await db.create_pool(config.database_url())
    try:
        history = await case_history(pool, args.case_id)
    finally:
        await pool.close()
    local = view.opened_at.tzinfo
    events = [e.model_copy(update={"at": e.at.astimezone(local)}) for e in history]
    print(view.model_copy(update={"events": events or view.events}).model_dump_json(indent=2))
    return 0


def _problems(err: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) + ': ' if e['loc'] else ''}"
        f"{e['msg'].removeprefix('Value error, ')}"
        for e in err.errors()
    )


async def _send_update(
    args: argparse.Namespace, build, workflow_id: str, what: str, missing: str
) -> int:
    """Build an update's input (refusing a malformed one before anything is sent), send it,
    print the answer; a refusal prints its reason and exits 1."""
    try:
        action = build(args)
    except ValidationError as err:
        raise UsageError(f"{args.command} for {what}: {_problems(err)}") from None
    client = await connect()
    handle = client.get_workflow_handle(workflow_id)
    try:
        view = await handle.execute_update(args.action.update, action)
    except WorkflowUpdateFailedError as err:
        reason = getattr(err.cause, "message", None) or str(err.cause)
        print(f"{args.command} refused for {what}: {reason}", file=sys.stderr)
        return 1
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            print(f"{args.command}: {missing}", file=sys.stderr)
            return 1
        raise
    # The workflow keeps its latest events; the ledger has the whole history.
    pool = await db.create_pool(config.database_url())
    try:
        history = await case_history(pool, args.case_id)
    finally:
        await pool.close()
    local = view.opened_at.tzinfo
    events = [e.model_copy(update={"at": e.at.astimezone(local)}) for e in history]
    print(view.model_copy(update={"events": events or view.events}).model_dump_json(indent=2))
    return 0


async def cmd_action(args: argparse.Namespace) -> int:
    """Any handler action on a case; prints the case after it."""
    return await _send_update(
        args, build_input, workflow_id_for(args.case_id), args.case_id,
        f"no open case {args.case_id}",
    )  # fmt: skip


async def cmd_duty_action(args: argparse.Namespace) -> int:
    """A department's duty action, sent to the case's child for that whistle and department;
    prints the duty after it."""
    duty = f"{args.department} (whistle {args.whistle}) of case {args.case_id}"
    return await _send_update(
        args, build_duty_input, duty_workflow_id_for(args), duty, f"no open duty of {duty}"
    )


async def _load_csv(args: argparse.Namespace, parse, load, noun: str) -> int:
    """Parse a reference-data CSV (errors name the line and column), then upsert it whole."""
    try:
        rows = parse(read_text(args.file))
    except ValueError as err:
        raise UsageError(f"{args.file}: {err}") from None
    pool = await db.create_pool(config.database_url())
    try:
        await db.migrate(pool)
        count = await load(pool, rows)
    finally:
        await pool.close()
    print(f"{noun}: {count} loaded from {args.file}", file=sys.stderr)
    return 0


async def cmd_roster_load(args: argparse.Namespace) -> int:
    return await _load_csv(args, parse_roster, load_roster, "roster")


async def cmd_departments_load(args: argparse.Namespace) -> int:
    return await _load_csv(args, parse_departments, load_departments, "departments")


async def cmd_report(args: argparse.Namespace) -> int:
    pool = await db.create_pool(config.database_url())
    try:
        await db.migrate(pool)
        table = await print_report(pool, args.period, args.township, datetime.now(UTC))
    except ValueError as err:
        raise UsageError(str(err)) from None
    finally:
        await pool.close()
    sys.stdout.write(table)
    return 0


async def cmd_schedules(args: argparse.Namespace) -> int:
    client = await connect()
    for outcome in await ensure_schedules(client, TASK_QUEUE):
        emit({"schedule_id": outcome.schedule_id, "action": outcome.action})
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="starter.py", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)

    intake = sub.add_parser("intake", help="start a case for every record of a file")
    intake.add_argument("file", help="JSON Lines (.jsonl) or CSV (.csv) file; '-' for stdin")
    intake.add_argument("--policy", default=str(config.DEFAULT_POLICY), help="deadline policy")
    intake.add_argument(
        "--calendar", default=str(config.DEFAULT_CALENDAR), help="working-day calendar"
    )
    intake.add_argument("--concurrency", type=int, default=32, help="cases started at once")
    intake.set_defaults(run=cmd_intake)

    status = sub.add_parser("status", help="print a case as JSON")
    status.add_argument("case_id")
    status.set_defaults(run=cmd_status)

    add_action_parsers(sub, cmd_action)
    add_duty_parsers(sub, cmd_duty_action)

    report = sub.add_parser("report", help="print a period's assessment figures")
    report.add_argument("--period", required=True, help="2026-11 (month), 2026-W47, 2026-11-23")
    report.add_argument("--township", help="one township (default: all, and the county)")
    report.set_defaults(run=cmd_report)

    schedules = sub.add_parser("schedules", help="create or update the assessment schedules")
    schedules.set_defaults(run=cmd_schedules)

    departments = sub.add_parser("departments", help="manage the departments a whistle summons")
    departments_sub = departments.add_subparsers(dest="departments_command", required=True)
    dload = departments_sub.add_parser("load", help="load code,name,unit rows (CSV)")
    dload.add_argument("file")
    dload.set_defaults(run=cmd_departments_load)

    roster = sub.add_parser("roster", help="manage the handler roster")
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    load = roster_sub.add_parser("load", help="load level,unit,name,role[,active] rows")
    load.add_argument("file")
    load.set_defaults(run=cmd_roster_load)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logsetup.configure()
    try:
        return asyncio.run(args.run(args))
    except (UsageError, config.ConfigError) as err:
        print(f"{args.command}: {err}", file=sys.stderr)
        return 2
    except (OSError, RPCError) as err:
        print(f"{args.command}: cannot reach a server: {err}", file=sys.stderr)
        return 2
    except Exception:  # a bug of ours: say so plainly, keep the trace for the report
        structlog.get_logger("starter").exception("unexpected error", command=args.command)
        print(
            f"{args.command}: unexpected error (details above); nothing more was done",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter finalisation: the SDK's native runtime threads can abort the process
    # while Python tears down (exit 134 after an update was refused), hiding our exit status.
    os._exit(code)
