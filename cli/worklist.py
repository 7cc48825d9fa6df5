"""`starter.py list`: the worklist on the terminal, with nothing loaded that it does not need.

A clerk asks "what is mine, and what is late?" many times a day, so `starter.py` sends `list`
here before it imports the rest of the command line (Temporal's client, the case workflow):
the command then answers in a fraction of the time (`bench/worklist.py` times the whole
process). The full parser (`runtime/commands.py`) adds the same arguments, for `--help`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime

from cli.text import _
from domain.durations import parse_duration
from domain.ladder import Level
from ledger.worklist import ORDERS, RISKS, Filters, Row, page
from runtime import config, db
from texts import N_, Lang, process_lang, texts
from texts.terminal import table


def add_list_args(cases: argparse.ArgumentParser) -> None:
    cases.add_argument("--unit", help=_("the unit holding the case at its level"))
    cases.add_argument("--level", choices=[lv.value for lv in Level])
    cases.add_argument(
        "--status",
        default=",".join(Filters.status or ()),
        help=_("comma-separated statuses, or 'all' (default: %(default)s)"),
    )
    cases.add_argument("--overdue", action="store_true", help=_("only cases past their deadline"))
    cases.add_argument("--due-within", help=_('only cases due within "12h", "2d"…'))
    cases.add_argument("--risk", choices=list(RISKS))
    cases.add_argument("--handler", help=_("the assignee's name"))
    cases.add_argument(
        "--under", help=_("every case anywhere below this unit (county, township, village, grid)")
    )
    cases.add_argument(
        "--search", help=_("case id, title, description, a party's name or phone number")
    )
    cases.add_argument(
        "--visits-due", action="store_true", help=_("resolved cases with a return visit due")
    )
    cases.add_argument(
        "--order", choices=list(ORDERS), default="urgency", help=_("order (default: %(default)s)")
    )
    cases.add_argument("--json", action="store_true", help=_("one JSON object a line, for scripts"))


LIST_HELP = N_("cases, most urgent first (overdue longest, then due soonest)")


class ListUsageError(ValueError):
    """A filter that cannot be read: one line, exit status 2."""


def filters_of(args: argparse.Namespace) -> Filters:
    try:
        window = parse_duration(args.due_within) if args.due_within else None
    except ValueError as err:
        raise ListUsageError(f"--due-within: {err}") from None
    statuses = None if args.status == "all" else tuple(args.status.split(","))
    return Filters(
        unit=args.unit,
        level=args.level,
        status=statuses,
        overdue=args.overdue,
        due_within=window,
        risk=args.risk,
        handler=args.handler,
        under=args.under,
        search=args.search,
        tab="visits" if args.visits_due else None,
        order=args.order,
    )


async def run_list(args: argparse.Namespace) -> int:
    """Print the worklist: the table on stdout, how many on stderr."""
    filters = filters_of(args)
    pool = await db.create_pool(config.database_url())
    try:
        await db.migrate(pool)
        rows, total = await page(pool, filters, datetime.now(UTC))
    finally:
        await pool.close()
    if getattr(args, "json", False):
        for row in rows:
            print(json.dumps(row.as_json(process_lang()), ensure_ascii=False))
    elif rows:
        print("\n".join(table_lines(rows, process_lang())))
    if total > len(rows):
        message = _(
            "list: the {shown} most urgent of {total} cases; narrow it with --unit, --level, "
            "--handler or --risk"
        )
        print(message.format(shown=len(rows), total=total), file=sys.stderr)
    else:
        print(_("list: {count} case(s)").format(count=len(rows)), file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    """`argv` after `list` (the language already taken out of it)."""
    parser = argparse.ArgumentParser(prog="starter.py list", description=_(LIST_HELP))
    add_list_args(parser)
    args = parser.parse_args(argv)
    try:
        return asyncio.run(run_list(args))
    except (ListUsageError, config.ConfigError, db.DatabaseUnreachable) as err:
        print(f"list: {err}", file=sys.stderr)
        return 2
    except OSError as err:
        lost = _("{command}: lost a connection (Temporal or the database): {error}")
        print(lost.format(command="list", error=err), file=sys.stderr)
        return 2


def table_lines(rows: list[Row], lang: Lang | str) -> list[str]:
    """`starter.py list`: a head, then one aligned line per case (Chinese takes two cells)."""
    _ = texts("cli", lang)
    head = [_("Case"), _("Title"), _("Place"), _("Level"), _("Handler"), _("Risk"),
            _("Time left")]  # fmt: skip
    return table(head, [r.cells(lang) for r in rows])
