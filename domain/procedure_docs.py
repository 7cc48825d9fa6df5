"""docs/procedures.md as the tables say it: every window with its article, every action, every
period that does not count. A test compares the file with this text, so the docs and the
running tables cannot disagree (`python -m cli.procedure_docs` rewrites the file).
Pure: tables in, Markdown out.
"""

from __future__ import annotations

from domain.procedure_table import ProcedureTable
from texts import Lang
from texts.terms import label

_UNITS = {"d": "days", "wd": "working days", "mo": "months"}

HEADER = """# Statutory procedures

Generated from `procedures/*.toml` by `python -m cli.procedure_docs`; `make test` fails when this
file and the tables disagree. Lengths are counted as 民法典 Arts. 200–204 count: from the day
after the starting event, a period in months to the same day of the later month (or its last
day), to 24:00 of the last day, a last day off moving to the next working day; the periods that
do not count push the end back by the days they lasted. A county adds a local procedure by
adding a table to `procedures/`. `starter.py status ID --json` shows a running one as
`procedure: {name, state, windows: [{name, starts_at, due_at, law}]}`; a dispute case taken to
court (`starter.py road CASE court filed`) shows the matter as `roads: [{case_id, procedure,
title, state, final, status, next_window: {name, due_at, law}}]` on its status and page, and the
matter shows `from_case`, both read from the ledger.

One engine (`domain/procedure.py`) runs every table; a matter on one is a `ProcedureWorkflow`
(`workflows/procedure.py`) whose events land in `case_events` like a case's (docs/events.md).
Intake starts one with `"procedure"` (docs/intake.md); people act with
`starter.py procedure CASE STEP [--fact NAME=VALUE] [--window W] [--reason R] [--happened-at T]`
(through the API, as the token's person): a step of the table, or `extend` a window, `pause` /
`resume` it for a reason that does not count. A step the table does not allow in the matter's
state, a party's step after its window, a second extension: refused, naming the article. Who
takes each step is the table's data (`by` on an action or a pause, `roles` on an extension, the
table's `by` for a line naming no one): a token whose role is not named there (a party
recording a judgment, a township's clerk docketing a suit) is refused, naming the roles needed,
and the refusal is audited (`starter.py audit`). The court's, the committee's and the 信访
bodies' people are on the roster with roles `court_clerk`, `judge`, `arbitrator`,
`enforcement_officer`, `petition_office`, `handling_body`, `reviewing_body`, `mediator`; a
party acts with its own token (`applicant`, `respondent`).

Who reads a 信访 matter: the county's people, the office or body it is addressed to, every
unit that took a step on it, and the body a forward or an assignment names (`--fact
to=UNIT`); not the grid or village the petitioner lives in. A matter on the court road or in
labour arbitration is read like the dispute case it came from.

## Try it: every statutory day a minute

`policies/demo.toml` sets `procedure_day = "1m"`: a 15-day window passes in 15 minutes. Each
minute stands for one calendar day after the window's start, with that day's weekday and
holiday (calendars/cn.toml): 5 working days to object (信访工作条例 Art. 23 ¶3) from a Friday
are 7 minutes, from the eve of the National Day holiday more. Outside the demo, working days
are counted on the same calendar, a last day off moving to the next working day.

    make run
    .venv/bin/python starter.py intake samples/procedures.jsonl --policy policies/demo.toml
    .venv/bin/python starter.py status XF-2026-0001 --json     # registered: 15 minutes to forward
    .venv/bin/python starter.py tokens issue --name 住建局乙 --unit 海博湾区住房和城乡建设局 \\
        --role handling_body
    DISPUTE_TOKEN=dt_... .venv/bin/python starter.py procedure XF-2026-0002 accept
    DISPUTE_TOKEN=dt_... .venv/bin/python starter.py procedure XF-2026-0002 extend --window handle

`XF-2026-0001` left alone is flagged to the county's supervisor after 15 minutes;
`XF-2026-0002`, extended once, is due 90 minutes after its acceptance and a second `extend` is
refused; `FY-2026-0001` (pre-filing mediation of case HB-2026-000101) goes to docketing after 30
minutes, due 7 minutes later; `LD-2026-0001` not accepted in 5 minutes opens the worker's
`may_sue`.

The rest of the 信访 road, with the people of `samples/roster.csv` (`make run` loads it) and
matters of your own on the demo policy, addressed to the office (`"addressed_to": {"kind":
"office", ...}`: XF-A) or to the body (`{"kind": "body", ...}`: XF-B, XF-C). Each person's
token goes into a file: `tokens issue ... > body.token` for 住建局乙 as above, 信访办甲 at
海博湾区信访局 `--role petition_office` into `office.token`, 复查员丙 at 海博湾区人民政府
`--role reviewing_body` into `review.token`:

    P=".venv/bin/python starter.py procedure"
    # assigned (交办): an objection 8 minutes (days) on is past the 5 working days: refused
    # (--fact to=UNIT names the body it goes to: that body then sees it in its worklist)
    $P XF-A assign --fact to=海博湾区住房和城乡建设局 --token-file office.token
    sleep 480;  $P XF-A object --token-file body.token
    # the reply received 31 days ago (--happened-at: when it happened, if before now): too late
    $P XF-B accept --token-file body.token
    $P XF-B reply --fact opinion=support --token-file body.token \\
        --happened-at "$(date -u -d '-31 minutes' +%Y-%m-%dT%H:%M:%S+00:00)"
    $P XF-B request_review --token-file office.token          # refused: review_request ended
    # 复核 with a 10-day hearing: the 30 days run to day 40
    $P XF-C accept --token-file body.token
    $P XF-C reply --fact opinion=no_support --token-file body.token
    $P XF-C request_review --token-file office.token
    $P XF-C review_decision --token-file review.token
    $P XF-C request_re_review --token-file office.token
    $P XF-C pause --reason hearing --token-file review.token; sleep 600
    $P XF-C resume --reason hearing --token-file review.token  # re_review_decide due 40 minutes on
    $P XF-C re_review_decision --token-file review.token       # final_after_re_review

A repeat of `XF-C` with the same facts (`"petition": {..., "repeat_of": "XF-C"}`) is answered
"final, not accepted" (Art. 36 ¶3) at intake and listed under `related` in both matters'
`status`.
"""


def _length(text: str) -> str:
    amount, unit = text.rstrip("dwmo"), text[len(text.rstrip("dwmo")) :]
    return f"{amount} {_UNITS[unit]}"


def _zh(kind: str, name: str) -> str:
    """A table's name as people read it (texts/terms.py, the `procedure_*` terms)."""
    return label(f"procedure_{kind}", name, Lang.zh)


def _roles(roles: list[str]) -> str:
    return f", by {', '.join(roles)}" if roles else ""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render(tables: dict[str, ProcedureTable]) -> str:
    parts = [HEADER]
    for name in sorted(tables):
        t = tables[name]
        parts.append(
            f"\n## {t.title} (`{t.name}`)\n\n{t.law}. Starts in: "
            + ", ".join(f"`{s}`" for s in t.starts_in)
            + ".\n"
        )
        parts.append("\n### States\n\n| state | 名称 | law |\n| --- | --- | --- |\n")
        for sname, st in t.states.items():
            final = " (final)" if st.final else ""
            parts.append(f"| `{sname}`{final} | {_zh('state', sname)} | {_cell(st.law)} |\n")
        parts.append(
            "\n### Windows\n\n| window | length | starts | extension | on expiry | law |\n"
            "| --- | --- | --- | --- | --- | --- |\n"
        )
        for wname, w in t.windows.items():
            ext = (
                f"+{_length(w.extension.by)} × {w.extension.times} ({w.extension.who}"
                f"{_roles(t.takers('extend', window=wname))}; {w.extension.law})"
                if w.extension
                else "—"
            )
            expiry = [
                x
                for x in (
                    "flag to supervisor" if w.expiry.flag else "",
                    f"opens route `{w.expiry.route}`" if w.expiry.route else "",
                    f"moves to `{w.expiry.to}`" if w.expiry.to else "",
                )
                if x
            ]
            paused = f"; paused by {', '.join(w.paused_by)}" if w.paused_by else ""
            parts.append(
                f"| `{wname}` {_zh('window', wname)} | {_length(w.length)}{paused} | {w.starts} | "
                f"{_cell(ext)} | "
                f"{', '.join(expiry) or '—'} ({_cell(w.expiry.law)}) | {_cell(w.law)} |\n"
            )
        if t.pauses:
            parts.append(
                "\n### Periods that do not count\n\n| reason | stopped by | law |\n"
                "| --- | --- | --- |\n"
            )
            for pname, p in t.pauses.items():
                by = ", ".join(t.takers("pause", reason=pname)) or "anyone"
                parts.append(f"| `{pname}` {_zh('pause', pname)} | {by} | {_cell(p.law)} |\n")
        parts.append(
            "\n### Actions\n\n| action | from | to | by | law |\n| --- | --- | --- | --- | --- |\n"
        )
        for aname, a in t.actions.items():
            to = a.to or "(stays)"
            for b in a.branches:
                to = (
                    f"`{b.to}` if {b.fact} ≤ {b.at_most:g}, else {to}"
                    if b.at_most is not None
                    else to
                )
            extra = f"; within `{a.within}`" if a.within else ""
            by = ", ".join(t.takers(aname)) or "anyone"
            parts.append(
                f"| `{aname}` {_zh('step', aname)} | {', '.join(a.allowed_in)}{extra} | {to} "
                f"| {by} | {_cell(a.law)} |\n"
            )
        parts.append(
            "\nEvery window may also be extended (`extend`) as its row says, and stopped "
            "(`pause` / `resume`) for the reasons listed, by the roles named. A step taken in a "
            "role its row does not name is refused, naming the roles it needs.\n"
        )
    return "".join(parts)
