"""`starter.py intake FILE`: a case started for every record of a file, one JSON line each.

Its own module, importing only what intake uses: a clerk's script runs it once per file, and
the Python start-up before the first case is part of intake's rate (bench/intake.py).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime

from cli.basics import (
    UsageError,
    connect_both,
    emit,
    load_policy,
    open_records,
    run_command,
)
from cli.text import _, add_lang_option
from domain.intake import IntakeFileError
from runtime import config, db
from service.intake import Progress, exit_status, submit


def add_intake_parser(sub: argparse._SubParsersAction) -> None:
    """The `intake` command's arguments (the full command line and intake's own share them)."""
    intake = sub.add_parser("intake", help=_("start a case for every record of a file"))
    intake.add_argument("file", help=_("JSON Lines (.jsonl) or CSV (.csv) file; '-' for stdin"))
    intake.add_argument("--policy", default=str(config.DEFAULT_POLICY), help=_("deadline policy"))
    intake.add_argument(
        "--calendar", default=str(config.DEFAULT_CALENDAR), help=_("working-day calendar")
    )
    intake.add_argument("--concurrency", type=int, default=32, help=_("cases started at once"))
    intake.set_defaults(run=cmd_intake)


def main(argv: list[str]) -> int:
    """`starter.py intake ...` without loading the other commands; `argv` starts with
    "intake" and has no `--lang` (`starter.main` fixed the language)."""
    p = argparse.ArgumentParser(
        prog="starter.py", description=_("The command line for clerks and intake scripts.")
    )
    add_lang_option(p)
    add_intake_parser(p.add_subparsers(dest="command", required=True))
    return run_command(p.parse_args(argv))


async def cmd_intake(args: argparse.Namespace) -> int:
    """Stream the file: read, validate and start in a bounded pipeline (service/intake.py).

    Per-record JSON lines go to stdout, progress and the summary to stderr."""
    now = datetime.now(UTC)
    policy = load_policy(args.policy, args.calendar, now)
    stream, records = await asyncio.to_thread(open_records, args.file, now)
    try:
        # Intake's queries (the migration check, the ledger check, look-alikes) leave no
        # session state: no reset query at each release, one round trip less per case.
        client, pool = await connect_both(session_reset=False)
        try:
            await db.migrate(pool)
            outcome = await submit(
                records, client, pool, policy,
                emit=emit, concurrency=args.concurrency, progress=Progress(),
            )  # fmt: skip
        except (IntakeFileError, OSError) as err:
            # The file broke off mid-way (a quote left open at the end, a read error): the
            # records before were answered; say where it stopped.
            message = _("{file}: {error}; the records before it were submitted")
            raise UsageError(message.format(file=args.file, error=err)) from None
        finally:
            await pool.close()
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()
    totals = outcome.totals
    summary = _(
        "intake: {records} record(s): {started} started, {duplicate} duplicate, {rejected} rejected"
    )
    print(summary.format(records=sum(totals.values()), **totals), file=sys.stderr)
    if outcome.stopped:
        stopped = _(
            "intake: stopped after line {line} ({why}); run the same file again to submit the "
            "rest: cases started already come back as duplicate"
        )
        print(stopped.format(line=outcome.last_line, why=outcome.stopped), file=sys.stderr)
    return exit_status(outcome)
