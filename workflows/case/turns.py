"""The turns a case can take besides climbing: a new risk grade, a withdrawal, a refusal.

A part of CaseWorkflow. A re-grade to red below the township's floor moves the case up; a
refusal of people's mediation sends it to the township, a refusal above that refers it.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import RefuseInput, RegradeInput, WithdrawInput
    from domain.case_models import CaseStatus
    from domain.ladder import LADDER, Level
    from domain.risk import RiskColour
    from workflows.case.context import CaseContext
    from workflows.case.ladder import Arrive

#: Art. 26: when mediation fails, the parties are told these routes.
OTHER_ROUTES = "arbitration, administrative handling or the court"
#: People's mediation happens at the grid and the village; refusing it goes to the township.
PEOPLES_MEDIATION = (Level.grid, Level.village)


class Turns:
    def __init__(self, ctx: CaseContext, arrive: Arrive) -> None:
        self.ctx = ctx
        self._arrive = arrive

    async def regrade(self, action: RegradeInput) -> None:
        ctx, f, intake = self.ctx, self.ctx.file, self.ctx.intake
        before = f.risk
        f.risk_flags = list(dict.fromkeys(action.risk_flags))
        f.risk = ctx.policy.risk_of(f.risk_flags, intake.dispute_type, intake.amount_cny)
        direct = f.risk is RiskColour.red and before is not RiskColour.red
        ctx.record(
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
            notify=[ctx.county(), *ctx.police()] if direct else None,
        )
        floor = ctx.policy.opens_at[f.risk]
        if f.status in (CaseStatus.open, CaseStatus.paused) and (
            LADDER.index(floor) > LADDER.index(f.level)
        ):
            await self._arrive(floor, why=f"risk now {f.risk.value}", trigger="risk")

    def withdraw(self, action: WithdrawInput) -> None:
        self.ctx.finish(
            CaseStatus.withdrawn,
            "withdrawn",
            f"withdrawn by the applicant {action.actor.name}: {action.reason}",
            actor=action.actor,
            data={"reason": action.reason},
        )

    async def refuse(self, action: RefuseInput) -> None:
        ctx = self.ctx
        if ctx.file.level in PEOPLES_MEDIATION:
            ctx.record(
                "refused",
                f"{action.actor.name} refuses people's mediation (Art. 17): {action.reason}; "
                "the case goes to the township",
                actor=action.actor,
                data={"party": action.actor.name, "reason": action.reason, "route": "township"},
            )
            await self._arrive(Level.township, why="mediation refused", trigger="refused")
            return
        ctx.finish(
            CaseStatus.referred,
            "refused",
            f"{action.actor.name} refuses mediation (Art. 17): {action.reason}; the parties "
            f"are told of {OTHER_ROUTES} (Art. 26)",
            actor=action.actor,
            data={"party": action.actor.name, "reason": action.reason, "route": OTHER_ROUTES},
            notify=ctx.parties(),
        )
