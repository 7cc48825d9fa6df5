"""`starter.py notifications`: list notifications with their delivery state, re-queue one.

python starter.py notifications [--case ID] [--pending | --dead] [--json]
python starter.py notifications retry ID

The table and the messages are in the process's language (Chinese unless `DISPUTE_LANG=en`);
`--json` keeps the English keys and state values, the machine contract.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from typing import Any

from ledger import notifications as store
from notify.routing import load_routing
from notify.texts import not_configured
from runtime import config, db
from texts import Texts, process_texts
from texts.terminal import width
from texts.terms import local_time

COLUMNS = ("id", "case_id", "seq", "kind", "to", "state", "attempts", "when", "last_error")
STATES = ("pending", "delivered", "dead")


def _headings(_: Texts) -> dict[str, str]:
    return {
        "id": _("id"), "case_id": _("case"), "seq": _("seq"), "kind": _("event"),
        "to": _("to"), "state": _("state"), "attempts": _("attempts"),
        "when": _("when (UTC+8)"), "last_error": _("last error"),
    }  # fmt: skip


def _states(_: Texts) -> dict[str, str]:
    return {
        "pending": _.pgettext("delivery", "pending"),
        "delivered": _.pgettext("delivery", "delivered"),
        "dead": _.pgettext("delivery", "dead"),
    }


def add_parser(sub: Any, usage_error: type[Exception]) -> None:
    _ = process_texts("notify")
    p = sub.add_parser(
        "notifications",
        help=_("list notifications and their delivery state; `notifications retry ID` re-queues"),
        description=_("List notifications with their delivery state, or re-queue one."),
    )
    p.add_argument("retry", nargs="*", metavar="retry ID", help=_("re-queue notification ID"))
    p.add_argument("--case", help=_("one case's notifications"))
    state = p.add_mutually_exclusive_group()
    state.add_argument("--pending", action="store_const", const="pending", dest="state",
                       help=_("only those still waiting to be sent"))  # fmt: skip
    state.add_argument("--dead", action="store_const", const="dead", dest="state",
                       help=_("only those given up on (dead)"))  # fmt: skip
    p.add_argument("--json", action="store_true", help=_("one JSON object per line"))
    p.add_argument("--limit", type=int, default=1000, help=_("at most this many"))

    async def run(args: argparse.Namespace) -> int:
        _ = process_texts("notify")
        retry_id = _retry_id(args.retry, usage_error)
        pool = await db.create_pool(config.database_url())
        try:
            await db.migrate(pool)
            if retry_id is not None:
                try:
                    await store.retry(pool, retry_id)
                except store.RetryRefused as err:
                    print(f"notifications: {_refusal(_, err)}", file=sys.stderr)
                    return 1
                print(_("notification {id} re-queued: the dispatcher sends it next").format(
                    id=retry_id))  # fmt: skip
                return 0
            rows = await store.list_notifications(
                pool, case_id=args.case, state=args.state, limit=args.limit
            )
        finally:
            await pool.close()
        _print(rows, as_json=args.json, _=_)
        if any(r["state"] == "pending" for r in rows) and not load_routing().configured:
            # This shell's settings: the dispatcher may have been started with others.
            print(f"notifications: {not_configured(_.lang)}", file=sys.stderr)
        return 0

    p.set_defaults(run=run)


def _retry_id(words: list[str], usage_error: type[Exception]) -> int | None:
    if not words:
        return None
    if len(words) != 2 or words[0] != "retry" or not words[1].isdigit():
        _ = process_texts("notify")
        raise usage_error(
            _("expected `notifications retry ID` (a number), got {words}").format(
                words=repr(" ".join(words))
            )
        )
    return int(words[1])


def _refusal(_: Texts, err: store.RetryRefused) -> str:
    if err.delivered_at is None:
        return _("notification {id} does not exist").format(id=err.row_id)
    return _("notification {id} was already delivered at {when}").format(
        id=err.row_id, when=local_time(err.delivered_at, _.lang)
    )


def _when(r: Any) -> datetime:
    when = {"delivered": r["delivered_at"], "dead": r["dead_at"]}.get(r["state"])
    return when or r["next_attempt_at"]


def _row(r: Any) -> dict[str, Any]:
    when = _when(r)
    return {
        # A duty notice (零报告) names no case: its duty key stands in the table's case column,
        # and the JSON carries both (`case_id` null).
        "id": r["id"], "case_id": r["case_id"], "duty_key": r["duty_key"],
        "seq": r["seq"] if r["seq"] is not None else "", "kind": r["kind"],
        "to": f"{r['recipient_role']}@{r['recipient_unit']}"
        + (f" ({r['recipient_name']})" if r["recipient_name"] else ""),
        "state": r["state"], "attempts": r["attempts"], "when": when.isoformat(timespec="seconds"),
        "last_error": r["last_error"] or "", "channel": r["channel"],
        "message_id": str(r["message_id"]), "message": r["message"],
    }  # fmt: skip


def _print(rows: list[Any], *, as_json: bool, _: Texts) -> None:
    lines = [_row(r) for r in rows]
    if as_json:
        for line in lines:
            print(json.dumps(line, ensure_ascii=False))
        return
    states, headings = _states(_), _headings(_)
    shown = [
        {
            **line,
            "state": states[line["state"]],
            "when": local_time(_when(r), _.lang),
            "case_id": line["case_id"] or line["duty_key"],
        }
        for line, r in zip(lines, rows, strict=True)
    ]
    table = [
        tuple(headings[c] for c in COLUMNS),
        *[tuple(str(line[c]) for c in COLUMNS) for line in shown],
    ]
    widths = [min(40, max(width(row[i]) for row in table)) for i in range(len(COLUMNS))]
    for row in table:
        print("  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip())
    counts = {s: sum(line["state"] == s for line in lines) for s in STATES}
    print(
        _("{n} notification(s): {pending} pending, {delivered} delivered, {dead} dead").format(
            n=len(lines), **counts
        )
    )


def _pad(cell: str, cells: int) -> str:
    """The cell cut to `cells` columns and padded to it."""
    out, used = [], 0
    for c in cell:
        w = width(c)
        if used + w > cells:
            break
        out.append(c)
        used += w
    return "".join(out) + " " * (cells - used)
