"""The turns a case can take besides climbing: a new risk grade, a withdrawal, a refusal.

A part of CaseWorkflow. A re-grade to red below the township's floor moves the case up; a
refusal of people's mediation sends it to the township, a refusal above that refers it. A
move up is returned to the workflow as an `ArriveAt` intent.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import MergeInput, RefuseInput, RegradeInput, WithdrawInput
    from domain.case_models import LEAD_FOR, ON_THE_LADDER, CaseStatus
    from domain.ladder import LADDER, Level
    from domain.lifecycle import Move
    from domain.risk import RiskColour
    from ledger.rows import AssigneeText, Recipient
    from workflows.case.context import CaseContext
    from workflows.case.intents import ArriveAt

#: Art. 26: when mediation fails, the parties are told these routes.
OTHER_ROUTES = "arbitration, administrative handling or the court"
#: People's mediation happens at the grid and the village; refusing it goes to the township.
PEOPLES_MEDIATION = (Level.grid, Level.village)


class Turns:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    def assign_lead(self) -> None:
        """A yellow case is led by a member of the township's leadership team, a red one by
        the party secretary (包案): picked from the roster by the step's write, told at once."""
        ctx, f = self.ctx, self.ctx.file
        role = LEAD_FOR.get(f.risk)
        if role is None:
            return
        township = f.units[Level.township]
        _ = ctx._
        text = AssigneeText(
            before=_("{risk} case: led at {unit} by ").format(
                risk=ctx.term("risk", f.risk), unit=township
            ),
            found=_("{name} (包案)"),
            missing=_("nobody: no {role} of {unit} on the roster").format(
                role=ctx.term("roster_role", role), unit=township
            ),
            after="",
        )
        event = ctx.recorder.record("lead_assigned", text.compose(None), data={"role": role})
        fallback = Recipient(role="supervisor", unit=township)
        ctx.recorder.assign(
            Level.township, [event], text=text, fallback=fallback, holds="lead", role=role
        )

    def regrade(self, action: RegradeInput) -> ArriveAt | None:
        """The new colour; below the colour's opening level the case goes up (an intent)."""
        ctx, f, intake = self.ctx, self.ctx.file, self.ctx.intake
        before = f.risk
        f.risk_flags = list(dict.fromkeys(action.risk_flags))
        f.risk = ctx.policy.risk_of(f.risk_flags, intake.dispute_type, intake.amount_cny)
        direct = f.risk is RiskColour.red and before is not RiskColour.red
        ctx.recorder.record(
            "regraded",
            ctx._("risk re-graded {before} → {after} by {name}: {reason}").format(
                before=ctx.term("risk", before),
                after=ctx.term("risk", f.risk),
                name=action.actor.name,
                reason=action.reason,
            )
            + (ctx._("; reported to the county at once (重大事项直报)") if direct else ""),
            actor=action.actor,
            data={
                "from": before.value,
                "to": f.risk.value,
                "reason": action.reason,
                "risk_flags": [x.value for x in f.risk_flags],
            },
            # Art. 25: a dispute that may turn violent during mediation: tell the police.
            notify=[ctx.directory.county(), *ctx.directory.police()] if direct else None,
        )
        return self.recolored(before, trigger="risk")

    def recolored(self, before: RiskColour, *, trigger: str) -> ArriveAt | None:
        """The case's colour moved from `before` (a re-grade, a campaign's floor): a lead for
        a case now yellow or red, and the level its colour opens at if it stands below."""
        ctx, f = self.ctx, self.ctx.file
        if f.risk is not before and f.risk in LEAD_FOR and f.status in ON_THE_LADDER:
            self.assign_lead()
        floor = ctx.policy.opens_at[f.risk]
        if f.status in (CaseStatus.open, CaseStatus.paused) and (
            LADDER.index(floor) > LADDER.index(f.level)
        ):
            why = ctx._("risk now {risk}").format(risk=ctx.term("risk", f.risk))
            return ArriveAt(floor, why=why, trigger=trigger)
        return None

    def withdraw(self, action: WithdrawInput) -> None:
        self.ctx.finish(
            Move.withdraw,
            "withdrawn",
            self.ctx._("withdrawn by {who}: {reason}").format(
                who=self.ctx.who(action.actor), reason=action.reason
            ),
            actor=action.actor,
            data={"reason": action.reason},
        )

    def merge(self, action: MergeInput) -> None:
        """The same dispute as another case: this one ends as merged into it (the ledger
        links the two in this step's write, ledger/steps.py)."""
        self.ctx.finish(
            Move.merge,
            "merged",
            self.ctx._("merged into case {into} by {who}: {reason}").format(
                into=action.into, who=self.ctx.who(action.actor), reason=action.reason
            ),
            actor=action.actor,
            data={"into": action.into, "reason": action.reason},
        )

    def refuse(self, action: RefuseInput) -> ArriveAt | None:
        """People's mediation refused: to the township (an intent); above it, referred."""
        ctx = self.ctx
        if ctx.file.level in PEOPLES_MEDIATION:
            ctx.recorder.record(
                "refused",
                ctx._(
                    "{who} refuses people's mediation (Art. 17): {reason}; "
                    "the case goes to the township"
                ).format(who=ctx.who(action.actor), reason=action.reason),
                actor=action.actor,
                data={"party": action.actor.name, "reason": action.reason, "route": "township"},
            )
            why = ctx._("mediation refused")
            return ArriveAt(Level.township, why=why, trigger="refused")
        ctx.finish(
            Move.refer,
            "refused",
            ctx._(
                "{who} refuses mediation (Art. 17): {reason}; the parties are told of "
                "arbitration, administrative handling or the court (Art. 26)"
            ).format(who=ctx.who(action.actor), reason=action.reason),
            actor=action.actor,
            data={"party": action.actor.name, "reason": action.reason, "route": OTHER_ROUTES},
            notify=ctx.directory.parties(),
        )
        return None
