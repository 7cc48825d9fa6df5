"""Resolution and its follow-up in CaseWorkflow: return visits (回访), reopening, closing.

A mixin of `workflows/case.py`. A resolved case gets its return visits from the grid worker;
a bad result within the reopen window reopens it at the level the policy chooses, keeping its
history; once nothing is left to follow up, the case closes.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.roster import RosterActivities
    from domain.actions import OutcomeInput, VisitInput
    from domain.case_models import AssignRequest, CaseStatus, Visit
    from domain.ladder import Level
    from domain.policy import parse_duration
    from workflows.case_record import ACTIVITY_TIMEOUT, DB_RETRY
    from workflows.case_turns import CaseTurns

REOPENING_RESULTS = ("dissatisfied", "agreement_broken", "flared_up")


class FollowUpSteps(CaseTurns):
    async def _resolve(self, action: OutcomeInput) -> None:
        f, policy, now = self._file, self._start.policy, workflow.now()
        if f.paused_since is not None and f.due_at is not None:  # paused time never counts
            f.paused_total += now - f.paused_since
            f.due_at += now - f.paused_since
        on_time = f.due_at is not None and now <= f.due_at
        due = f.due_at
        f.status, f.due_at, f.resolved_level, f.resolved_at = (
            CaseStatus.resolved,
            None,
            f.level,
            now,
        )
        f.paused_since, f.transfer = None, None
        await self._record(
            "resolved",
            f"resolved at the {f.level.value} level by {action.actor.name}",
            actor=action.actor,
            data={
                "agreement": action.agreement,
                "note": action.reason,
                "due_at": due.isoformat() if due else None,
                "on_time": on_time,
            },
        )
        await self._after_resolution(action)
        window = parse_duration(policy.return_visits.window)
        for name, delay in policy.return_visits.schedule.items():
            at = now + parse_duration(delay)
            f.visits.append(Visit(visit=name, due_at=at, overdue_at=at + window))
        if not f.visits:
            await self._maybe_close()
            return
        visitor = await workflow.execute_activity_method(
            RosterActivities.assign_handler,
            AssignRequest(case_id=f.case_id, level=Level.grid, location=self._location()),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=DB_RETRY,
        )
        for v in f.visits:
            await self._record(
                "visit_scheduled",
                f"{v.visit} visit due {policy.local(v.due_at):%Y-%m-%d %H:%M}, by grid "
                f"{f.units[Level.grid]}",
                data={
                    "visit": v.visit,
                    "due_at": v.due_at.isoformat(),
                    "assignee": visitor.assignee.model_dump() if visitor.assignee else None,
                },
            )

    def _pending_visits(self) -> list[Visit]:
        return [v for v in self._file.visits if v.result is None]

    def _visit_wakeups(self) -> list[datetime]:
        if self._file.status is not CaseStatus.resolved:
            return []
        return [v.overdue_at for v in self._pending_visits() if not v.flagged_overdue]

    async def _visit_clock(self, now: datetime) -> bool:
        for v in self._pending_visits():
            if not v.flagged_overdue and now >= v.overdue_at:
                v.flagged_overdue = True
                await self._record(
                    "visit_overdue",
                    f"the {v.visit} return visit is overdue (due "
                    f"{self._start.policy.local(v.due_at):%Y-%m-%d})",
                    data={"visit": v.visit, "due_at": v.due_at.isoformat()},
                    notify=[self._supervisor_above(Level.grid)],
                )
                return True
        return False

    async def _record_visit(self, action: VisitInput) -> None:
        f, rules, now = self._file, self._start.policy.return_visits, workflow.now()
        visit = next(v for v in self._pending_visits() if v.visit == action.visit)
        data = {
            "visit": visit.visit,
            "result": action.result,
            "attempt": visit.attempt,
            "note": action.note,
        }
        if action.result == "unreachable" and visit.attempt <= rules.retries:
            visit.attempt += 1
            visit.due_at = now + parse_duration(rules.retry_after)
            visit.overdue_at = visit.due_at + parse_duration(rules.window)
            visit.flagged_overdue = False
            await self._record(
                "visit_done",
                f"{visit.visit} visit: applicant unreachable (attempt {visit.attempt - 1}); "
                f"trying again {self._start.policy.local(visit.due_at):%Y-%m-%d}",
                actor=action.actor,
                data=data,
            )
            return
        visit.result = action.result
        await self._record(
            "visit_done",
            f"{visit.visit} visit by {action.actor.name}: {action.result.replace('_', ' ')}",
            actor=action.actor,
            data=data,
        )
        assert f.resolved_at is not None
        if action.result in REOPENING_RESULTS:
            if now - f.resolved_at <= parse_duration(rules.reopen_window):
                await self._reopen(action)
                return
        await self._maybe_close()

    async def _reopen(self, action: VisitInput) -> None:
        f = self._file
        assert f.resolved_level is not None
        to = self._start.policy.reopen_level(f.resolved_level)
        f.reopen_count += 1
        f.visits = [v for v in f.visits if v.result is not None]
        await self._record(
            "reopened",
            f"reopened after the {action.visit} visit ({action.result.replace('_', ' ')}): "
            f"back to the {to.value} level",
            actor=action.actor,
            data={
                "from_level": f.resolved_level.value,
                "to_level": to.value,
                "reason": action.result,
                "visit": action.visit,
            },
        )
        f.level = to  # reopening is not a climb: the event says `assigned`
        f.resolved_level, f.resolved_at = None, None
        await self._arrive_at(to, why="reopened", trigger="reopened")

    async def _after_resolution(self, action: OutcomeInput) -> None:
        """What else a resolution opens (judicial confirmation, in a subclass)."""

    def _follow_up_pending(self) -> bool:
        return bool(self._pending_visits())

    async def _maybe_close(self) -> None:
        """Close the resolved case once nothing is left to follow up."""
        if self._file.status is CaseStatus.resolved and not self._follow_up_pending():
            await self._close()

    async def _close(self) -> None:
        f = self._file
        f.status, f.closed_at = CaseStatus.closed, workflow.now()
        await self._record("closed", "follow-up done: case closed", data={"outcome": "resolved"})
