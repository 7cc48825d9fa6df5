"""The turns a case can take besides climbing: transfer of jurisdiction, re-grading,
withdrawal and refusal.

A mixin of `workflows/case.py`; each step changes the case file and records one event.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import (
        Actor,
        RefuseInput,
        RegradeInput,
        TransferAnswer,
        TransferInput,
        WithdrawInput,
    )
    from domain.case_models import CaseStatus, Recipient, Transfer
    from domain.ladder import LADDER, Level
    from domain.policy import Budget
    from domain.risk import RiskColour
    from workflows.case_ladder import LadderSteps

#: Art. 26: when mediation fails, the parties are told these routes.
OTHER_ROUTES = "arbitration, administrative handling or the court"
#: People's mediation happens at the grid and the village; refusing it goes to the township.
PEOPLES_MEDIATION = (Level.grid, Level.village)


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

    def _receiving_unit(self) -> Recipient:
        assert self._file.transfer is not None
        return Recipient(role="handler", unit=self._file.transfer.to_unit)

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
        f.risk = policy.risk_of(f.risk_flags, intake.dispute_type, intake.amount_cny)
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

    def _county(self) -> Recipient:
        return self._supervisor_above(Level.county)

    def _police(self) -> list[Recipient]:
        """The township's police station, when the case is in mediation (Art. 25)."""
        if self._file.mediation is None:
            return []
        return [Recipient(role="police_station", unit=self._file.units[Level.township])]

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
