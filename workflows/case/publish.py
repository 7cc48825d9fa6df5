"""What Temporal shows of a case: its search attributes, the UI's current details and the
`view` query. Search attributes are upserted only when one changes (each upsert is a billed
action and a workflow task); none of them holds a party's name, phone or id number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import procedure as engine
    from domain.case_models import CaseFile, CaseStart, CaseStatus, CaseView
    from texts import texts
    from texts.terms import label, length, time_left
    from workflows import search_attributes as sa


def whistle_state(f: CaseFile) -> str:
    if not f.whistles:
        return "none"
    return "answered" if all(w.answered for w in f.whistles) else "waiting"


def attributes(f: CaseFile, start: CaseStart) -> dict[Any, Any]:
    """Each search attribute's value as the case stands (None: unset)."""
    loc = f.location()
    running = f.clock.due_at if f.clock.due_at and f.status is CaseStatus.open else None
    return {
        sa.CASE_LEVEL: f.level.value,
        sa.CASE_STATUS: f.status.value,
        sa.RISK_COLOUR: f.risk.value,
        sa.DISPUTE_TYPE: start.intake.dispute_type.value,
        sa.TOWNSHIP: loc.township,
        sa.VILLAGE: loc.village,
        sa.GRID: loc.grid,
        sa.CASE_WARNING: f.clock.warnings[-1] if f.clock.warnings else "none",
        sa.MEDIATION_TRACK: f.mediation.track if f.mediation else "none",
        sa.WHISTLE_STATE: whistle_state(f),
        sa.CASE_DUE_AT: running,
    }


def _same(current: Any, wanted: Any) -> bool:
    if isinstance(current, datetime) and isinstance(wanted, datetime):
        return current.timestamp() == wanted.timestamp()
    return current == wanted


def publish(f: CaseFile, start: CaseStart) -> None:
    """Upsert the search attributes that changed; refresh the UI's current details."""
    current = workflow.info().typed_search_attributes
    updates = []
    for key, wanted in attributes(f, start).items():
        if _same(current.get(key), wanted):
            continue
        updates.append(key.value_unset() if wanted is None else key.value_set(wanted))
    if updates:
        workflow.upsert_search_attributes(updates)
    workflow.set_current_details(details_markdown(f, start))


def details_markdown(f: CaseFile, start: CaseStart) -> str:
    """The Web UI's "current details": where the case is, who has it, its time, the latest
    events; in the case's language. Time left is counted at the step that wrote it (the UI
    says so): `status` and the API count it when they are read."""
    c, policy, lang = f.clock, start.policy, start.text_lang
    _ = texts("case", lang)

    def term(kind: str, value: object) -> str:
        return label(kind, value, lang)

    def at(moment: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
        return policy.local(moment).strftime(fmt)

    who = (
        _("{name}, {unit}").format(name=f.assignee.name, unit=f.assignee.unit)
        if f.assignee
        else _("unassigned")
    )
    lines = [
        _("**{status}** at **{level}** ({unit}) · risk {risk}").format(
            status=term("status", f.status),
            level=term("level", f.level),
            unit=f.units[f.level],
            risk=term("risk", f.risk),
        ),
        _("- handler: {who}").format(who=who),
    ]
    if c.due_at:
        now = c.paused_since or workflow.now()
        left = time_left((c.due_at - now).total_seconds(), lang, paused=bool(c.paused_since))
        lines.append(
            _("- due: {due} (UTC+{offset}), budget {budget}; {left} as of {now}").format(
                due=at(c.due_at),
                offset=policy.utc_offset_hours,
                budget=length(c.budget, lang) if c.budget else "—",
                left=left,
                now=at(workflow.now(), "%m-%d %H:%M"),
            )
        )
    if c.moved_by:
        lines.append(_("- deadline moved: {moves}").format(moves="; ".join(c.moved_by)))
    if c.paused_since:
        lines.append(
            _("- paused since {since}: {reason}").format(
                since=at(c.paused_since, "%m-%d %H:%M"),
                reason=term("pause_reason", c.pause_reason or "other"),
            )
        )
    if c.warnings:
        warnings = _(", ").join(term("risk", w) for w in c.warnings)
        lines.append(_("- warnings: {warnings}").format(warnings=warnings))
    if f.transfer:
        lines.append(_("- transfer to {unit} awaiting its answer").format(unit=f.transfer.to_unit))
    if f.lead:
        lines.append(_("- lead (包案): {name}, {unit}").format(name=f.lead.name, unit=f.lead.unit))
    if c.overdue_since:
        overdue = time_left((c.overdue_since - workflow.now()).total_seconds(), lang)
        lines.append(
            _("- overdue since {since} (督办): {overdue}").format(
                since=at(c.overdue_since), overdue=overdue
            )
        )
    if f.mediation:
        m = f.mediation
        until = (
            _("until {due}").format(due=at(m.due_at, "%m-%d %H:%M"))
            if m.due_at
            else _("no clock yet")
        )
        lines.append(
            _("- mediation: {track} {until}").format(track=term("track", m.track), until=until)
        )
    for w in f.whistles:
        duties = _(", ").join(
            f"{term('department', code)} {term('duty_state', state)}"
            for code, state in w.duties.items()
        )
        answered = _(", answered") if w.answered else ""
        lines.append(
            _("- whistle {seq} ({kind}{answered}): {duties}").format(
                seq=w.seq, kind=term("whistle", w.kind), answered=answered, duties=duties
            )
        )
    if f.confirmation:
        outcome = term("confirmation", f.confirmation.outcome) if f.confirmation.outcome else ""
        lines.append(_("- judicial confirmation: {outcome}").format(outcome=outcome or _("open")))
    for v in f.follow_up.visits:
        result = (
            term("visit_result", v.result)
            if v.result
            else _("due {due}").format(due=at(v.due_at, "%m-%d"))
        )
        lines.append(
            _("- visit {visit}: {result}").format(visit=term("visit", v.visit), result=result)
        )
    lines += ["", _("**History** (latest last)")]
    for e in f.recent[-10:]:
        lines.append(f"{e.seq}. {at(e.at, '%m-%d %H:%M')} · {term('level', e.level)} · {e.summary}")
    return "\n".join(lines)


def _localized(start: CaseStart, model):
    """A copy of `model` with its datetimes in the policy's local time."""
    if model is None:
        return None
    local = start.policy.local
    return model.model_copy(update={k: local(v) for k, v in model if isinstance(v, datetime)})


def view(f: CaseFile, start: CaseStart) -> CaseView:
    """The case as it stands, times in the policy's local time (Beijing time by default).

    `remaining_seconds` is as of the last workflow task (a query cannot see the time it is
    read at): readers that need "time left now" subtract from `due_at` themselves."""
    c, intake, local = f.clock, start.intake, start.policy.local
    remaining = None
    if c.due_at is not None:
        remaining = (c.due_at - (c.paused_since or workflow.now())).total_seconds()
    return CaseView(
        case_id=f.case_id,
        workflow_id=workflow.info().workflow_id,
        title=intake.title,
        dispute_type=intake.dispute_type.value,
        complexity=intake.complexity.value,
        risk=f.risk,
        location=f.location(),
        status=f.status,
        level=f.level,
        assignee=f.assignee,
        lead=f.lead,
        due_at=local(c.due_at) if c.due_at else None,
        overdue_since=local(c.overdue_since) if c.overdue_since else None,
        remaining_seconds=remaining,
        budget=c.budget,
        deadline_moved_by=c.moved_by,
        extended_seconds=c.extended.total_seconds(),
        paused_since=local(c.paused_since) if c.paused_since else None,
        pause_reason=c.pause_reason,
        paused_total_seconds=c.paused_total.total_seconds(),
        warnings_raised=c.warnings,
        transfer=_localized(start, f.transfer),
        visits=[_localized(start, v) for v in f.follow_up.visits],
        whistles=[_localized(start, w) for w in f.whistles],
        # Labour arbitration on the engine shows as the case's `procedure`, like a matter's.
        mediation=_localized(start, f.mediation.model_copy(update={"procedure": None}))
        if f.mediation
        else None,
        procedure=engine.view(run) if (run := f.mediation and f.mediation.procedure) else None,
        confirmation=_localized(start, f.confirmation),
        opened_at=local(f.opened_at),
        closed_at=local(f.closed_at) if f.closed_at else None,
        policy=start.policy.name,
        runs=f.runs,
        events=[e.model_copy(update={"at": local(e.at)}) for e in f.recent],
    )
