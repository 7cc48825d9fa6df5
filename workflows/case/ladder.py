"""The ladder's clock: a level's handler and deadline, its warnings, pauses and extensions,
and climbing when the deadline passes or the handler fails.

A part of CaseWorkflow. Arriving at a level is the workflow's (`CaseWorkflow.arrive_at`):
the ladder assigns the handler and starts the clock, the workflow adds what else an arrival
brings (the policy's whistle at the township).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import Actor, ExtendInput, PauseInput, ResumeInput
    from domain.case_checks import hours
    from domain.case_models import AssigneeText, CaseStatus, LevelClock
    from domain.durations import Budget
    from domain.ladder import LADDER, Level, next_level
    from workflows.case.alarm import Wake
    from workflows.case.context import CaseContext

WARNING_COLOURS = ("yellow", "red")

Arrive = Callable[..., Awaitable[None]]


class Ladder:
    def __init__(self, ctx: CaseContext, arrive: Arrive) -> None:
        self.ctx = ctx
        self._arrive = arrive

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
        wakes = [Wake(f.clock.due_at, f"{f.level.value} deadline")]
        for colour in WARNING_COLOURS:
            at = self._warn_at(colour)
            if colour not in f.clock.warnings and at is not None:
                wakes.append(Wake(at, f"{colour} warning"))
        return wakes

    async def on_clock(self, now: datetime) -> bool:
        """Act on whatever of the clock has come due; False when nothing had."""
        c = self.ctx.file.clock
        if not self._running():
            return False
        assert c.due_at is not None
        if now >= c.due_at:
            await self._deadline_passed()
            return True
        for colour in WARNING_COLOURS:
            at = self._warn_at(colour)
            if colour not in c.warnings and at is not None and now >= at:
                self._warn(colour)
                return True
        return False

    # -- arriving and climbing -----------------------------------------------------------

    async def arrive(
        self, level: Level, *, why: str, trigger: str | None = None, actor: Actor | None = None
    ) -> None:
        """The case reaches `level` (or starts over at it): a handler, a fresh clock."""
        ctx, f, now = self.ctx, self.ctx.file, workflow.now()
        climbed = LADDER.index(level) > LADDER.index(f.level)
        paused_total = f.clock.paused_total
        if f.clock.paused_since is not None:  # moving on ends a pause
            paused_total += now - f.clock.paused_since
        if f.transfer is not None:
            why += f"; the transfer to {f.transfer.to_unit} lapsed"
            f.transfer = None
        f.level, f.status, f.assignee = level, CaseStatus.open, None
        budget = ctx.policy.budget(ctx.intake.complexity, level, f.risk)
        deadline = ctx.policy.after(now, budget)
        moved = deadline.moved_by + [
            f"no official calendar loaded for {y}: weekends only" for y in deadline.unknown_years
        ]
        f.clock = LevelClock(
            started_at=now,
            due_at=deadline.due,
            budget=budget.text,
            moved_by=moved,
            paused_total=paused_total,
        )
        due = ctx.local(deadline.due).isoformat(timespec="minutes")
        note = f" — {'; '.join(moved)}" if moved else ""
        # The ledger's write picks the handler and names them here (the roster is there).
        text = AssigneeText(
            before=f"{'escalated to' if climbed else 'at'} the {level.value} level ({why}); "
            "assigned to ",
            found="{name} ({unit})",
            missing="nobody: no handler on the roster for this unit",
            after=f"; budget {budget.text}, due {due}{note}",
        )
        event = ctx.record(
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
        ctx.assign(level, [event], text=text, fallback=ctx.supervisor_above())

    async def climb_or_supervise(self, *, why: str, trigger: str) -> None:
        upper = next_level(self.ctx.file.level)
        if upper is not None:
            await self._arrive(upper, why=why, trigger=trigger)
            return
        # The top of the ladder: the county supervises (督办) until someone resolves it.
        f = self.ctx.file
        f.status, f.clock.due_at = CaseStatus.supervised, None
        self.ctx.record(
            "supervised",
            f"under county supervision (督办) after the county level {why}; "
            "the case stays open until it is resolved",
            notify=[self.ctx.supervisor_above()],
        )

    async def _deadline_passed(self) -> None:
        ctx, f = self.ctx, self.ctx.file
        assert f.clock.due_at is not None
        ctx.record(
            "deadline_passed",
            f"the {f.level.value} level's deadline passed without an outcome",
            data={"due_at": f.clock.due_at.isoformat()},
            notify=[ctx.handler(), ctx.supervisor_above()],
        )
        await self.climb_or_supervise(why="deadline passed", trigger="deadline")

    def _warn(self, colour: str) -> None:
        ctx, f = self.ctx, self.ctx.file
        assert f.clock.due_at is not None
        f.clock.warnings.append(colour)
        fraction = getattr(ctx.policy.warnings, colour)
        to = [ctx.handler()] + ([ctx.supervisor_above()] if colour == "red" else [])
        ctx.record(
            "warning",
            f"{colour} warning: {fraction:.0%} of the {f.level.value} level's time is used; "
            f"due {ctx.local(f.clock.due_at):%Y-%m-%d %H:%M}",
            data={
                "colour": colour,
                "fraction": fraction,
                "due_at": f.clock.due_at.isoformat(),
                "notified": [r.role for r in to],
            },
            notify=to,
        )

    async def failed(self, actor: Actor, reason: str) -> None:
        self.ctx.record(
            "failed",
            f"{actor.name} could not resolve it at the {self.ctx.file.level.value} level: {reason}",
            actor=actor,
            data={"reason": reason},
        )
        await self.climb_or_supervise(why=f"failed: {reason}", trigger="failed")

    # -- stopping and stretching the clock -----------------------------------------------

    def pause(self, action: PauseInput) -> None:
        f = self.ctx.file
        f.status = CaseStatus.paused
        f.clock.paused_since, f.clock.pause_reason = workflow.now(), action.reason
        note = f" ({action.note})" if action.note else ""
        self.ctx.record(
            "paused",
            f"clock stopped by {action.actor.name}: {action.reason.replace('_', ' ')}{note}",
            actor=action.actor,
            data={"reason": action.reason, "note": action.note},
        )

    def end_pause(self) -> timedelta:
        """Restart the clock after a pause: the deadline moves by the time paused."""
        c, now = self.ctx.file.clock, workflow.now()
        assert c.paused_since is not None
        paused = now - c.paused_since
        if c.due_at is not None:
            c.due_at += paused
        c.paused_this_level += paused
        c.paused_total += paused
        c.paused_since, c.pause_reason = None, None
        return paused

    def resume(self, action: ResumeInput) -> None:
        f = self.ctx.file
        paused = self.end_pause()
        f.status = CaseStatus.open
        assert f.clock.due_at is not None
        self.ctx.record(
            "resumed",
            f"clock restarted by {action.actor.name} after {hours(paused)}; "
            f"due {self.ctx.local(f.clock.due_at):%Y-%m-%d %H:%M}",
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
        ctx.record(
            "extended",
            f"{ctx.file.level.value} deadline extended by {action.by} by {action.actor.name} "
            f"({action.reason}); due {ctx.local(new_due):%Y-%m-%d %H:%M}",
            actor=action.actor,
            data={
                "by_seconds": added.total_seconds(),
                "due_at": new_due.isoformat(),
                "reason": action.reason,
            },
            notify=[ctx.handler(), *ctx.parties()],
        )
