"""The record of the step under way, and the one ledger write that ends it.

A part of CaseWorkflow's context. A step records its events here as it goes (no Temporal
call), each with who it tells; the ledger's write picks the people a step assigns (a handler,
a lead, a visitor) and names them in the events. `flush()` then writes the events, their
notifications and the case's new state in one activity, and publishes what changed to the Web
UI. Deterministic: only workflow APIs and pure code.
"""

from __future__ import annotations

from typing import Any, Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.ledger import LedgerActivities
    from domain.actions import Actor
    from domain.case_models import RECENT_EVENTS, Assignee, CaseEvent, CaseFile, CaseStart, CaseView
    from domain.ladder import Level
    from domain.urgency import deadline, visit_due_at
    from ledger.rows import (
        AssigneeText,
        Assignment,
        CaseRegistration,
        CaseSnapshot,
        Notification,
        Recipient,
        StepWrite,
    )
    from texts import texts
    from workflows.activity_options import ACTIVITY_TIMEOUT, DB_RETRY
    from workflows.case import publish


class Recorder:
    """The step's events, who they tell and whom the write assigns; then the write."""

    def __init__(self, start: CaseStart, file: CaseFile) -> None:
        self.start, self.file = start, file
        self._ = texts("case", start.text_lang)
        self._events: list[CaseEvent] = []
        self._notes: list[Notification] = []
        self._registration: CaseRegistration | None = None
        self._assignments: list[Assignment] = []
        #: The case as of its last written step: what queries answer, never half a step.
        self.shown: CaseView | None = None

    def register(self, registration: CaseRegistration) -> None:
        """The ledger's row for the case: written with the opening step's events."""
        self._registration = registration

    def record(
        self,
        kind: str,
        summary: str,
        *,
        actor: Actor | None = None,
        data: dict[str, Any] | None = None,
        notify: list[Recipient] | None = None,
    ) -> CaseEvent:
        """Add an event to this step, telling `notify`; `flush()` writes it with the rest."""
        f = self.file
        f.last_seq += 1
        event = CaseEvent(
            seq=f.last_seq,
            at=workflow.now(),
            kind=kind,
            level=f.level,
            summary=summary,
            actor=actor,
            data=data or {},
        )
        self._events.append(event)
        if notify:
            self._notes.append(
                Notification(case_id=f.case_id, seq=event.seq, recipients=notify, message=summary)
            )
        # The kind, not the summary: a summary may name a party (no personal data in logs).
        workflow.logger.info(
            f"event {kind}", extra={"kind": kind, "case_level": f.level.value, "seq": event.seq}
        )
        return event

    def assign(
        self,
        level: Level,
        events: list[CaseEvent],
        *,
        text: AssigneeText | None = None,
        fallback: Recipient | None = None,
        holds: Literal["handler", "lead", "visit"] = "handler",
        role: str | None = None,
    ) -> None:
        """Have the step's ledger write pick the roster's person for `level` (a handler, or
        the one of `role`) and name them in `events` (the first one's text and notification:
        see `Assignment`). The case holds its handler or lead once the step is written."""
        self._assignments.append(
            Assignment(
                level=level,
                location=self.file.location(),
                seqs=[e.seq for e in events],
                text=text,
                fallback=fallback,
                holds=holds,
                role=role,
            )
        )

    async def flush(self) -> None:
        """End the step: its events, notifications and the case's state to the ledger in one
        activity; the search attributes that changed and the UI's details to Temporal."""
        if not self._events:
            return
        f = self.file
        step = StepWrite(
            case_id=f.case_id,
            registration=self._registration,
            events=self._events,
            notifications=self._notes,
            assignments=self._assignments,
            snapshot=CaseSnapshot(
                case_id=f.case_id,
                status=f.status,
                level=f.level,
                assignee=f.assignee,
                due_at=f.clock.due_at,
                closed_at=f.closed_at,
                last_seq=f.last_seq,
                risk=f.risk,
                location=f.location(),
                **urgency_of(f),
            ),
        )
        self._events, self._notes, self._registration, self._assignments = [], [], None, []
        kinds = ", ".join(dict.fromkeys(e.kind for e in step.events))
        ack = await workflow.execute_activity_method(
            LedgerActivities.write_step,
            step,
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=DB_RETRY,
            summary=self._("ledger: {kinds}").format(kinds=kinds),
        )
        events = step.events
        for assignment, who in zip(step.assignments, ack.assigned, strict=True):
            events = self._took(assignment, who, events)
        # The query and the UI show what the ledger holds: the step's events once written.
        f.recent = [*f.recent, *events][-RECENT_EVENTS:]
        publish.publish(self.file, self.start)
        self.shown = publish.view(self.file, self.start)

    def _took(self, a: Assignment, who: Assignee | None, events: list[CaseEvent]):
        """The handler the ledger picked, into the case and the step's events (as written)."""
        if a.holds == "handler":
            self.file.assignee = who
        elif a.holds == "lead":
            self.file.lead = who
        return a.named(events, who)


def urgency_of(f: CaseFile) -> dict[str, Any]:
    """The case's earliest running deadline and its next visit, for the ledger's snapshot."""
    due = deadline(f)
    return {
        "deadline": due.at if due else None,
        "deadline_clock": due.clock.value if due else None,
        "visit_due_at": visit_due_at(f),
    }
