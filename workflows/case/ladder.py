"""The ladder's clock: a level's handler and deadline, its warnings, pauses and extensions,
and climbing when the deadline passes or the handler fails.

A part of CaseWorkflow. Arriving at a level is the workflow's (`CaseWorkflow.arrive_at`):
the ladder assigns the handler and starts the clock, the workflow adds what else an arrival
brings (the policy's whistle at the township). A climb is returned as an `ArriveAt` intent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import Actor, ExtendInput, PauseInput, ResumeInput
    from domain.case_checks import hours
    from domain.case_models import CaseStatus, LevelClock
    from domain.durations import Budget
    from domain.ladder import LADDER, next_level
    from domain.lifecycle import Move, move
    from ledger.rows import AssigneeText
    from workflows.case.alarm import Wake
    from workflows.case.context import CaseContext
    from workflows.case.intents import Acted, ArriveAt

WARNING_COLOURS = ("yellow", "red")


class Ladder:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    # -- the clock -----------------------------------------------------------------------

    def _warn_at(self, colour: str) -> datetime | None:
        """When a warning falls due: a fraction of the level's budget, paused time excluded."""
        c = self.ctx.file.clock
        if c.due_at is None:
            return None
        active = c.due_at - c.started_at - c.paused_this_level
        fraction = getattr(self.ctx.policy.warnings, colour)
        return c.due_at - active * (1 - fraction)

    def _running(self) -> bool:
        return self.ctx.file.status is CaseStatus.open and self.ctx.file.clock.due_at is not None

    def wakeups(self) -> list[Wake]:
        f = self.ctx.file
        if not self._running():
            return []
        assert f.clock.due_at is not None
        _, term = self.ctx._, self.ctx.term
        level = term("level", f.level)
        wakes = [Wake(f.clock.due_at, _("{level} deadline").format(level=level))]
        for colour in WARNING_COLOURS:
            at = self._warn_at(colour)
            if colour not in f.clock.warnings and at is not None:
                wakes.append(Wake(at, _("{colour} warning").format(colour=term("risk", colour))))
        return wakes

    def on_clock(self, now: datetime) -> Acted | None:
        """Act on whatever of the clock has come due; None when nothing had."""
        c = self.ctx.file.clock
        if not self._running():
            return None
        assert c.due_at is not None
        if now >= c.due_at:
            return Acted(self._deadline_passed())
        for colour in WARNING_COLOURS:
            at = self._warn_at(colour)
            if colour not in c.warnings and at is not None and now >= at:
                self._warn(colour)
                return Acted()
        return None

    # -- arriving and climbing -----------------------------------------------------------

    def arrive(self, to: ArriveAt) -> None:
        """The case reaches `to.level` (or starts over at it): a handler, a fresh clock."""
        ctx, f, now = self.ctx, self.ctx.file, workflow.now()
        level, why, trigger, actor = to.level, to.why, to.trigger, to.actor
        climbed = LADDER.index(level) > LADDER.index(f.level)
        paused_total = f.clock.paused_total
        if f.clock.paused_since is not None:  # moving on ends a pause
            paused_total += now - f.clock.paused_since
        if f.transfer is not None:
            why += ctx._("; the transfer to {unit} lapsed").format(unit=f.transfer.to_unit)
            f.transfer = None
        f.level, f.assignee = level, None
        move(f, Move.arrive, now)
        budget = ctx.policy.budget(ctx.intake.complexity, level, f.risk)
        deadline = ctx.policy.after(now, budget, ctx.lang)
        moved = deadline.moved_by + [
            ctx._("no official calendar loaded for {year}: weekends only").format(year=y)
            for y in deadline.unknown_years
        ]
        f.clock = LevelClock(
            started_at=now,
            due_at=deadline.due,
            budget=budget.text,
            moved_by=moved,
            paused_total=paused_total,
        )
        _ = ctx._
        note = f" — {'; '.join(moved)}" if moved else ""
        where = {"level": ctx.term("level", level), "why": why}
        # The ledger's write picks the handler and names them here (the roster is there).
        text = AssigneeText(
            before=(
                _("escalated to the {level} level ({why}); assigned to ")
                if climbed
                else _("at the {level} level ({why}); assigned to ")
            ).format(**where),
            found=_("{name} ({unit})"),
            missing=_("nobody: no handler on the roster for this unit"),
            after=_("; budget {budget}, due {due}").format(
                budget=ctx.length(budget.text), due=ctx.when(deadline.due)
            )
            + note,
        )
        event = ctx.recorder.record(
            "escalated" if climbed else "assigned",
            text.compose(None),
            actor=actor,
            data={
                "why": why,
                "trigger": trigger,
                "assignee": None,
                "due_at": deadline.due.isoformat(),
                "deadline": {"budget": budget.text, "moved_by": moved},
            },
        )
        # The handler is told; when the unit has nobody, the supervisor above is.
        ctx.recorder.assign(level, [event], text=text, fallback=ctx.directory.supervisor_above())

    def climb_or_supervise(self, *, why: str, trigger: str) -> ArriveAt | None:
        """The level above, as an intent; at the top, the county's supervision (None)."""
        upper = next_level(self.ctx.file.level)
        if upper is not None:
            return ArriveAt(upper, why=why, trigger=trigger)
        # The top of the ladder: the county supervises (督办) until someone resolves it.
        f = self.ctx.file
        now = workflow.now()
        f.clock.overdue_since = f.clock.due_at or now
        move(f, Move.supervise, now)
        f.clock.due_at = None
        self.ctx.recorder.record(
            "supervised",
            self.ctx._(
                "under county supervision (督办) after the county level {why}; "
                "the case stays open until it is resolved"
            ).format(why=why),
            notify=[self.ctx.directory.supervisor_above()],
        )
        return None

    def _deadline_passed(self) -> ArriveAt | None:
        ctx, f = self.ctx, self.ctx.file
        assert f.clock.due_at is not None
        ctx.recorder.record(
            "deadline_passed",
            ctx._("the {level} level's deadline passed without an outcome").format(
                level=ctx.term("level", f.level)
            ),
            data={"due_at": f.clock.due_at.isoformat()},
            notify=[ctx.directory.handler(), ctx.directory.supervisor_above()],
        )
        return self.climb_or_supervise(why=ctx._("deadline passed"), trigger="deadline")

    def _warn(self, colour: str) -> None:
        ctx, f = self.ctx, self.ctx.file
        assert f.clock.due_at is not None
        f.clock.warnings.append(colour)
        fraction = getattr(ctx.policy.warnings, colour)
        to = [ctx.directory.handler()] + (
            [ctx.directory.supervisor_above()] if colour == "red" else []
        )
        ctx.recorder.record(
            "warning",
            ctx._("{colour} warning: {used} of the {level} level's time is used; due {due}").format(
                colour=ctx.term("risk", colour),
                used=f"{fraction:.0%}",
                level=ctx.term("level", f.level),
                due=ctx.when(f.clock.due_at),
            ),
            data={
                "colour": colour,
                "fraction": fraction,
                "due_at": f.clock.due_at.isoformat(),
                "notified": [r.role for r in to],
            },
            notify=to,
        )

    def failed(self, actor: Actor, reason: str) -> ArriveAt | None:
        _ = self.ctx._
        level = self.ctx.term("level", self.ctx.file.level)
        self.ctx.recorder.record(
            "failed",
            _("{name} could not resolve it at the {level} level: {reason}").format(
                name=actor.name, level=level, reason=reason
            ),
            actor=actor,
            data={"reason": reason},
        )
        return self.climb_or_supervise(
            why=_("failed: {reason}").format(reason=reason), trigger="failed"
        )

    # -- stopping and stretching the clock -----------------------------------------------

    def pause(self, action: PauseInput) -> None:
        f, now = self.ctx.file, workflow.now()
        move(f, Move.pause, now)
        f.clock.paused_since, f.clock.pause_reason = now, action.reason
        note = f" ({action.note})" if action.note else ""
        self.ctx.recorder.record(
            "paused",
            self.ctx._("clock stopped by {name}: {reason}").format(
                name=action.actor.name, reason=self.ctx.term("pause_reason", action.reason)
            )
            + note,
            actor=action.actor,
            data={"reason": action.reason, "note": action.note},
        )

    def end_pause(self) -> timedelta:
        """Restart the clock after a pause: the deadline moves by the time the pause lost
        (on a working-day budget, the working time; docs/clocks.md)."""
        ctx, f, now = self.ctx, self.ctx.file, workflow.now()
        c = f.clock
        assert c.paused_since is not None
        paused = now - c.paused_since
        if c.due_at is not None:
            budget = ctx.policy.budget(ctx.intake.complexity, f.level, f.risk)
            moved = ctx.policy.resume_due(c.due_at, c.paused_since, now, budget)
            # What the deadline moved by is what the level's budget did not spend: the
            # warnings and the extension cap reckon with it.
            c.paused_this_level += moved - c.due_at
            c.due_at = moved
        c.paused_total += paused
        c.paused_since, c.pause_reason = None, None
        return paused

    def resume(self, action: ResumeInput) -> None:
        f = self.ctx.file
        paused = self.end_pause()
        move(f, Move.resume, workflow.now())
        assert f.clock.due_at is not None
        self.ctx.recorder.record(
            "resumed",
            self.ctx._("clock restarted by {name} after {paused}; due {due}").format(
                name=action.actor.name,
                paused=hours(paused, self.ctx.lang),
                due=self.ctx.when(f.clock.due_at),
            ),
            actor=action.actor,
            data={
                "paused_seconds": paused.total_seconds(),
                "total_paused_seconds": f.clock.paused_total.total_seconds(),
                "due_at": f.clock.due_at.isoformat(),
                "note": action.note,
            },
        )

    def extend(self, action: ExtendInput) -> None:
        ctx, c = self.ctx, self.ctx.file.clock
        assert c.due_at is not None
        new_due = ctx.policy.after(c.due_at, Budget.parse(action.by)).due
        added, c.due_at = new_due - c.due_at, new_due
        c.extended += added
        ctx.recorder.record(
            "extended",
            ctx._("{level} deadline extended by {by} by {name} ({reason}); due {due}").format(
                level=ctx.term("level", ctx.file.level),
                by=ctx.length(action.by),
                name=action.actor.name,
                reason=action.reason,
                due=ctx.when(new_due),
            ),
            actor=action.actor,
            data={
                "by_seconds": added.total_seconds(),
                "due_at": new_due.isoformat(),
                "reason": action.reason,
            },
            notify=[ctx.directory.handler(), *ctx.directory.parties()],
        )
