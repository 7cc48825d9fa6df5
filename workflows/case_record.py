"""Bookkeeping for CaseWorkflow: events to the ledger, notifications, search attributes, the UI.

A mixin, so that `workflows/case.py` reads as the story of the case and this module holds
the record keeping every step shares. Deterministic: only workflow APIs and pure code.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.ledger import LedgerActivities
    from activities.outbox import OutboxActivities
    from domain.actions import Actor
    from domain.case_models import (
        CaseEvent,
        CaseFile,
        CaseSnapshot,
        CaseStart,
        CaseStatus,
        CaseView,
        LedgerWrite,
        Notification,
        Recipient,
    )
    from domain.intake_models import Location
    from domain.ladder import Level, next_level
    from workflows import search_attributes as sa

# The ledger must not lose an event: retry until PostgreSQL is back, backing off to a minute.
DB_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
ACTIVITY_TIMEOUT = timedelta(seconds=30)


class CaseBookkeeping:
    _start: CaseStart
    _file: CaseFile

    # -- what the case looks like ------------------------------------------------------------

    def _location(self) -> Location:
        u = self._file.units
        return Location(
            county=u[Level.county],
            township=u[Level.township],
            village=u[Level.village],
            grid=u[Level.grid],
        )

    def _supervisor_above(self, level: Level | None = None) -> Recipient:
        """The supervisor of the unit above `level` (the county's own at the top)."""
        level = level or self._file.level
        above = next_level(level) or level
        return Recipient(role="supervisor", unit=self._file.units[above])

    def _handler(self) -> Recipient:
        f = self._file
        return Recipient(
            role=f.assignee.role if f.assignee else "handler",
            unit=f.units[f.level],
            name=f.assignee.name if f.assignee else None,
        )

    def _parties(self) -> list[Recipient]:
        return [
            Recipient(role=p.role.value, unit="party", name=p.name)
            for p in self._start.intake.parties
        ]

    def _remaining(self) -> timedelta | None:
        f = self._file
        if f.due_at is None:
            return None
        return f.due_at - (f.paused_since or workflow.now())

    def _view(self) -> CaseView:
        """The case as it stands, times in the policy's local time (Beijing time by default)."""
        f, intake, local = self._file, self._start.intake, self._start.policy.local
        remaining = self._remaining()
        return CaseView(
            case_id=f.case_id,
            workflow_id=workflow.info().workflow_id,
            title=intake.title,
            dispute_type=intake.dispute_type.value,
            complexity=intake.complexity.value,
            risk=f.risk,
            location=self._location(),
            status=f.status,
            level=f.level,
            assignee=f.assignee,
            due_at=local(f.due_at) if f.due_at else None,
            remaining_seconds=remaining.total_seconds() if remaining is not None else None,
            budget=f.budget,
            deadline_moved_by=f.deadline_moved_by,
            extended_seconds=f.extended.total_seconds(),
            paused_since=local(f.paused_since) if f.paused_since else None,
            pause_reason=f.pause_reason,
            paused_total_seconds=f.paused_total.total_seconds(),
            warnings_raised=f.warnings_raised,
            transfer=f.transfer.model_copy(
                update={
                    "requested_at": local(f.transfer.requested_at),
                    "answer_by": local(f.transfer.answer_by),
                }
            )
            if f.transfer
            else None,
            visits=[
                v.model_copy(update={"due_at": local(v.due_at), "overdue_at": local(v.overdue_at)})
                for v in f.visits
            ],
            whistles=[self._localized(w) for w in f.whistles],
            mediation=self._localized(f.mediation),
            confirmation=self._localized(f.confirmation),
            opened_at=local(f.opened_at),
            closed_at=local(f.closed_at) if f.closed_at else None,
            policy=self._start.policy.name,
            runs=f.runs,
            events=[e.model_copy(update={"at": local(e.at)}) for e in f.events],
        )

    def _localized(self, model):
        """A copy of `model` with its datetimes in the policy's local time."""
        if model is None:
            return None
        local = self._start.policy.local
        return model.model_copy(update={k: local(v) for k, v in model if isinstance(v, datetime)})

    # -- recording ---------------------------------------------------------------------------

    async def _record(
        self,
        kind: str,
        summary: str,
        *,
        actor: Actor | None = None,
        data: dict[str, Any] | None = None,
        notify: list[Recipient] | None = None,
    ) -> CaseEvent:
        """Append an event: to the history, the ledger, search attributes and the UI."""
        f = self._file
        event = CaseEvent(
            seq=len(f.events) + 1,
            at=workflow.now(),
            kind=kind,
            level=f.level,
            summary=summary,
            actor=actor,
            data=data or {},
        )
        f.events.append(event)
        workflow.logger.info(summary, extra={"kind": kind, "case_level": f.level.value})
        self._publish()
        snapshot = CaseSnapshot(
            case_id=f.case_id,
            status=f.status,
            level=f.level,
            assignee=f.assignee,
            due_at=f.due_at,
            closed_at=f.closed_at,
            last_seq=event.seq,
            risk=f.risk,
            location=self._location(),
        )
        await workflow.execute_activity_method(
            LedgerActivities.append_event,
            LedgerWrite(event=event, snapshot=snapshot),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=DB_RETRY,
            summary=f"ledger: {kind}",
        )
        if notify:
            await workflow.execute_activity_method(
                OutboxActivities.notify,
                Notification(case_id=f.case_id, seq=event.seq, recipients=notify, message=summary),
                start_to_close_timeout=ACTIVITY_TIMEOUT,
                retry_policy=DB_RETRY,
                summary=f"notify: {kind}",
            )
        return event

    def _publish(self) -> None:
        """Keep search attributes and the UI's current details in step with the case."""
        f, loc = self._file, self._location()
        workflow.upsert_search_attributes(
            [
                sa.CASE_LEVEL.value_set(f.level.value),
                sa.CASE_STATUS.value_set(f.status.value),
                sa.RISK_COLOUR.value_set(f.risk.value),
                sa.DISPUTE_TYPE.value_set(self._start.intake.dispute_type.value),
                sa.TOWNSHIP.value_set(loc.township),
                sa.VILLAGE.value_set(loc.village),
                sa.GRID.value_set(loc.grid),
                sa.CASE_WARNING.value_set(f.warnings_raised[-1] if f.warnings_raised else "none"),
                sa.MEDIATION_TRACK.value_set(f.mediation.track if f.mediation else "none"),
                sa.WHISTLE_STATE.value_set(self._whistle_state()),
                sa.CASE_DUE_AT.value_set(f.due_at)
                if f.due_at and f.status is CaseStatus.open
                else sa.CASE_DUE_AT.value_unset(),
            ]
        )
        workflow.set_current_details(self._details_markdown())

    def _whistle_state(self) -> str:
        if not self._file.whistles:
            return "none"
        return "answered" if all(w.answered for w in self._file.whistles) else "waiting"

    def _details_markdown(self) -> str:
        f, policy = self._file, self._start.policy
        due = policy.local(f.due_at).strftime("%Y-%m-%d %H:%M") if f.due_at else "—"
        who = f"{f.assignee.name}, {f.assignee.unit}" if f.assignee else "unassigned"
        lines = [
            f"**{f.status.value.upper()}** at **{f.level.value}** · risk {f.risk.value}",
            f"- handler: {who}",
            f"- due: {due} (UTC+{policy.utc_offset_hours}), budget {f.budget or '—'}",
        ]
        if f.deadline_moved_by:
            lines.append(f"- deadline moved: {'; '.join(f.deadline_moved_by)}")
        if f.paused_since:
            lines.append(
                f"- paused since {policy.local(f.paused_since):%m-%d %H:%M}: {f.pause_reason}"
            )
        if f.warnings_raised:
            lines.append(f"- warnings: {', '.join(f.warnings_raised)}")
        if f.transfer:
            lines.append(f"- transfer to {f.transfer.to_unit} awaiting its answer")
        if f.mediation:
            lines.append(
                f"- mediation: {f.mediation.track} until "
                f"{policy.local(f.mediation.due_at):%m-%d %H:%M}"
            )
        for w in f.whistles:
            duties = ", ".join(f"{code} {state}" for code, state in w.duties.items())
            lines.append(
                f"- whistle {w.seq} ({w.kind}{', answered' if w.answered else ''}): {duties}"
            )
        if f.confirmation:
            lines.append(f"- judicial confirmation: {f.confirmation.outcome or 'open'}")
        for v in f.visits:
            lines.append(
                f"- visit {v.visit}: {v.result or 'due ' + f'{policy.local(v.due_at):%m-%d}'}"
            )
        lines += ["", "**History** (latest last)"]
        for e in f.events[-10:]:
            lines.append(
                f"{e.seq}. {policy.local(e.at):%m-%d %H:%M} · {e.level.value} · {e.summary}"
            )
        return "\n".join(lines)
