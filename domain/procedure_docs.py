"""docs/procedures.md as the tables say it: every window with its article, every action, every
period that does not count. A test compares the file with this text, so the docs and the
running tables cannot disagree (`python -m cli.procedure_docs` rewrites the file).
Pure: tables in, Markdown out.
"""

from __future__ import annotations

from domain.procedure_table import ProcedureTable

_UNITS = {"d": "days", "wd": "working days", "mo": "months"}

HEADER = """# Statutory procedures

Generated from `procedures/*.toml` by `python -m cli.procedure_docs`; `make test` fails when this
file and the tables disagree. Lengths are counted as 民法典 Arts. 200–204 count: from the day
after the starting event, a period in months to the same day of the later month (or its last
day), to 24:00 of the last day, a last day off moving to the next working day; the periods that
do not count push the end back by the days they lasted. A county adds a local procedure by
adding a table to `procedures/`. `starter.py status ID --json` shows a running one as
`procedure: {name, state, windows: [{name, starts_at, due_at, law}]}`.
"""


def _length(text: str) -> str:
    amount, unit = text.rstrip("dwmo"), text[len(text.rstrip("dwmo")) :]
    return f"{amount} {_UNITS[unit]}"


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
        parts.append(
            "\n### Windows\n\n| window | length | starts | extension | on expiry | law |\n"
            "| --- | --- | --- | --- | --- | --- |\n"
        )
        for wname, w in t.windows.items():
            ext = (
                f"+{_length(w.extension.by)} × {w.extension.times} ({w.extension.who}; "
                f"{w.extension.law})"
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
                f"| `{wname}` | {_length(w.length)}{paused} | {w.starts} | {_cell(ext)} | "
                f"{', '.join(expiry) or '—'} ({_cell(w.expiry.law)}) | {_cell(w.law)} |\n"
            )
        if t.pauses:
            parts.append("\n### Periods that do not count\n\n| reason | law |\n| --- | --- |\n")
            for pname, p in t.pauses.items():
                parts.append(f"| `{pname}` | {_cell(p.law)} |\n")
        parts.append("\n### Actions\n\n| action | from | to | law |\n| --- | --- | --- | --- |\n")
        for aname, a in t.actions.items():
            to = a.to or "(stays)"
            for b in a.branches:
                to = (
                    f"`{b.to}` if {b.fact} ≤ {b.at_most:g}, else {to}"
                    if b.at_most is not None
                    else to
                )
            extra = f"; within `{a.within}`" if a.within else ""
            parts.append(
                f"| `{aname}` | {', '.join(a.allowed_in)}{extra} | {to} | {_cell(a.law)} |\n"
            )
        parts.append(
            "\nEvery window may also be extended (`extend`) as its row says, and "
            "stopped (`pause` / `resume`) for the reasons listed.\n"
        )
    return "".join(parts)
