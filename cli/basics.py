"""What the command line's commands share: usage errors, reading files, the policy, the
connections to Temporal and the database, the JSON output, and running a command with its
failures told in one line. Light on imports: `starter.py intake` loads this and
cli/intake_command.py only, not every command (its start-up is part of intake's rate).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

import structlog
from temporalio.client import Client
from temporalio.service import RPCError

from cli.text import _
from domain.calendar import CalendarError
from domain.intake import IntakeFileError, IntakeRecord, iter_intake
from domain.policy import Policy, PolicyError
from runtime import config, db, temporal_client
from runtime import logging as logsetup
from service.intake import IntakeSourceError, open_intake, policy_with_calendar
from texts import process_lang


class UsageError(Exception):
    """Bad input from the command line; printed as one line, exit status 2."""


def read_text(name: str) -> str:
    """The file's text (UTF-8, BOM allowed), or stdin's for '-'."""
    try:
        raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as err:
        raise UsageError(cannot_read(name, err.strerror)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UsageError(
            _("{name} is not UTF-8 text (byte {byte}): save it as UTF-8 and try again").format(
                name=name, byte=err.start
            )
        ) from None


def cannot_read(name: str, why: object) -> str:
    return _("cannot read {name}: {why}").format(name=name, why=why)


def load_policy(path: str, calendar_path: str, now: datetime) -> Policy:
    """The policy, carrying the calendar of this year and the next (a case copies both)."""
    try:
        return policy_with_calendar(
            read_text(path), path, read_text(calendar_path), calendar_path, now
        )
    except (PolicyError, CalendarError) as err:
        raise UsageError(str(err)) from None


async def connect() -> Client:
    try:
        return await temporal_client.connect()
    except config.ConfigError:
        raise  # no key, or a wrong one: its own message says what to do
    except RuntimeError as err:  # the SDK's connection failure
        raise UsageError(
            _("cannot reach Temporal: {error} (is `make run` up?)").format(error=err)
        ) from None


def emit(line: dict) -> None:
    """One JSON line on stdout, flushed (a reader of the pipe sees each record as it is done).
    A lone surrogate that slipped into a value is printed as its JSON escape, never a crash."""
    text = json.dumps(line, ensure_ascii=False)
    print(text.encode("utf-8", "backslashreplace").decode("utf-8"), flush=True)


async def open_pool(*, session_reset: bool = True):
    """The database pool; an unreachable database is named with where its URL came from.
    `session_reset=False` for a command whose queries leave no session state (runtime/db.py)."""
    return await db.create_pool(
        config.database_url(), source=config.database_source(), session_reset=session_reset
    )


def open_records(name: str, now: datetime) -> tuple[BinaryIO, Iterator[IntakeRecord]]:
    """The stream and its records, the first one already read: a bad header, an empty file
    or a file that is not UTF-8 is refused before anything connects or starts."""
    try:
        stream = sys.stdin.buffer if name == "-" else open(name, "rb")
    except OSError as err:
        raise UsageError(cannot_read(name, err.strerror)) from None
    try:
        fmt, lines = open_intake(name, stream)
        records = iter_intake(lines, fmt, now=now, lang=process_lang())
        first = next(records)
    except StopIteration:  # iter_intake raises for an empty file; this is belt and braces
        stream.close()
        raise UsageError(_("{name}: the file holds no cases").format(name=name)) from None
    except (IntakeFileError, IntakeSourceError) as err:
        stream.close()
        raise UsageError(f"{name}: {err}") from None
    except OSError as err:
        stream.close()
        raise UsageError(cannot_read(name, err.strerror or err)) from None
    return stream, itertools.chain([first], records)


async def connect_both(*, session_reset: bool = True):
    """Temporal and the database, connected at the same time (the first case starts sooner)."""
    temporal = asyncio.ensure_future(connect())
    try:
        pool = await open_pool(session_reset=session_reset)
    except BaseException:
        temporal.cancel()
        raise
    try:
        return await temporal, pool
    except BaseException:
        await pool.close()
        raise


def run_command(args: argparse.Namespace) -> int:
    """Run the parsed command (`args.run`), each failure told in one line with exit status 2."""
    logsetup.configure()
    try:
        return asyncio.run(args.run(args))
    except (UsageError, config.ConfigError, db.DatabaseUnreachable) as err:
        print(f"{args.command}: {err}", file=sys.stderr)
        return 2
    except RPCError as err:
        # Temporal answered, or stopped answering, mid-command: say it is Temporal, and where.
        where = config.temporal_connect_config().get("target_host")
        failed = _("{command}: Temporal at {where} failed the request ({status}): {error}")
        print(
            failed.format(command=args.command, where=where, status=err.status.name, error=err),
            file=sys.stderr,
        )
        return 2
    except OSError as err:
        lost = _("{command}: lost a connection (Temporal or the database): {error}")
        print(lost.format(command=args.command, error=err), file=sys.stderr)
        return 2
    except Exception:  # a bug of ours: say so plainly, keep the trace for the report
        structlog.get_logger("starter").exception("unexpected error", command=args.command)
        bug = _("{command}: unexpected error (details above); nothing more was done")
        print(bug.format(command=args.command), file=sys.stderr)
        return 2
