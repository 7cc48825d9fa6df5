"""The ladder steps of CaseWorkflow: arriving at a level, its clock, warnings, climbing.

A mixin of `workflows/case.py`. Each step changes the case file, then records one event
(ledger, search attributes, UI, notifications) through `CaseBookkeeping._record`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.roster import RosterActivities
    from domain.actions import Actor, ExtendInput, PauseInput, ResumeInput
    from domain.case_models import AssignRequest, CaseStatus
    from domain.ladder import LADDER, Level, next_level
    from domain.policy import Budget
    from workflows.case_record import ACTIVITY_TIMEOUT, DB_RETRY, CaseBookkeeping

WARNING_COLOURS = ("yellow", "red")


class LadderSteps(CaseBookkeeping):
    # -- the level's clock -------------------------------------------------------------------

    def _warn_at(self, colour: str) -> datetime | None:
        """When a warning falls due: a fraction of the level's budget, paused time excluded."""
        f = self._file
        if f.due_at is None:
            return None
        active = f.due_at - f.level_started_at - f.paused_this_level
        fraction = getattr(self._start.policy.warnings, colour)
        return f.due_at - active * (1 - fraction)

    def _clock_running(self) -> bool:
        return self._file.status is CaseStatus.open and self._file.due_at is not None

    def _ladder_wakeups(self) -> list[datetime]:
        f, times = self._file, []
        if f.transfer:
            times.append(f.transfer.answer_by)
        if self._clock_running():
            assert f.due_at is not None
            times.append(f.due_at)
            times += [
                t
                for c in WARNING_COLOURS
                if c not in f.warnings_raised and (t := self._warn_at(c)) is not None
            ]
        return times

    async def _ladder_clock(self, now: datetime) -> bool:
        """Act on whatever of the ladder's clock has come due; False when nothing had."""
        f = self._file
        if f.transfer and now >= f.transfer.answer_by:
            await self._transfer_deemed_accepted()
            return True
        if not self._clock_running():
            return False
        assert f.due_at is not None
        if now >= f.due_at:
            await self._deadline_passed()
            return True
        for colour in WARNING_COLOURS:
            at = self._warn_at(colour)
            if colour not in f.warnings_raised and at is not None and now >= at:
                await self._warn(colour)
                return True
        return False

    # -- arriving and climbing ---------------------------------------------------------------

    async def _arrive_at(
        self, level: Level, *, why: str, trigger: str | None = None, actor: Actor | None = None
    ) -> None:
        """The case reaches `level` (or starts over at it): a handler, a fresh clock."""
        f, policy, now = self._file, self._start.policy, workflow.now()
        climbed = LADDER.index(level) > LADDER.index(f.level)
        if f.paused_since is not None:  # moving on ends a pause
            f.paused_total += now - f.paused_since
            f.paused_since, f.pause_reason = None, None
        if f.transfer is not None:
            why += f"; the transfer to {f.transfer.to_unit} lapsed"
            f.transfer = None
        f.level, f.status, f.level_started_at = level, CaseStatus.open, now
        f.extended, f.paused_this_level, f.warnings_raised = timedelta(0), timedelta(0), []
        assignment = await workflow.execute_activity_method(
            RosterActivities.assign_handler,
            AssignRequest(case_id=f.case_id, level=level, location=self._location()),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=DB_RETRY,
        )
        f.assignee = assignment.assignee
        # The clock starts once the handler is known: the level's budget is theirs.
        now = f.level_started_at = workflow.now()
        budget = policy.budget(self._start.intake.complexity, level, f.risk)
        deadline = policy.after(now, budget)
        f.due_at, f.budget = deadline.due, budget.text
        f.deadline_moved_by = deadline.moved_by + [
            f"no official calendar loaded for {y}: weekends only" for y in deadline.unknown_years
        ]
        who = (
            f"{f.assignee.name} ({f.assignee.unit})"
            if f.assignee
            else ("nobody: no handler on the roster for this unit")
        )
        due = policy.local(f.due_at).isoformat(timespec="minutes")
        moved = f" — {'; '.join(f.deadline_moved_by)}" if f.deadline_moved_by else ""
        await self._record(
            "escalated" if climbed else "assigned",
            f"{'escalated to' if climbed else 'at'} the {level.value} level ({why}); "
            f"assigned to {who}; budget {budget.text}, due {due}{moved}",
            actor=actor,
            data={
                "why": why,
                "trigger": trigger,
                "assignee": f.assignee.model_dump() if f.assignee else None,
                "due_at": f.due_at.isoformat(),
                "deadline": {"budget": budget.text, "moved_by": f.deadline_moved_by},
            },
            notify=[self._handler()] if f.assignee else [self._supervisor_above()],
        )

    async def _climb_or_supervise(self, *, why: str, trigger: str) -> None:
        upper = next_level(self._file.level)
        if upper is not None:
            await self._arrive_at(upper, why=why, trigger=trigger)
            return
        # The top of the ladder: the county supervises (督办) until someone resolves it.
        f = self._file
        f.status, f.due_at = CaseStatus.supervised, None
        await self._record(
            "supervised",
            f"under county supervision (督办) after the county level {why}; "
            "the case stays open until it is resolved",
            notify=[self._supervisor_above()],
        )

    async def _deadline_passed(self) -> None:
        f = self._file
        assert f.due_at is not None
        await self._record(
            "deadline_passed",
            f"the {f.level.value} level's deadline passed without an outcome",
            data={"due_at": f.due_at.isoformat()},
            notify=[self._handler(), self._supervisor_above()],
        )
        await self._climb_or_supervise(why="deadline passed", trigger="deadline")

    async def _warn(self, colour: str) -> None:
        f = self._file
        assert f.due_at is not None
        f.warnings_raised.append(colour)
        fraction = getattr(self._start.policy.warnings, colour)
        to = [self._handler()] + ([self._supervisor_above()] if colour == "red" else [])
        await self._record(
            "warning",
            f"{colour} warning: {fraction:.0%} of the {f.level.value} level's time is used; "
            f"due {self._start.policy.local(f.due_at):%Y-%m-%d %H:%M}",
            data={
                "colour": colour,
                "fraction": fraction,
                "due_at": f.due_at.isoformat(),
                "notified": [r.role for r in to],
            },
            notify=to,
        )

    # -- stopping and stretching the clock ---------------------------------------------------

    async def _pause(self, action: PauseInput) -> None:
        f = self._file
        f.status, f.paused_since, f.pause_reason = CaseStatus.paused, workflow.now(), action.reason
        note = f" ({action.note})" if action.note else ""
        await self._record(
            "paused",
            f"clock stopped by {action.actor.name}: {action.reason.replace('_', ' ')}{note}",
            actor=action.actor,
            data={"reason": action.reason, "note": action.note},
        )

    async def _resume(self, action: ResumeInput) -> None:
        f, now = self._file, workflow.now()
        assert f.paused_since is not None and f.due_at is not None
        paused = now - f.paused_since
        f.due_at += paused
        f.paused_this_level += paused
        f.paused_total += paused
        f.status, f.paused_since, f.pause_reason = CaseStatus.open, None, None
        await self._record(
            "resumed",
            f"clock restarted by {action.actor.name} after {_hours(paused)}; "
            f"due {self._start.policy.local(f.due_at):%Y-%m-%d %H:%M}",
            actor=action.actor,
            data={
                "paused_seconds": paused.total_seconds(),
                "total_paused_seconds": f.paused_total.total_seconds(),
                "due_at": f.due_at.isoformat(),
                "note": action.note,
            },
        )

    def _extension_refusal(self, action: ExtendInput) -> str | None:
        """Why an extension is over the policy's cap, or None when it fits."""
        f, policy = self._file, self._start.policy
        if f.due_at is None:
            return f"case {f.case_id} has no running deadline to extend"
        added = policy.after(f.due_at, Budget.parse(action.by)).due - f.due_at
        span = f.due_at - f.level_started_at - f.paused_this_level - f.extended
        cap = span * policy.extension_cap
        if f.extended + added > cap:
            return (
                f"an extension of {action.by} would exceed the policy's cap at this level: "
                f"{_hours(cap)} in all ({policy.extension_cap:.0%} of the budget), "
                f"{_hours(f.extended)} already granted"
            )
        return None

    async def _extend(self, action: ExtendInput) -> None:
        f, policy = self._file, self._start.policy
        assert f.due_at is not None
        new_due = policy.after(f.due_at, Budget.parse(action.by)).due
        added, f.due_at = new_due - f.due_at, new_due
        f.extended += added
        await self._record(
            "extended",
            f"{f.level.value} deadline extended by {action.by} by {action.actor.name} "
            f"({action.reason}); due {policy.local(new_due):%Y-%m-%d %H:%M}",
            actor=action.actor,
            data={
                "by_seconds": added.total_seconds(),
                "due_at": new_due.isoformat(),
                "reason": action.reason,
            },
            notify=[self._handler(), *self._parties()],
        )

    async def _failed(self, actor: Actor, reason: str) -> None:
        await self._record(
            "failed",
            f"{actor.name} could not resolve it at the {self._file.level.value} level: {reason}",
            actor=actor,
            data={"reason": reason},
        )
        await self._climb_or_supervise(why=f"failed: {reason}", trigger="failed")


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    if hours >= 48:
        return f"{hours / 24:.1f} days"
    return f"{hours:.1f} h" if hours >= 1 else f"{delta.total_seconds() / 60:.0f} min"
