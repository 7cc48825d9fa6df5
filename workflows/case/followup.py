"""Resolution and its follow-up: return visits (回访), reopening, closing.

A part of CaseWorkflow. A resolved case gets its return visits from the grid worker; a bad
result within the reopen window reopens it at the level the policy chooses, keeping its
history. Whether the case may close is the workflow's question (visits and judicial
confirmation both must be done).
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import OutcomeInput, VisitInput
    from domain.case_checks import pending_visits
    from domain.case_models import CaseStatus, Visit
    from domain.durations import parse_duration
    from domain.ladder import Level
    from domain.lifecycle import Move, move
    from workflows.case.alarm import Wake
    from workflows.case.context import CaseContext
    from workflows.case.intents import Acted, ArriveAt

REOPENING_RESULTS = ("dissatisfied", "agreement_broken", "flared_up")


class FollowUp:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    def pending(self) -> bool:
        return bool(pending_visits(self.ctx.file))

    def resolve(self, action: OutcomeInput) -> None:
        """Settled (the workflow has ended any pause first: paused time never counts)."""
        f, now = self.ctx.file, workflow.now()
        due = f.clock.due_at
        on_time = due is not None and now <= due
        move(f, Move.resolve, now)
        f.clock.due_at, f.transfer = None, None
        f.follow_up.resolved_level, f.follow_up.resolved_at = f.level, now
        self.ctx.recorder.record(
            "resolved",
            self.ctx._("resolved at the {level} level by {name}").format(
                level=self.ctx.term("level", f.level), name=action.actor.name
            ),
            actor=action.actor,
            data={
                "agreement": action.agreement,
                "note": action.reason,
                "due_at": due.isoformat() if due else None,
                "on_time": on_time,
            },
        )

    def schedule_visits(self) -> None:
        ctx, f, now = self.ctx, self.ctx.file, workflow.now()
        rules = ctx.policy.return_visits
        window = parse_duration(rules.window)
        for name, delay in rules.schedule.items():
            at = now + parse_duration(delay)
            f.follow_up.visits.append(Visit(visit=name, due_at=at, overdue_at=at + window))
        if not f.follow_up.visits:
            return
        scheduled = [
            ctx.recorder.record(
                "visit_scheduled",
                ctx._("{visit} visit due {due}, by grid {unit}").format(
                    visit=ctx.term("visit", v.visit),
                    due=ctx.when(v.due_at),
                    unit=f.units[Level.grid],
                ),
                data={"visit": v.visit, "due_at": v.due_at.isoformat(), "assignee": None},
            )
            for v in f.follow_up.visits
        ]
        # The grid worker who visits: picked by the ledger's write, named in the events.
        ctx.recorder.assign(Level.grid, scheduled, holds="visit")

    def wakeups(self) -> list[Wake]:
        if self.ctx.file.status is not CaseStatus.resolved:
            return []
        return [
            Wake(
                v.overdue_at,
                self.ctx._("{visit} return visit").format(visit=self.ctx.term("visit", v.visit)),
            )
            for v in pending_visits(self.ctx.file)
            if not v.flagged_overdue
        ]

    def on_clock(self, now: datetime) -> Acted | None:
        if self.ctx.file.status is not CaseStatus.resolved:
            return None
        for v in pending_visits(self.ctx.file):
            if not v.flagged_overdue and now >= v.overdue_at:
                v.flagged_overdue = True
                self.ctx.recorder.record(
                    "visit_overdue",
                    self.ctx._("the {visit} return visit is overdue (due {due})").format(
                        visit=self.ctx.term("visit", v.visit), due=self.ctx.when(v.due_at)
                    ),
                    data={"visit": v.visit, "due_at": v.due_at.isoformat()},
                    notify=[self.ctx.directory.supervisor_above(Level.grid)],
                )
                return Acted()
        return None

    def visit(self, action: VisitInput) -> ArriveAt | None:
        """The visit's result; when it reopens the case, where the case goes (an intent)."""
        ctx, f, now = self.ctx, self.ctx.file, workflow.now()
        rules = ctx.policy.return_visits
        visit = next(v for v in pending_visits(f) if v.visit == action.visit)
        data = {
            "visit": visit.visit,
            "result": action.result,
            "attempt": visit.attempt,
            "note": action.note,
            # 12345's two questions, on a reached visit: is it solved, are you satisfied.
            "solved": action.solved,
            "satisfaction": action.satisfaction,
        }
        if action.result == "unreachable" and visit.attempt <= rules.retries:
            visit.attempt += 1
            visit.due_at = now + parse_duration(rules.retry_after)
            visit.overdue_at = visit.due_at + parse_duration(rules.window)
            visit.flagged_overdue = False
            ctx.recorder.record(
                "visit_done",
                ctx._(
                    "{visit} visit: applicant unreachable (attempt {attempt}); trying again {due}"
                ).format(
                    visit=ctx.term("visit", visit.visit),
                    attempt=visit.attempt - 1,
                    due=ctx.when(visit.due_at),
                ),
                actor=action.actor,
                data=data,
            )
            return None
        visit.result = action.result
        ctx.recorder.record(
            "visit_done",
            ctx._("{visit} visit by {name}: {result}").format(
                visit=ctx.term("visit", visit.visit),
                name=action.actor.name,
                result=ctx.term("visit_result", action.result),
            ),
            actor=action.actor,
            data=data,
        )
        resolved_at = f.follow_up.resolved_at
        assert resolved_at is not None
        if action.result in REOPENING_RESULTS and now - resolved_at <= parse_duration(
            rules.reopen_window
        ):
            return self._reopen(action)
        return None

    def _reopen(self, action: VisitInput) -> ArriveAt:
        f, fu = self.ctx.file, self.ctx.file.follow_up
        assert fu.resolved_level is not None
        to = self.ctx.policy.reopen_level(fu.resolved_level)
        fu.reopen_count += 1
        fu.visits = [v for v in fu.visits if v.result is not None]
        ctx = self.ctx
        self.ctx.recorder.record(
            "reopened",
            ctx._("reopened after the {visit} visit ({result}): back to the {level} level").format(
                visit=ctx.term("visit", action.visit),
                result=ctx.term("visit_result", action.result),
                level=ctx.term("level", to),
            ),
            actor=action.actor,
            data={
                "from_level": fu.resolved_level.value,
                "to_level": to.value,
                "reason": action.result,
                "visit": action.visit,
            },
        )
        f.level = to  # reopening is not a climb: the event says `assigned`
        fu.resolved_level, fu.resolved_at = None, None
        return ArriveAt(to, why=ctx._("reopened"), trigger="reopened")

    def close(self) -> None:
        move(self.ctx.file, Move.close, workflow.now())
        done = self.ctx._("follow-up done: case closed")
        self.ctx.recorder.record("closed", done, data={"outcome": "resolved"})
