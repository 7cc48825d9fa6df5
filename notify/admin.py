"""`starter.py notifications`: list notifications with their delivery state, re-queue one.

python starter.py notifications [--case ID] [--pending | --dead] [--json]
python starter.py notifications retry ID
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from notify import store
from notify.routing import load_routing
from notify.texts import NOT_CONFIGURED
from runtime import config, db

COLUMNS = ("id", "case_id", "seq", "kind", "to", "state", "attempts", "when", "last_error")


def add_parser(sub: Any, usage_error: type[Exception]) -> None:
    p = sub.add_parser(
        "notifications",
        help="list notifications and their delivery state; `notifications retry ID` re-queues",
        description=__doc__.split("\n\n")[0],
    )
    p.add_argument("retry", nargs="*", metavar="retry ID", help="re-queue notification ID")
    p.add_argument("--case", help="one case's notifications")
    state = p.add_mutually_exclusive_group()
    state.add_argument("--pending", action="store_const", const="pending", dest="state")
    state.add_argument("--dead", action="store_const", const="dead", dest="state")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--limit", type=int, default=1000)

    async def run(args: argparse.Namespace) -> int:
        retry_id = _retry_id(args.retry, usage_error)
        pool = await db.create_pool(config.database_url())
        try:
            await db.migrate(pool)
            if retry_id is not None:
                try:
                    await store.retry(pool, retry_id)
                except store.RetryRefused as err:
                    print(f"notifications: {err}", file=sys.stderr)
                    return 1
                print(f"notification {retry_id} re-queued: the dispatcher sends it next")
                return 0
            rows = await store.list_notifications(
                pool, case_id=args.case, state=args.state, limit=args.limit
            )
        finally:
            await pool.close()
        _print(rows, as_json=args.json)
        if any(r["state"] == "pending" for r in rows) and not load_routing().configured:
            # This shell's settings: the dispatcher may have been started with others.
            print(f"notifications: {NOT_CONFIGURED}", file=sys.stderr)
        return 0

    p.set_defaults(run=run)


def _retry_id(words: list[str], usage_error: type[Exception]) -> int | None:
    if not words:
        return None
    if len(words) != 2 or words[0] != "retry" or not words[1].isdigit():
        raise usage_error(f"expected `notifications retry ID` (a number), got {' '.join(words)!r}")
    return int(words[1])


def _row(r: Any) -> dict[str, Any]:
    when = {"delivered": r["delivered_at"], "dead": r["dead_at"]}.get(r["state"])
    when = when or r["next_attempt_at"]
    return {
        "id": r["id"], "case_id": r["case_id"], "seq": r["seq"], "kind": r["kind"],
        "to": f"{r['recipient_role']}@{r['recipient_unit']}"
        + (f" ({r['recipient_name']})" if r["recipient_name"] else ""),
        "state": r["state"], "attempts": r["attempts"], "when": when.isoformat(timespec="seconds"),
        "last_error": r["last_error"] or "", "channel": r["channel"],
        "message_id": str(r["message_id"]), "message": r["message"],
    }  # fmt: skip


def _print(rows: list[Any], *, as_json: bool) -> None:
    lines = [_row(r) for r in rows]
    if as_json:
        for line in lines:
            print(json.dumps(line, ensure_ascii=False))
        return
    table = [COLUMNS, *[tuple(str(line[c]) for c in COLUMNS) for line in lines]]
    widths = [min(40, max(len(row[i]) for row in table)) for i in range(len(COLUMNS))]
    for row in table:
        print("  ".join(cell[:40].ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    counts = {
        s: sum(line["state"] == s for line in lines) for s in ("pending", "delivered", "dead")
    }
    print(f"{len(lines)} notification(s): " + ", ".join(f"{n} {s}" for s, n in counts.items()))
