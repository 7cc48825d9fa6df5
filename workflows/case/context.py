"""The case context every part of CaseWorkflow shares: the file, the start, the case's words,
its `recorder` (the step's events, who they tell, the step's write) and its `directory` (who
holds which role).

Wording lives here: a part says what happened in the case's language (`ctx._`, `term`,
`when`, ...), records it through `ctx.recorder` and finds whom to tell in `ctx.directory`.
Deterministic: only workflow APIs and pure code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import PARTY_ROLES, Actor
    from domain.case_models import CaseFile, CaseStart
    from domain.lifecycle import FINISHED, Move, move
    from texts import texts
    from texts.terms import label, length
    from workflows.case.directory import Directory
    from workflows.case.recorder import Recorder


class CaseContext:
    """The case as every part sees it: its file and start, its words, its record and its
    people."""

    def __init__(self, start: CaseStart, file: CaseFile) -> None:
        self.start, self.file = start, file
        self.policy, self.intake = start.policy, start.intake
        #: The case's texts in its own language (fixed at the start): `ctx._("...")`.
        self.lang = start.text_lang
        self._ = texts("case", self.lang)
        self.recorder = Recorder(start, file)
        self.directory = Directory(start, file)

    # -- the case's words ----------------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        return self.policy.local(moment)

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

    # -- ending ----------------------------------------------------------------------------

    def finish(self, how: Move, kind: str, summary: str, **record: Any) -> None:
        """Withdrawn or referred (the lifecycle's `how`): the event that says why, then
        `closed` with the outcome."""
        f = self.file
        outcome = move(f, how, workflow.now())
        assert outcome in FINISHED, outcome
        f.clock.due_at, f.transfer, f.clock.paused_since = None, None, None
        self.recorder.record(kind, summary, **record)
        closed = self._("case closed: {outcome}").format(outcome=self.term("status", outcome))
        self.recorder.record("closed", closed, data={"outcome": outcome.value})
