"""Judicial confirmation (司法确认) of a mediation agreement.

A part of CaseWorkflow. A resolution that carries an agreement opens the window for the
parties to apply to the court (30 days, a reminder before it closes); then the court
accepts (3 days) and decides (15 days, +10 with approval). Confirmed, rejected and lapsed
outcomes are all recorded; the case closes when this and its return visits are done.

A case started with the `judicial_confirmation` table (CaseStart.confirmation, every case
started since) runs these windows on the procedure engine (`ConfirmationRun`): their lengths,
the decision's one extension and what each expiry does (the application lapses, the court's
lateness is flagged) are the table's. The state's `apply_by`, `accept_by`, `decide_by` mirror
the run's windows, so the wake-ups and the view read them as before. A case started without
the table (every saved history, every case running before) keeps the policy's clocks: the
path follows from the start alone, so no patch is asked on the common path.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import ConfirmationInput, OutcomeInput
    from domain.case_models import Confirmation as ConfirmationState
    from domain.confirmation import confirmation_deadlines
    from workflows.case.alarm import Wake
    from workflows.case.confirmation_run import ConfirmationRun
    from workflows.case.context import CaseContext
    from workflows.case.intents import Acted


class Confirmation:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx
        table = ctx.start.confirmation
        #: Judicial confirmation on the procedure engine, for a case started with its table.
        self.engine = None if table is None else ConfirmationRun(ctx, table)

    def _kw(self) -> dict:
        p = self.ctx.policy
        return {"calendar": p.calendar, "utc_offset_hours": p.utc_offset_hours}

    def pending(self) -> bool:
        c = self.ctx.file.confirmation
        return c is not None and c.outcome is None

    def open(self, action: OutcomeInput) -> None:
        """A resolution with an agreement opens the window to apply (Art. 33)."""
        if not action.agreement:
            return
        ctx, now = self.ctx, workflow.now()
        if self.engine is not None:
            c = ctx.file.confirmation = self.engine.open(now)
        else:
            d = confirmation_deadlines(now, ctx.policy.confirmation, **self._kw())
            c = ctx.file.confirmation = ConfirmationState(
                agreement_at=now, apply_by=d.apply_by, remind_at=d.remind_at
            )
        ctx.recorder.record(
            "confirmation_window",
            ctx._(
                "the parties may apply to the court for judicial confirmation of the agreement "
                "until {due} (Art. 33)"
            ).format(due=ctx.when(c.apply_by)),
            data={"apply_by": c.apply_by.isoformat(), "remind_at": c.remind_at.isoformat(),
                  **self._where(c)},
        )  # fmt: skip

    def _where(self, c: ConfirmationState) -> dict:
        """On the engine: the table, its state and whether it is final, as the figures read
        a procedure's events (docs/metrics.md); nothing for a case on the old clocks."""
        return {} if c.procedure is None else c.procedure.marks()

    def wakeups(self) -> list[Wake]:
        c = self.ctx.file.confirmation
        if c is None or c.outcome is not None:
            return []
        _ = self.ctx._
        label = _("judicial confirmation window")
        if c.applied_at is None:
            return [Wake(c.apply_by, label)] + ([] if c.reminded else [Wake(c.remind_at, label)])
        due = c.decide_by if c.accepted_at else c.accept_by
        step = "decision" if c.accepted_at else "acceptance"
        court = _("court decision") if c.accepted_at else _("court acceptance")
        return [Wake(due, court)] if due is not None and step not in c.flagged else []

    def on_clock(self, now: datetime) -> Acted | None:
        ctx, c = self.ctx, self.ctx.file.confirmation
        if c is None or c.outcome is not None:
            return None
        if c.procedure is not None and c.applied_at is None and now >= c.apply_by:
            assert self.engine is not None
            self.engine.expire(c, now)  # the table moves it to `lapsed`
        if c.applied_at is None and now >= c.apply_by:
            c.outcome = "lapsed"
            ctx.recorder.record(
                "confirmation_lapsed",
                ctx._(
                    "no application for judicial confirmation within the window: the agreement "
                    "stands unconfirmed"
                ),
                data=self._where(c),
            )
            return Acted()
        if c.applied_at is None and not c.reminded and now >= c.remind_at:
            c.reminded = True
            ctx.recorder.record(
                "confirmation_reminder",
                ctx._(
                    "reminder: the window to apply for judicial confirmation closes {due}"
                ).format(due=ctx.when(c.apply_by)),
                notify=ctx.directory.parties(),
            )
            return Acted()
        step = "decision" if c.accepted_at else "acceptance"
        due = c.decide_by if c.accepted_at else c.accept_by
        if c.applied_at is not None and due is not None and now >= due and step not in c.flagged:
            if c.procedure is not None:  # the table flags the court's lateness
                assert self.engine is not None
                self.engine.expire(c, now)
            c.flagged.append(step)
            ctx.recorder.record(
                f"court_{step}_overdue",
                (
                    ctx._("the court's decision is overdue")
                    if step == "decision"
                    else ctx._("the court's acceptance is overdue")
                ),
                data={"due_at": due.isoformat(), **self._where(c)},
                notify=[ctx.directory.county()],
            )
            return Acted()
        return None

    def step(self, action: ConfirmationInput) -> None:
        ctx, c, now = self.ctx, self.ctx.file.confirmation, workflow.now()
        assert c is not None
        rules, kw = ctx.policy.confirmation, self._kw()
        if c.procedure is not None:
            assert self.engine is not None
            if not self.engine.step(c, action):
                return
        elif action.step == "applied":
            c.applied_at = now
            c.accept_by = confirmation_deadlines(
                c.agreement_at, rules, applied_at=now, **kw
            ).accept_by
        elif action.step in ("accepted", "extended"):
            if action.step == "accepted":
                c.accepted_at = now
            d = confirmation_deadlines(
                c.agreement_at, rules, applied_at=c.applied_at, accepted_at=c.accepted_at, **kw
            )
            c.decide_by = d.decide_by if action.step == "accepted" else d.decide_by_extended
            c.flagged = [s for s in c.flagged if s != "decision"]
        else:
            c.outcome = action.step  # confirmed or rejected
        due = {"applied": c.accept_by, "accepted": c.decide_by, "extended": c.decide_by}.get(
            action.step
        )
        _ = ctx._
        by = _("; next step due {due}").format(due=ctx.when(due)) if due else ""
        steps = {
            "applied": _("judicial confirmation: applied ({who})"),
            "accepted": _("judicial confirmation: accepted ({who})"),
            "extended": _("judicial confirmation: extended ({who})"),
            "confirmed": _("judicial confirmation: confirmed ({who})"),
            "rejected": _("judicial confirmation: rejected ({who})"),
        }
        ctx.recorder.record(
            f"confirmation_{action.step}",
            steps[action.step].format(who=ctx.who(action.actor)) + by,
            actor=action.actor,
            data={
                "step": action.step,
                "note": action.note,
                "due_at": due.isoformat() if due else None,
                **self._where(c),
            },
        )
