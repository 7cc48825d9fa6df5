"""What Temporal shows of a case: its search attributes, the UI's current details and the
`view` query. Search attributes are upserted only when one changes (each upsert is a billed
action and a workflow task); none of them holds a party's name, phone or id number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.case_models import CaseFile, CaseStart, CaseStatus, CaseView
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
    c, policy = f.clock, start.policy
    due = policy.local(c.due_at).strftime("%Y-%m-%d %H:%M") if c.due_at else "—"
    who = f"{f.assignee.name}, {f.assignee.unit}" if f.assignee else "unassigned"
    lines = [
        f"**{f.status.value.upper()}** at **{f.level.value}** · risk {f.risk.value}",
        f"- handler: {who}",
        f"- due: {due} (UTC+{policy.utc_offset_hours}), budget {c.budget or '—'}",
    ]
    if c.moved_by:
        lines.append(f"- deadline moved: {'; '.join(c.moved_by)}")
    if c.paused_since:
        lines.append(f"- paused since {policy.local(c.paused_since):%m-%d %H:%M}: {c.pause_reason}")
    if c.warnings:
        lines.append(f"- warnings: {', '.join(c.warnings)}")
    if f.transfer:
        lines.append(f"- transfer to {f.transfer.to_unit} awaiting its answer")
    if f.mediation:
        lines.append(
            f"- mediation: {f.mediation.track} until {policy.local(f.mediation.due_at):%m-%d %H:%M}"
        )
    for w in f.whistles:
        duties = ", ".join(f"{code} {state}" for code, state in w.duties.items())
        lines.append(f"- whistle {w.seq} ({w.kind}{', answered' if w.answered else ''}): {duties}")
    if f.confirmation:
        lines.append(f"- judicial confirmation: {f.confirmation.outcome or 'open'}")
    for v in f.follow_up.visits:
        lines.append(f"- visit {v.visit}: {v.result or 'due ' + f'{policy.local(v.due_at):%m-%d}'}")
    lines += ["", "**History** (latest last)"]
    for e in f.recent[-10:]:
        lines.append(f"{e.seq}. {policy.local(e.at):%m-%d %H:%M} · {e.level.value} · {e.summary}")
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
        due_at=local(c.due_at) if c.due_at else None,
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
        mediation=_localized(start, f.mediation),
        confirmation=_localized(start, f.confirmation),
        opened_at=local(f.opened_at),
        closed_at=local(f.closed_at) if f.closed_at else None,
        policy=start.policy.name,
        runs=f.runs,
        events=[e.model_copy(update={"at": local(e.at)}) for e in f.recent],
    )
