"""The turns a case can take besides climbing: transfer, re-grading, withdrawal, refusal,
resolution, return visits (回访) and reopening.

A mixin of `workflows/case.py`; each step changes the case file and records one event.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.roster import RosterActivities
    from domain.actions import (
        Actor,
        OutcomeInput,
        RefuseInput,
        RegradeInput,
        TransferAnswer,
        TransferInput,
        VisitInput,
        WithdrawInput,
    )
    from domain.case_models import AssignRequest, CaseStatus, Transfer, Visit
    from domain.ladder import LADDER, Level
    from domain.policy import Budget, parse_duration
    from domain.risk import RiskColour, grade
    from workflows.case_ladder import LadderSteps
    from workflows.case_record import ACTIVITY_TIMEOUT, DB_RETRY

#: Art. 26: when mediation fails, the parties are told these routes.
OTHER_ROUTES = "arbitration, administrative handling or the court"
#: People's mediation happens at the grid and the village; refusing it goes to the township.
PEOPLES_MEDIATION = (Level.grid, Level.village)
REOPENING_RESULTS = ("dissatisfied", "agreement_broken", "flared_up")


class CaseTurns(LadderSteps):
    # -- transfer of jurisdiction (首接负责制) -----------------------------------------------

    async def _transfer(self, action: TransferInput) -> None:
        f, policy, now = self._file, self._start.policy, workflow.now()
        window = policy.after(now, Budget.parse(policy.transfer_objection_window))
        f.transfer = Transfer(
            to_unit=action.to_unit, requested_at=now, answer_by=window.due, reason=action.reason
        )
        await self._record(
            "transfer_requested",
            f"{action.actor.name} hands the case to {action.to_unit} ({action.reason}); "
            f"{f.units[f.level]} stays responsible until it accepts; objections by "
            f"{policy.local(window.due):%Y-%m-%d %H:%M}",
            actor=action.actor,
            data={
                "to_unit": action.to_unit,
                "to_level": f.level.value,
                "reason": action.reason,
                "answer_by": window.due.isoformat(),
            },
            notify=[self._receiving_unit()],
        )

    def _receiving_unit(self):
        assert self._file.transfer is not None
        return self._handler().model_copy(
            update={"unit": self._file.transfer.to_unit, "name": None, "role": "handler"}
        )

    async def _answer_transfer(self, action: TransferAnswer) -> None:
        f = self._file
        assert f.transfer is not None
        if action.accept:
            await self._take_over(action.actor, deemed=False)
            return
        to_unit, f.transfer = f.transfer.to_unit, None
        await self._record(
            "transfer_objected",
            f"{to_unit} objects to the transfer ({action.reason}); the case stays with "
            f"{f.units[f.level]}",
            actor=action.actor,
            data={"reason": action.reason, "to_unit": to_unit},
            notify=[self._handler()],
        )

    async def _transfer_deemed_accepted(self) -> None:
        await self._take_over(None, deemed=True)

    async def _take_over(self, actor: Actor | None, *, deemed: bool) -> None:
        f = self._file
        assert f.transfer is not None
        old, new = f.units[f.level], f.transfer.to_unit
        f.units = {**f.units, f.level: new}
        f.transfer = None
        how = "did not object in time: deemed accepted" if deemed else "accepted"
        await self._record(
            "transfer_accepted",
            f"{new} {how}; the case moves from {old}",
            actor=actor,
            data={"from_unit": old, "to_unit": new, "deemed": deemed},
        )
        await self._arrive_at(f.level, why=f"transferred from {old}", trigger="transfer")

    # -- risk, withdrawal, refusal ---------------------------------------------------------

    async def _regrade(self, action: RegradeInput) -> None:
        f, policy = self._file, self._start.policy
        intake = self._start.intake
        before = f.risk
        f.risk_flags = list(dict.fromkeys(action.risk_flags))
        f.risk = grade(
            f.risk_flags,
            intake.dispute_type,
            intake.amount_cny,
            yellow_amount=policy.yellow_amount_cny,
            red_amount=policy.red_amount_cny,
        )
        direct = f.risk is RiskColour.red and before is not RiskColour.red
        await self._record(
            "regraded",
            f"risk re-graded {before.value} → {f.risk.value} by {action.actor.name}: "
            f"{action.reason}"
            + ("; reported to the county at once (重大事项直报)" if direct else ""),
            actor=action.actor,
            data={
                "from": before.value,
                "to": f.risk.value,
                "reason": action.reason,
                "risk_flags": [x.value for x in f.risk_flags],
            },
            # Art. 25: a dispute that may turn violent during mediation: tell the police.
            notify=[self._county(), *self._police()] if direct else None,
        )
        floor = policy.opens_at[f.risk]
        if f.status in (CaseStatus.open, CaseStatus.paused) and (
            LADDER.index(floor) > LADDER.index(f.level)
        ):
            await self._arrive_at(floor, why=f"risk now {f.risk.value}", trigger="risk")

    def _county(self):
        return self._supervisor_above(Level.county)

    def _police(self) -> list:
        """The township's police station, when the case is in mediation (Art. 25)."""
        if self._file.mediation is None:
            return []
        return [
            self._supervisor_above(Level.county).model_copy(
                update={"role": "police_station", "unit": self._file.units[Level.township]}
            )
        ]

    async def _withdraw(self, action: WithdrawInput) -> None:
        await self._finish(
            CaseStatus.withdrawn,
            "withdrawn",
            f"withdrawn by the applicant {action.actor.name}: {action.reason}",
            actor=action.actor,
            data={"reason": action.reason},
        )

    async def _refuse(self, action: RefuseInput) -> None:
        f = self._file
        if f.level in PEOPLES_MEDIATION:
            await self._record(
                "refused",
                f"{action.actor.name} refuses people's mediation (Art. 17): {action.reason}; "
                "the case goes to the township",
                actor=action.actor,
                data={"party": action.actor.name, "reason": action.reason, "route": "township"},
            )
            await self._arrive_at(Level.township, why="mediation refused", trigger="refused")
            return
        await self._finish(
            CaseStatus.referred,
            "refused",
            f"{action.actor.name} refuses mediation (Art. 17): {action.reason}; the parties "
            f"are told of {OTHER_ROUTES} (Art. 26)",
            actor=action.actor,
            data={"party": action.actor.name, "reason": action.reason, "route": OTHER_ROUTES},
            notify=self._parties(),
        )

    async def _finish(self, status: CaseStatus, kind: str, summary: str, **record) -> None:
        """Withdrawn or referred: the event that says why, then `closed` with the outcome."""
        f = self._file
        f.status, f.due_at, f.closed_at, f.transfer = status, None, workflow.now(), None
        f.paused_since = None
        await self._record(kind, summary, **record)
        await self._record("closed", f"case closed: {status.value}", data={"outcome": status.value})

    # -- resolution, return visits and reopening ---------------------------------------------

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
