"""Court-referred mediation (委派 / 委托调解) on the procedure engine: a case on a judicial track
holds a run of the court table's mediation part (CaseStart.court, fixed when the case started).

A part of the case's `Tracks`. Before filing the court's invited mediator has 30 days, once
extended with the parties' consent, and when they pass the dispute goes to docketing (特邀调解
规定 Arts. 21, 27): the case's track lapses as before, citing the table's article. After filing
(委托) the 15 days (7 in simplified procedure) have no extension and their passing is flagged,
not moved: the case stays on its track and the county is told. The track's `Mediation` keeps
mirroring the window (`due_at`) so the case's wake-ups and its view read it as before. The
window runs by law: a pause of the case's own clocks does not lengthen it (one that ended
during the pause is applied when the case resumes: a paused case cannot be referred).
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import procedure as engine
    from domain.actions import TrackExtendInput
    from domain.case_models import Mediation
    from domain.court_mediation import FAILED, SETTLED, TRACK_STATES, WINDOWS, extend_act
    from domain.mediation_policy import Track
    from domain.procedure_models import counting_for
    from domain.procedure_table import ProcedureTable
    from workflows.case.context import CaseContext
    from workflows.case.versions import COURT_MEDIATION_END_CLEARS_WINDOW


def on_engine(m: Mediation | None) -> bool:
    """Whether this track is court-referred mediation run on the engine."""
    return m is not None and m.procedure is not None and m.procedure.procedure == "court"


class CourtMediationRun:
    """The engine's run of court-referred mediation for one track (in `Mediation.procedure`)."""

    def __init__(self, ctx: CaseContext, table: ProcedureTable) -> None:
        self.ctx, self.table = ctx, table
        self.counting = counting_for(ctx.policy)

    @staticmethod
    def window(run: engine.Run) -> engine.Window | None:
        name = WINDOWS.get(run.state)
        return None if name is None else run.window(name)

    def open(self, track: Track, now: datetime) -> engine.Run:
        """The track's mediation state and its window, from now."""
        return engine.start(self.table, now, self.counting, TRACK_STATES[track])

    def extend(self, m: Mediation, a: TrackExtendInput) -> str:
        """The table's one extension of the window, with the parties' consent (checked by
        the validator); returns the length it added."""
        assert m.procedure is not None
        state = m.procedure.state
        act = extend_act(state, workflow.now(), a.both_parties_consent)
        m.procedure = engine.act(self.table, m.procedure, act, self.counting).run
        window = self.window(m.procedure)
        assert window is not None and window.due_at is not None
        m.due_at = window.due_at
        extension = self.table.window(WINDOWS[state]).extension
        assert extension is not None
        return extension.by

    def end(self, m: Mediation, *, settled: bool) -> None:
        """Mediation settled (the agreement) or failed, as the table's action, and its window
        no longer watched. The window's end is applied first (a pause may have outlasted
        it): a run it moved on (to docketing) has no mediation left to settle or fail, so
        the step that ends the track never meets the engine's refusal."""
        assert m.procedure is not None
        if m.procedure.final or m.procedure.state not in FAILED:
            return
        now = workflow.now()
        m.procedure = engine.expire(self.table, m.procedure, now, self.counting).run
        if not m.procedure.final and m.procedure.state in FAILED:
            action = SETTLED if settled else FAILED[m.procedure.state]
            act = engine.Act(action=action, at=now)
            m.procedure = engine.act(self.table, m.procedure, act, self.counting).run
        # Its window is over: a case reopened after the agreement must not wake at its end.
        if workflow.patched(COURT_MEDIATION_END_CLEARS_WINDOW):
            m.due_at = None

    def expire(self, m: Mediation, now: datetime) -> tuple[bool, str]:
        """What the window's passing does: (moved on, the article). Moved: the dispute goes to
        docketing (the case's track lapses); otherwise it is flagged and the track stays."""
        assert m.procedure is not None
        window = self.window(m.procedure)
        law = window.law if window is not None else ""
        outcome = engine.expire(self.table, m.procedure, now, self.counting)
        m.procedure = outcome.run
        moved = any(e.kind == "moved" for e in outcome.effects)
        laws = [e.law for e in outcome.effects]
        return moved, laws[0] if laws else law
