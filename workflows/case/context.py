"""The case context every part of CaseWorkflow shares: the file, the start, `record()`,
who to tell, and the one ledger write that ends each step.

A step records its events here as it goes (no Temporal call); `flush()` then writes them,
their notifications and the case's new state in one activity, and publishes what changed
to the Web UI. Deterministic: only workflow APIs and pure code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.ledger import LedgerActivities
    from domain import case_checks
    from domain.actions import PARTY_ROLES, Actor
    from domain.case_models import (
        RECENT_EVENTS,
        Assignee,
        AssigneeText,
        Assignment,
        CaseEvent,
        CaseFile,
        CaseRegistration,
        CaseSnapshot,
        CaseStart,
        CaseStatus,
        CaseView,
        Notification,
        Recipient,
        StepWrite,
    )
    from domain.intake_models import Location
    from domain.ladder import Level, next_level
    from texts import texts
    from texts.terms import label, length
    from workflows.activity_options import ACTIVITY_TIMEOUT, DB_RETRY
    from workflows.case import publish


class CaseContext:
    """The case as every part sees it, and the record of the step under way."""

    def __init__(self, start: CaseStart, file: CaseFile) -> None:
        self.start, self.file = start, file
        self.policy, self.intake = start.policy, start.intake
        #: The case's texts in its own language (fixed at the start): `ctx._("...")`.
        self.lang = start.text_lang
        self._ = texts("case", self.lang)
        self._events: list[CaseEvent] = []
        self._notes: list[Notification] = []
        self._registration: CaseRegistration | None = None
        self._assignments: list[Assignment] = []
        #: The case as of its last written step: what queries answer, never half a step.
        self.shown: CaseView | None = None

    # -- who and where -------------------------------------------------------------------

    def location(self) -> Location:
        return self.file.location()

    def local(self, moment: datetime) -> datetime:
        return self.policy.local(moment)

    def supervisor_above(self, level: Level | None = None) -> Recipient:
        """The supervisor of the unit above `level` (the county's own at the top)."""
        level = level or self.file.level
        above = next_level(level) or level
        return Recipient(role="supervisor", unit=self.file.units[above])

    def county(self) -> Recipient:
        return self.supervisor_above(Level.county)

    def handler(self) -> Recipient:
        f = self.file
        return Recipient(
            role=f.assignee.role if f.assignee else "handler",
            unit=f.units[f.level],
            name=f.assignee.name if f.assignee else None,
        )

    def parties(self) -> list[Recipient]:
        return [
            Recipient(role=p.role.value, unit="party", name=p.name) for p in self.intake.parties
        ]

    def police(self) -> list[Recipient]:
        """The township's police station, when the case is in mediation (Art. 25)."""
        if self.file.mediation is None:
            return []
        return [self.police_station()]

    def term(self, kind: str, value: object) -> str:
        """A machine value's name in the case's language (网格 for `grid`)."""
        return label(kind, value, self.lang)

    def length(self, text: str) -> str:
        """A policy's length ("10wd") in the case's language (10个工作日)."""
        return length(text, self.lang)

    def when(self, moment: datetime) -> str:
        """A time as a summary shows it: local, to the minute."""
        return f"{self.local(moment):%Y-%m-%d %H:%M}"

    def who(self, actor: Actor) -> str:
        """How a summary names who acted: staff by name, a party by role only (summaries
        reach the Web UI's details and the timer summaries, which are not encrypted)."""
        if actor.role in PARTY_ROLES:
            return self._("the {role}").format(role=self.term("party_role", actor.role))
        return actor.name

    def police_station(self) -> Recipient:
        return Recipient(role="police_station", unit=self.file.units[Level.township])

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
                location=self.location(),
                seqs=[e.seq for e in events],
                text=text,
                fallback=fallback,
                holds=holds,
                role=role,
            )
        )

    # -- recording -----------------------------------------------------------------------

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
        """Add an event to this step; `flush()` writes it with the rest of the step."""
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

    def finish(self, status: CaseStatus, kind: str, summary: str, **record: Any) -> None:
        """Withdrawn or referred: the event that says why, then `closed` with the outcome."""
        f = self.file
        f.status, f.clock.due_at, f.closed_at, f.transfer = status, None, workflow.now(), None
        f.clock.paused_since = None
        self.record(kind, summary, **record)
        closed = self._("case closed: {outcome}").format(outcome=self.term("status", status))
        self.record("closed", closed, data={"outcome": status.value})

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
                location=self.location(),
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
        named = {"assignee": who.model_dump() if who else None}
        return [
            e.model_copy(
                update={
                    "data": {**e.data, **named},
                    "summary": a.text.compose(who) if a.text and e.seq == a.seqs[0] else e.summary,
                }
            )
            if e.seq in a.seqs
            else e
            for e in events
        ]

    def holder(self):
        return case_checks.holder(self.file, self.start)
