"""`starter.py status`: a short view of a case for a person at a terminal, and its JSON.

The person's view says where the case is (level and unit), its status, who has it, the time
left or how long overdue, the warnings, the mediation track, and the last few events, in the
process's language and in local time (UTC+8). Scripts read the JSON instead (`--json`, or any
stdout that is not a terminal): the same `CaseView`, with every time at one offset (+08:00,
the counties' own) and every duration in whole seconds. Pure functions of the view.
"""

from __future__ import annotations

from datetime import datetime

from domain.case_models import CaseStatus, CaseView
from domain.ladder import Level
from texts import Lang, Texts, texts
from texts.terminal import pad, width
from texts.terms import label, local_time, time_left

#: Events shown in the person's view: the latest ones (the JSON has them all).
LAST_EVENTS = 5


def holder(view: CaseView) -> str:
    """The unit holding the case at its level."""
    loc = view.location
    return {Level.grid: loc.grid, Level.village: loc.village, Level.township: loc.township}.get(
        view.level, loc.county
    )


def _person(person) -> str:
    return f"{person.name} ({person.unit})" if person else "-"


def _clock(view: CaseView, lang: Lang) -> str | None:
    _ = texts("cli", lang)
    if view.status is CaseStatus.supervised and view.overdue_seconds is not None:
        return time_left(-view.overdue_seconds, lang)  # since the county's deadline passed
    if view.status not in (CaseStatus.open, CaseStatus.paused):
        # Settled, its return visits still to come, or finished: no deadline runs.
        return (
            _("finished {at}").format(at=local_time(view.closed_at, lang))
            if view.closed_at
            else None
        )
    left = time_left(view.remaining_seconds, lang, paused=view.status is CaseStatus.paused)
    if view.due_at is None:
        return left
    return _("{left} (due {at})").format(left=left, at=local_time(view.due_at, lang))


def _mediation(view: CaseView, lang: Lang) -> str | None:
    m = view.mediation
    if m is None:
        return None
    _ = texts("cli", lang)
    department = label("department", m.department, lang) if m.department else ""
    text = label("track", m.track, lang) + (f" ({department})" if department else "")
    if m.due_at is not None:
        text += "; " + _("due {at}").format(at=local_time(m.due_at, lang))
    return text


def _whistles(view: CaseView, lang: Lang) -> str | None:
    """The latest whistle (吹哨): when, and how many summoned departments have checked in
    (报到) and reported."""
    if not view.whistles:
        return None
    _ = texts("cli", lang)
    w = view.whistles[-1]
    states = list(w.duties.values())
    checked_in = sum(s in ("checked_in", "reported") for s in states)
    text = _("{at}: {departments} department(s) summoned, {checked_in} checked in, "
             "{reported} reported").format(at=local_time(w.blown_at, lang),
                                           departments=len(states), checked_in=checked_in,
                                           reported=states.count("reported"))  # fmt: skip
    if len(view.whistles) > 1:
        text += "; " + _("{count} whistles in all").format(count=len(view.whistles))
    return text


def _procedure(view: CaseView, lang: Lang) -> str | None:
    """The statutory procedure's state and each open window: due when, by which article."""
    p = view.procedure
    if p is None:
        return None
    _ = texts("cli", lang)
    parts = [f"{label('procedure', p.name, lang)} · {label('procedure_state', p.state, lang)}"]
    for w in p.windows:
        due = _("paused") if w.due_at is None else local_time(w.due_at, lang)
        late = _(" (passed)") if w.expired else ""
        parts.append(f"{label('procedure_window', w.name, lang)} {due}{late} — {w.law}")
    if p.routes:
        routes = "、".join(label("procedure_route", r, lang) for r in p.routes)
        parts.append(_("routes open: {routes}").format(routes=routes))
    return "; ".join(parts)


def status_lines(view: CaseView, lang: Lang | str) -> list[str]:
    """The person's view of a case (its clocks already counted as of now: `domain.time_left`)."""
    lang = Lang(lang)
    _ = texts("cli", lang)
    loc = view.location
    risk = _("risk {colour}").format(colour=label("risk", view.risk, lang))
    fields = [
        (_("Where"), f"{label('level', view.level, lang)} {holder(view)}"
                     f" ({loc.township} {loc.village}, {loc.grid})"),
        (_("Status"), f"{label('status', view.status, lang)}; {risk}"),
        (_("Handler"), _person(view.assignee)),
        (_("Lead"), _person(view.lead) if view.lead else None),
        (_("Time"), _clock(view, lang)),
        (_("Warnings"), ", ".join(label("risk", w, lang) for w in view.warnings_raised) or None),
        (_("Mediation"), _mediation(view, lang)),
        (_("Whistle"), _whistles(view, lang)),
        (_("Procedure"), _procedure(view, lang)),
    ]  # fmt: skip
    shown = [(name, value) for name, value in fields if value]
    cells = max(width(name) for name, _value in shown)
    lines = [f"{view.case_id}  {view.title}"]
    lines += [f"  {pad(name, cells)}  {value}" for name, value in shown]
    events = view.events[-LAST_EVENTS:]
    if events:
        lines.append(_("Last events ({shown} of {total}):").format(
            shown=len(events), total=len(view.events)))  # fmt: skip
        level_cells = max(width(label("level", e.level, lang)) for e in events)
        lines += [
            f"  {local_time(e.at, lang)}  {pad(label('level', e.level, lang), level_cells)}"
            f"  {_from(e.from_case, _)}{e.summary}"
            for e in events
        ]
    return lines


def _from(case_id: str | None, _: Texts) -> str:
    """The mark of an event from a case merged into this one: "[from merged case X] "."""
    return _("[from merged case {case_id}] ").format(case_id=case_id) if case_id else ""


def road_lines(roads: dict, lang: Lang | str) -> list[str]:
    """The roads the case was taken onto (the court, labour arbitration), each with its state
    and next window; for a matter on a road, the case it came from."""
    _ = texts("cli", Lang(lang))
    lines = []
    for r in roads["roads"]:
        nxt = r["next_window"]
        lines.append(
            _("Road: {case_id} ({procedure}, {state})").format(
                case_id=r["case_id"],
                procedure=label("procedure", r["procedure"], lang),
                state=label("procedure_state", r["state"], lang),
            )
            + (
                _("; next: {window} by {due} ({law})").format(
                    window=label("procedure_window", nxt["name"], lang),
                    due=local_time(datetime.fromisoformat(nxt["due_at"]), lang),
                    law=nxt["law"],
                )
                if nxt
                else ""
            )
        )
    if roads["from_case"]:
        lines.append(_("From case: {case_id}").format(case_id=roads["from_case"]))
    return lines


def related_lines(
    links: list[dict], similar: list[str], lang: Lang | str, merged: list[dict] | None = None
) -> list[str]:
    """The case's related cases (ledger/related.py), the parties of the cases merged into it,
    and its look-alikes not yet linked."""
    _ = texts("cli", Lang(lang))
    lines = [
        _("Related: {case_id} ({link}, {status}) {title}").format(
            case_id=r["case_id"],
            link=label("link", r["link"], lang),
            status=label("status", r["status"], lang),
            title=r["title"],
        )
        for r in links
    ]
    for m in merged or []:
        parties = ", ".join(f"{p['name']} ({label('party_role', p['role'], lang)})"
                            for p in m["parties"])  # fmt: skip
        lines.append(_("Parties of merged case {case_id}: {parties}").format(
            case_id=m["case_id"], parties=parties or "-"))  # fmt: skip
    if similar:
        lines.append(_("Looks like: {cases}").format(cases=", ".join(similar)))
    return lines
