"""The command line's commands (all but `list`, which `runtime/worklist_cli.py` runs on its
own): intake, status, the actions through the API, tokens, roster, departments, reports,
schedules, keys, notifications. `starter.py` is the entry point; its docstring is the usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime

from temporalio.service import RPCError, RPCStatusCode

from cli import notifications as notify_admin
from cli import report_duties
from cli.api_client import CliError, print_view, send_action
from cli.basics import (  # noqa: F401 - also starter.py's names (tests and benches)
    UsageError,
    cannot_read,
    connect,
    connect_both,
    emit,
    load_policy,
    open_pool,
    open_records,
    read_text,
    run_command,
)
from cli.case_commands import add_action_parsers, build_input
from cli.duty_commands import add_duty_parsers
from cli.intake_command import add_intake_parser, cmd_intake  # noqa: F401
from cli.reference_files import parse_departments, parse_roster
from cli.report import print_report, write_report_files
from cli.status_text import related_lines, road_lines, status_lines
from cli.text import _, add_lang_option
from cli.worklist import LIST_HELP, ListUsageError, add_list_args, run_list
from domain import time_left
from domain.case_models import CaseView
from domain.naming import TASK_QUEUE, workflow_id_for
from ledger import audit, case_page, related, tokens
from ledger.cases import with_history
from ledger.departments import load_departments
from ledger.roster import load_roster
from runtime import codec, config, db
from service.case_json import related_json, status_json
from service.roads import open_road, road_links
from service.schedules import ensure_reconcile_schedule, ensure_schedules
from texts import process_lang
from texts.terms import LOCAL_ZONE, local_time
from workflows.case import CaseWorkflow


async def cmd_road(args: argparse.Namespace) -> int:
    """Take a case onto the court road or into labour arbitration: a matter of its own."""
    policy = load_policy(args.policy, args.calendar, datetime.now(UTC))
    client, pool = await connect_both()
    try:
        matter, started = await open_road(
            client, pool, args.case_id, args.procedure, args.start, policy, process_lang()
        )
    except ValueError as err:
        raise UsageError(str(err)) from None
    finally:
        await pool.close()
    done = (
        _("{matter}: started on {procedure} at {start}")
        if started
        else _("{matter}: already started")
    )
    print(done.format(matter=matter, procedure=args.procedure, start=args.start))
    return 0


async def cmd_status(args: argparse.Namespace) -> int:
    client = await connect()
    handle = client.get_workflow_handle(workflow_id_for(args.case_id))
    try:
        view = await handle.query(CaseWorkflow.view)
    except RPCError as err:
        if err.status == RPCStatusCode.NOT_FOUND:
            print(_("status: no case {case_id}").format(case_id=args.case_id), file=sys.stderr)
            return 1
        raise
    # The workflow keeps its latest events; the ledger has the whole history.
    pool = await db.create_pool(config.database_url())
    try:
        now = datetime.now(UTC)
        view = time_left.as_of(await with_history(pool, view), now)
        links = related_json(await related.links(pool, args.case_id))
        roads = await road_links(pool, args.case_id)
        # A road's matter keeps the case's parties and subject: linked already, no look-alike.
        linked = {r["case_id"] for r in roads["roads"]} | {roads["from_case"]}
        similar = [c for c in await related.similar_to(pool, args.case_id, now) if c not in linked]
        # The parties of the cases merged into this one (their events are in `events`).
        merged = [
            {"case_id": other, "parties": [{"name": p.get("name"), "role": p.get("role")}
                                           for p in parties]}
            for other, parties in await case_page.merged_parties(pool, args.case_id)
        ]  # fmt: skip
    finally:
        await pool.close()
    if args.json or not sys.stdout.isatty():
        out = {**status_json(view), "related": links, "similar": similar, "merged": merged,
               **roads}  # fmt: skip
        print(json.dumps(out, indent=2, ensure_ascii=False))
    else:
        print("\n".join(status_lines(view, process_lang())))
        print("\n".join(related_lines(links, similar, process_lang(), merged)))
        print("\n".join(road_lines(roads, process_lang())))
    return 0


async def _act(args: argparse.Namespace) -> int:
    """A case or duty action, through the API as the token's person; prints the case (or the
    duty) after it. A refusal prints its reason and exits 1."""
    try:
        view = await send_action(args, build_input)
    except CliError as err:
        print(err, file=sys.stderr)
        return err.code
    if getattr(args, "json", False) or not sys.stdout.isatty() or "case_id" not in view \
            or "events" not in view:  # fmt: skip
        print_view(view)  # into a pipe, or a duty: the JSON
    else:  # on a terminal: the short view, as `status` prints it
        case = time_left.as_of(CaseView.model_validate(view), datetime.now(UTC))
        print("\n".join(status_lines(case, process_lang())))
    return 0


async def _load_csv(args: argparse.Namespace, parse, load, loaded: str) -> int:
    """Parse a reference-data CSV (errors name the line and column), then upsert it whole."""
    try:
        rows = parse(read_text(args.file))
    except ValueError as err:
        raise UsageError(f"{args.file}: {err}") from None
    pool = await open_pool()
    try:
        await db.migrate(pool)
        count = await load(pool, rows)
    finally:
        await pool.close()
    print(loaded.format(count=count, file=args.file), file=sys.stderr)
    return 0


async def cmd_roster_load(args: argparse.Namespace) -> int:
    return await _load_csv(args, parse_roster, load_roster, _("roster: {count} loaded from {file}"))


async def cmd_departments_load(args: argparse.Namespace) -> int:
    return await _load_csv(
        args, parse_departments, load_departments, _("departments: {count} loaded from {file}")
    )


async def cmd_report(args: argparse.Namespace) -> int:
    pool = await open_pool()
    try:
        await db.migrate(pool)
        now = datetime.now(UTC)
        table = await print_report(pool, args.period, args.township, now, lang=process_lang())
        root = config.reports_dir()
        files = await write_report_files(pool, args.period, now, root, process_lang())
    except ValueError as err:
        raise UsageError(str(err)) from None
    finally:
        await pool.close()
    sys.stdout.write(table)
    html = next((f for f in files if f.endswith("report.html")), None)
    if html:
        print(_("report: wrote {path}").format(path=root / html), file=sys.stderr)
    return 0


async def _with_pool(work):
    """Run `work(pool)` on a migrated pool of the configured database."""
    pool = await db.create_pool(config.database_url())
    try:
        await db.migrate(pool)
        return await work(pool)
    finally:
        await pool.close()


async def cmd_tokens_issue(args: argparse.Namespace) -> int:
    try:
        token_id, token = await _with_pool(
            lambda pool: tokens.issue(pool, args.name, args.unit, args.role, args.case)
        )
    except tokens.TokenError as err:
        raise UsageError(str(err)) from None
    print(token)
    who = f"{args.role}, {args.unit}" if args.unit else args.role
    issued = _("tokens: issued {token_id} to {name} ({who}); it is shown only now")
    print(issued.format(token_id=token_id, name=args.name, who=who), file=sys.stderr)
    return 0


async def cmd_tokens_revoke(args: argparse.Namespace) -> int:
    try:
        await _with_pool(lambda pool: tokens.revoke(pool, args.token_id))
    except tokens.TokenError as err:
        print(_("tokens: {error}").format(error=err), file=sys.stderr)
        return 1
    print(_("tokens: revoked {token_id}").format(token_id=args.token_id), file=sys.stderr)
    return 0


async def cmd_tokens_list(args: argparse.Namespace) -> int:
    for row in await _with_pool(tokens.listing):
        print(token_created(row))
    return 0


async def cmd_audit(args: argparse.Namespace) -> int:
    """The refused attempts to act, newest first: one JSON line each (ledger/audit.py)."""
    rows = await _with_pool(lambda pool: audit.recent(pool, limit=args.limit, case_id=args.case))
    for r in rows:
        emit({**r.__dict__, "at": r.at.astimezone(LOCAL_ZONE).isoformat()})
    return 0


async def cmd_list(args: argparse.Namespace) -> int:
    try:
        return await run_list(args)
    except ListUsageError as err:
        raise UsageError(str(err)) from None


def _add_list_and_tokens(sub) -> None:
    # `starter.py list` runs in runtime/worklist_cli.py without this parser; here for --help.
    cases = sub.add_parser("list", help=_(LIST_HELP))
    add_list_args(cases)
    cases.set_defaults(run=cmd_list)

    toks = sub.add_parser("tokens", help=_("people's tokens for the API and the web page"))
    toks_sub = toks.add_subparsers(dest="tokens_command", required=True)
    issue = toks_sub.add_parser(
        "issue", help=_("issue a token (printed once; only a hash is kept)")
    )
    issue.add_argument("--name", required=True, help=_("the person's name as on the roster"))
    issue.add_argument(
        "--unit",
        help=_(
            "their unit (grid id, village, township, county, or a "
            "department's unit); not for --role intake"
        ),
    )
    issue.add_argument(
        "--role",
        required=True,
        help=_(
            "their roster role, supervisor, a department's code (its duty officer), "
            "applicant/respondent/third_party (a party, with --case), or intake (a service)"
        ),
    )
    issue.add_argument(
        "--case", help=_("for a party (applicant, respondent, third_party): their case's id")
    )
    issue.set_defaults(run=cmd_tokens_issue)
    revoke = toks_sub.add_parser("revoke", help=_("revoke a token by its id (see `tokens list`)"))
    revoke.add_argument("token_id")
    revoke.set_defaults(run=cmd_tokens_revoke)
    toks_sub.add_parser("list", help=_("every token: id, person, state")).set_defaults(
        run=cmd_tokens_list
    )


async def cmd_schedules(args: argparse.Namespace) -> int:
    client = await connect()
    outcomes = [*await ensure_schedules(client, TASK_QUEUE)]
    outcomes.append(await ensure_reconcile_schedule(client, TASK_QUEUE))
    for outcome in outcomes:
        emit({"schedule_id": outcome.schedule_id, "action": outcome.action})
    return 0


async def cmd_keys_list(args: argparse.Namespace) -> int:
    """The key ids in force (never the keys), oldest first; the newest encrypts."""
    ring = codec.KeyRing.load()
    for name in ring.keys:
        emit({"key_id": name, "newest": name == ring.newest, "source": ring.source})
    return 0


async def cmd_keys_rotate(args: argparse.Namespace) -> int:
    """A fresh key becomes the newest; running workers pick it up from the file."""
    name = codec.rotate_key_file()
    emit({"key_id": name, "newest": True, "source": str(codec.key_file())})
    rotated = _("keys: {key_id} now encrypts new payloads; the older keys still decrypt old ones")
    print(rotated.format(key_id=name), file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="starter.py", description=_("The command line for clerks and intake scripts.")
    )
    add_lang_option(p)
    sub = p.add_subparsers(dest="command", required=True)

    add_intake_parser(sub)

    road_help = _("take a case onto the court road or into labour arbitration (docs/procedures.md)")
    road = sub.add_parser("road", help=road_help)
    road.add_argument("case_id")
    road.add_argument("procedure", help=_("the procedure's table: court, labour_arbitration"))
    road.add_argument("start", help=_("where it starts, e.g. pre_filing_mediation, filed, applied"))
    road.add_argument("--policy", default=str(config.DEFAULT_POLICY), help=_("deadline policy"))
    road.add_argument(
        "--calendar", default=str(config.DEFAULT_CALENDAR), help=_("working-day calendar")
    )
    road.set_defaults(run=cmd_road)

    status = sub.add_parser(
        "status", help=_("a case: a short view on a terminal, JSON with --json or into a pipe")
    )
    status.add_argument("case_id")
    status.add_argument("--json", action="store_true", help=_("the JSON, even on a terminal"))
    status.set_defaults(run=cmd_status)

    add_action_parsers(sub, _act)
    add_duty_parsers(sub, _act)

    report = sub.add_parser("report", help=_("print a period's assessment figures"))
    report.add_argument("--period", required=True, help=_("2026-11 (month), 2026-W47, 2026-11-23"))
    report.add_argument("--township", help=_("one township (default: all, and the county)"))
    report.set_defaults(run=cmd_report)

    audit_cmd = sub.add_parser(
        "audit", help=_("refused attempts to act (401, 403, 422, unsigned updates), newest first")
    )
    audit_cmd.add_argument("--case", help=_("one case's only"))
    audit_cmd.add_argument("--limit", type=int, default=100, help=_("at most this many (100)"))
    audit_cmd.set_defaults(run=cmd_audit)

    schedules = sub.add_parser("schedules", help=_("create or update the assessment schedules"))
    schedules.set_defaults(run=cmd_schedules)

    departments = sub.add_parser("departments", help=_("manage the departments a whistle summons"))
    departments_sub = departments.add_subparsers(dest="departments_command", required=True)
    dload = departments_sub.add_parser("load", help=_("load code,name,unit rows (CSV)"))
    dload.add_argument("file")
    dload.set_defaults(run=cmd_departments_load)

    keys = sub.add_parser("keys", help=_("payload encryption keys"))
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    keys_sub.add_parser("list", help=_("key ids, oldest first")).set_defaults(run=cmd_keys_list)
    keys_sub.add_parser("rotate", help=_("add a key that encrypts from now on")).set_defaults(
        run=cmd_keys_rotate
    )
    _add_list_and_tokens(sub)

    roster = sub.add_parser("roster", help=_("manage the handler roster"))
    roster_sub = roster.add_subparsers(dest="roster_command", required=True)
    load = roster_sub.add_parser("load", help=_("load level,unit,name,role[,active] rows"))
    load.add_argument("file")
    load.set_defaults(run=cmd_roster_load)

    notify_admin.add_parser(sub, UsageError)
    report_duties.add_parser(sub, report_duties.Tools(UsageError, connect, open_pool, read_text))
    return p


def main(argv: list[str]) -> int:
    """Run one command; `argv` without `--lang` (`starter.main` fixed the language)."""
    return run_command(parser().parse_args(argv))


def token_created(row: dict) -> str:
    """One line of `tokens list`."""
    lang = process_lang()
    created: datetime = row["created_at"]
    if row["revoked_at"]:
        state = _("revoked {at}").format(at=local_time(row["revoked_at"], lang))
    else:
        state = _("active")
    issued = _("issued {at}").format(at=local_time(created, lang))
    return (
        f"{row['token_id']}  {row['name']}  {row['unit'] or '-'}  {row['role']}  "
        f"{row['level'] or row['case_id'] or '-'}  {issued}  {state}"
    )
