"""Labour arbitration on the procedure engine: the case's track holds a run of its
`labour_arbitration` table (procedures/labour_arbitration.toml, fixed when the case started).

A part of the case's `Tracks`. The committee's 5 days to accept (Art. 29), the award's 45 days
and its one extension of 15 (Art. 43), the 15 days to sue after the award — the worker's alone
when the award is at most 12 months' local minimum wage (Arts. 47, 48), either party's
otherwise (Art. 50) — and what their expiry does (flag the committee's lateness, open the
worker's right to sue, make the award final) are the table's, run by `domain.procedure`; this
part says what happened in the case's words. The track's `Mediation` keeps mirroring the
windows (`due_at`, `sue_by`) so the case's wake-ups and its view read them as before.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import procedure as engine
    from domain.actions import ArbitrationInput
    from domain.case_models import Mediation
    from domain.procedure_models import arbitration_act, counting_for
    from domain.procedure_table import ProcedureTable
    from workflows.case.context import CaseContext

#: The table's windows the case's track watches, and the ones its award opens.
_COMMITTEE = ("accept", "award")
_TO_SUE = ("worker_sue", "sue")


class ArbitrationRun:
    """The engine's run of labour arbitration for one case (held in `Mediation.procedure`)."""

    def __init__(self, ctx: CaseContext, table: ProcedureTable) -> None:
        self.ctx, self.table = ctx, table
        self.counting = counting_for(ctx.policy)

    def _due(self, run: engine.Run, names: tuple[str, ...]) -> datetime | None:
        windows = [w for w in run.open_windows() if w.name in names and not w.expired]
        return min((w.due_at for w in windows if w.due_at is not None), default=None)

    def apply(self, m: Mediation, a: ArbitrationInput) -> bool:
        """A party's application starts the run; the committee's acceptance or extension is
        the table's action. False when the engine refuses it now (an extension asked after
        the award's window ended): recorded, nothing moves."""
        now = workflow.now()
        if a.step == "applied":
            m.procedure = engine.start(self.table, now, self.counting, "applied")
            m.applied_at = now
        else:
            assert m.procedure is not None
            try:
                act = arbitration_act(a.step, a.wage_months, now)
                outcome = engine.act(self.table, m.procedure, act, self.counting, self.ctx.lang)
            except engine.Refusal as why:
                self._refused(a, str(why))
                return False
            m.procedure = outcome.run
            self._effects(m, outcome.effects)
            if a.step == "accepted":
                m.accepted_at = now
        m.due_at = self._due(m.procedure, _COMMITTEE)
        m.flagged_overdue = False
        return True

    def award(self, m: Mediation, a: ArbitrationInput) -> None:
        """The award: the table's branch on the months of wage decides who may sue, and the
        window to sue opens from the award's receipt."""
        assert m.procedure is not None
        act = arbitration_act("award", a.wage_months, workflow.now())
        outcome = engine.act(self.table, m.procedure, act, self.counting, self.ctx.lang)
        m.procedure = outcome.run
        self._effects(m, outcome.effects)
        m.sue_by = self._due(m.procedure, _TO_SUE)
        m.due_at = None

    @staticmethod
    def where(m: Mediation) -> dict[str, object]:
        """The table, its state and whether it is final, as the figures read a procedure's
        events (docs/metrics.md); nothing for a track on the old clocks."""
        return {} if m.procedure is None else m.procedure.marks()

    def final_for_employer(self, m: Mediation) -> bool:
        return m.procedure is not None and m.procedure.state == "award_final_for_employer"

    def expire(self, m: Mediation, now: datetime) -> None:
        """What the windows passed by `now` do, as the table says."""
        assert m.procedure is not None
        outcome = engine.expire(self.table, m.procedure, now, self.counting)
        m.procedure = outcome.run
        self._effects(m, outcome.effects)
        if m.procedure.state == "award_effective":
            m.award_final = True

    def _effects(self, m: Mediation, effects: list[engine.Effect]) -> None:
        """The committee late (flagged, the county told), the worker's right to sue opened
        (the parties told), the award final (the case's own event, in `Tracks.on_clock`)."""
        ctx = self.ctx
        for e in effects:
            if e.kind == "flag":
                m.flagged_overdue = True
                accepted = e.window == "award"
                ctx.recorder.record(
                    "arbitration_overdue",
                    (
                        ctx._("the arbitration committee's award is overdue")
                        if accepted
                        else ctx._("the arbitration committee's acceptance is overdue")
                    ),
                    data={"step": "award" if accepted else "acceptance",
                          "due_at": e.at.isoformat(), "law": e.law, **self.where(m)},
                    notify=[ctx.directory.county()],
                )  # fmt: skip
            elif e.kind == "route":
                ctx.recorder.record(
                    "arbitration_route",
                    ctx._(
                        "the arbitration committee let its time pass: the worker may sue in "
                        "the people's court ({law})"
                    ).format(law=e.law),
                    data={"route": e.what, "window": e.window, "law": e.law, **self.where(m)},
                    notify=ctx.directory.parties(),
                )

    def _refused(self, a: ArbitrationInput, why: str) -> None:
        ctx = self.ctx
        ctx.recorder.record(
            "arbitration_refused",
            ctx._("labour arbitration: {step} by {who} not recorded: {why}").format(
                step=ctx.term("arbitration_step", a.step), who=ctx.who(a.actor), why=why
            ),
            actor=a.actor,
            data={"step": a.step, "reason": why},
        )
