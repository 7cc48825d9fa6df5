"""Campaign windows (专项行动): the policy's `[[campaigns]]` acting on one case.

A part of CaseWorkflow. A case a running window covers enters it — when it opens, or on its
wake-up at the window's start — and is graded at least the campaign's floor; its deadline at
each level is no later than the campaign's next milestone; when a milestone passes with the
case still open, the county supervises it (督办). The rules are `domain.campaign`'s; every
event names the campaign. Guarded by `CAMPAIGN_WINDOWS`, asked only when the case's policy
has campaigns (a case started before them has none and takes no new step).
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.campaign import Campaign, Milestone, at_least, due_milestones, joining, key
    from domain.campaign import next_wake as campaign_wake
    from domain.case_models import ON_THE_LADDER, CaseStatus
    from domain.ladder import LADDER
    from domain.lifecycle import Move, move
    from domain.risk import RiskColour
    from workflows.case.alarm import Wake
    from workflows.case.context import CaseContext
    from workflows.case.intents import Acted, ArriveAt
    from workflows.case.ladder import Ladder
    from workflows.case.tracks import Tracks
    from workflows.case.turns import Turns
    from workflows.case.versions import CAMPAIGN_WINDOWS


class Campaigns:
    def __init__(self, ctx: CaseContext, ladder: Ladder, turns: Turns, tracks: Tracks) -> None:
        self.ctx, self.ladder, self.turns, self.tracks = ctx, ladder, turns, tracks

    def _on(self, due: object) -> bool:
        """Campaigns act when the pure rules find something `due` for this case and the case
        runs code that has them. The patch is asked only then: a marker and an upsert of
        Temporal's change version are billed actions, which a case no campaign touches
        should not pay."""
        return bool(due) and workflow.patched(CAMPAIGN_WINDOWS)

    def _joined(self) -> list[Campaign]:
        return [c for c in self.ctx.policy.campaigns if c.name in self.ctx.file.campaigns]

    def _entering(self, now: datetime) -> list[Campaign]:
        f, intake = self.ctx.file, self.ctx.intake
        return joining(
            self.ctx.policy.campaigns, intake.dispute_type, f.risk_flags, now, f.campaigns
        )

    def _enter(self, campaign: Campaign, now: datetime) -> RiskColour:
        """Note the case as in `campaign` (milestones already past are not its) and raise its
        colour to the floor; the colour before."""
        f = self.ctx.file
        f.campaigns.append(campaign.name)
        f.milestones_met += [key(campaign, m) for m in campaign.milestones if m.at <= now]
        before, f.risk = f.risk, at_least(f.risk, campaign.risk_floor)
        return before

    # -- opening -------------------------------------------------------------------------

    def enter_at_open(self) -> list[tuple[Campaign, RiskColour]]:
        """Before the case registers: the windows it opens in, its colour raised to their
        floors and its opening level to where that colour opens. `announce` records them."""
        f, now, opens_at = self.ctx.file, workflow.now(), self.ctx.policy.opens_at
        entering = self._entering(now)
        if not self._on(entering):
            return []
        entered = [(c, self._enter(c, now)) for c in entering]
        if LADDER.index(opens_at[f.risk]) > LADDER.index(f.level):
            f.level = opens_at[f.risk]
        return entered

    def announce(self, entered: list[tuple[Campaign, RiskColour]]) -> None:
        for campaign, before in entered:
            self._record_entered(campaign, before)

    def _record_entered(self, campaign: Campaign, before: RiskColour) -> None:
        ctx, f = self.ctx, self.ctx.file
        milestone = campaign.next_milestone(workflow.now())
        ctx.recorder.record(
            "campaign_entered",
            ctx._("in the campaign {title}: risk {before} → {after} (at least {floor})").format(
                title=campaign.title,
                before=ctx.term("risk", before),
                after=ctx.term("risk", f.risk),
                floor=ctx.term("risk", campaign.risk_floor),
            )
            + (
                ctx._("; to be cleared by {milestone}, {at}").format(
                    milestone=milestone.name, at=ctx.when(milestone.at)
                )
                if milestone
                else ""
            ),
            data={
                "campaign": campaign.name,
                "title": campaign.title,
                "from": before.value,
                "to": f.risk.value,
                "milestone": milestone.name if milestone else None,
                "milestone_at": milestone.at.isoformat() if milestone else None,
            },
            notify=[ctx.directory.handler()],
        )

    # -- the deadline --------------------------------------------------------------------

    def cap(self) -> None:
        """A fresh level clock is due no later than the next milestone of the windows the case
        is in (called after each arrival)."""
        joined = self._joined()
        if not self._on(joined):
            return
        now = workflow.now()
        for campaign in joined:
            self._cap(campaign, now)

    def _cap(self, campaign: Campaign, now: datetime) -> None:
        ctx, c = self.ctx, self.ctx.file.clock
        due, milestone = campaign.capped(c.due_at, now)
        if milestone is None or due is None:
            return
        c.due_at = due
        ctx.recorder.record(
            "campaign_capped",
            ctx._(
                "{title}: the {level} level's deadline brought forward to {milestone}, {due}"
            ).format(
                title=campaign.title,
                level=ctx.term("level", ctx.file.level),
                milestone=milestone.name,
                due=ctx.when(due),
            ),
            data={
                "campaign": campaign.name,
                "milestone": milestone.name,
                "due_at": due.isoformat(),
            },
        )

    # -- the clock -----------------------------------------------------------------------

    def wakeups(self) -> list[Wake]:
        f = self.ctx.file
        if f.status not in ON_THE_LADDER:
            return []
        at = campaign_wake(
            self.ctx.policy.campaigns, self.ctx.intake.dispute_type, f.risk_flags,
            workflow.now(), f.campaigns, f.milestones_met,
        )  # fmt: skip
        return [Wake(at, self.ctx._("campaign window"))] if self._on(at) else []

    def on_clock(self, now: datetime) -> Acted | None:
        """Enter a window that has begun, or meet a milestone that has come (one a step)."""
        if self.ctx.file.status not in ON_THE_LADDER:
            return None
        met = self.ctx.file.milestones_met
        entering = self._entering(now)
        due = [(c, m) for c in self._joined() for m in due_milestones(c, now, met)]
        if not self._on(entering or due):
            return None
        if entering:
            return Acted(self._enter_running(entering[0], now))
        campaign, milestone = due[0]
        self._meet(campaign, milestone, now)
        return Acted()

    def _enter_running(self, campaign: Campaign, now: datetime) -> ArriveAt | None:
        """A running case the window now covers: the floor, the cap, the colour's lead; a red
        floor below the township's level takes the case up."""
        before = self._enter(campaign, now)
        self._record_entered(campaign, before)
        self._cap(campaign, now)
        return self.turns.recolored(before, trigger="campaign")

    def _meet(self, campaign: Campaign, milestone: Milestone, now: datetime) -> None:
        """The milestone has come: a case still open (or paused) goes under the county's
        supervision, overdue from the milestone; one already supervised stays so."""
        ctx, f = self.ctx, self.ctx.file
        f.milestones_met.append(key(campaign, milestone))
        if f.status is CaseStatus.supervised:
            return
        if f.clock.paused_since is not None:  # supervision ends a pause, as climbing does
            self.tracks.resume(f.clock.paused_since)
            self.ladder.end_pause()
        f.clock.overdue_since = milestone.at
        move(f, Move.supervise, now)
        f.clock.due_at = None
        ctx.recorder.record(
            "supervised",
            ctx._(
                "under county supervision (督办): still open at the {title}'s milestone "
                "{milestone}; the case stays open until it is resolved"
            ).format(title=campaign.title, milestone=milestone.name),
            data={
                "trigger": "campaign_milestone",
                "campaign": campaign.name,
                "milestone": milestone.name,
            },
            notify=[ctx.directory.handler(), ctx.directory.county()],
        )
