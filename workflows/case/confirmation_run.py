"""Judicial confirmation on the procedure engine: the case's confirmation holds a run of its
`judicial_confirmation` table (procedures/judicial_confirmation.toml, fixed when the case
started).

A part of the case's `Confirmation`. The parties' 30 days to apply (人民调解法 Art. 33), the
court's 3 days to accept and 15 to decide with one extension of 10 (法释〔2011〕5号 Arts. 4, 6),
and what their expiry does (the application lapses, the court's lateness is flagged) are the
table's, run by `domain.procedure`; this part keeps the case's `Confirmation` fields
(`apply_by`, `accept_by`, `decide_by`) mirroring the run's windows, so the case's wake-ups and
its view read them as before. The reminder before the window closes is the county's own
(`[confirmation] remind_before` in the policy), not the law's.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import procedure as engine
    from domain.actions import ConfirmationInput
    from domain.case_models import Confirmation
    from domain.durations import parse_duration
    from domain.procedure_models import confirmation_act, counting_for
    from domain.procedure_table import ProcedureTable
    from workflows.case.context import CaseContext


class ConfirmationRun:
    """The engine's run of judicial confirmation for one case (held in
    `Confirmation.procedure`)."""

    def __init__(self, ctx: CaseContext, table: ProcedureTable) -> None:
        self.ctx, self.table = ctx, table
        self.counting = counting_for(ctx.policy)

    def _due(self, run: engine.Run, name: str) -> datetime | None:
        window = run.window(name)
        return None if window is None else window.due_at

    def open(self, now: datetime) -> Confirmation:
        """The agreement opens the window to apply; the reminder comes `remind_before` ahead
        of its end (scaled as the demo's days are, so it never falls before the agreement)."""
        run = engine.start(self.table, now, self.counting, "agreement")
        apply_by = self._due(run, "apply")
        assert apply_by is not None
        before = parse_duration(self.ctx.policy.confirmation.remind_before)
        if self.counting.day is not None:
            before = before * (self.counting.day / timedelta(days=1))
        remind_at = max(now, apply_by - before)
        return Confirmation(agreement_at=now, apply_by=apply_by, remind_at=remind_at, procedure=run)

    def step(self, c: Confirmation, a: ConfirmationInput) -> bool:
        """The parties' application, the court's acceptance, extension or decision as the
        table's action. False when the engine refuses it now (an extension asked after the
        decision's window ended): recorded, nothing moves."""
        assert c.procedure is not None
        now = workflow.now()
        try:
            outcome = engine.act(
                self.table, c.procedure, confirmation_act(a.step, now), self.counting,
                self.ctx.lang,
            )  # fmt: skip
        except engine.Refusal as why:
            self._refused(a, str(why))
            return False
        c.procedure = outcome.run
        if a.step == "applied":
            c.applied_at = now
            c.accept_by = self._due(c.procedure, "court_accept")
        elif a.step in ("accepted", "extended"):
            if a.step == "accepted":
                c.accepted_at = now
            c.decide_by = self._due(c.procedure, "court_decide")
            c.flagged = [s for s in c.flagged if s != "decision"]
        else:
            c.outcome = a.step  # confirmed or rejected: the table's final states
        return True

    def expire(self, c: Confirmation, now: datetime) -> None:
        """What the windows passed by `now` do, as the table says (the caller records it)."""
        assert c.procedure is not None
        c.procedure = engine.expire(self.table, c.procedure, now, self.counting).run

    def _refused(self, a: ConfirmationInput, why: str) -> None:
        ctx = self.ctx
        ctx.recorder.record(
            "confirmation_refused",
            ctx._("judicial confirmation: {step} by {who} not recorded: {why}").format(
                step=ctx.term("confirmation_step", a.step), who=ctx.who(a.actor), why=why
            ),
            actor=a.actor,
            data={"step": a.step, "reason": why},
        )
