"""CaseWorkflow: one dispute's life, from intake up the ladder to its last return visit.

`run` is the story: the case opens at the level its risk colour calls for and is routed to
a mediation track; then, one step at a time, it applies what people do (updates, each paired
with its check) or what its clocks say (deadlines, warnings, a transfer's window, a track's
time limit, judicial confirmation, return visits), until it ends.

Each concern is a part the workflow holds, sharing one `CaseContext`: `ladder`, `handover`
(transfer), `turns`, `followup`, `tracks`, `judicial` (confirmation), `whistles` and
`campaigns` (the policy's campaign windows); the lines
where one part leads to another are here: a part's step returns what should happen next (an
`ArriveAt` intent) and the workflow acts on it, so no part calls back into the workflow. A
case's status changes only through `domain.lifecycle`. Every step ends with one ledger write
(`Recorder.flush`); the one timer is re-armed only when the earliest wake-up moves. A long
case continues as new, carrying its file.
"""

from __future__ import annotations

from pydantic import BaseModel
from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import catalogue
    from domain.actions import (
        Actor,
        ArbitrationInput,
        ConfirmationInput,
        ContactInput,
        EscalateInput,
        ExtendInput,
        LinkInput,
        MergeInput,
        OutcomeInput,
        PauseInput,
        RefuseInput,
        RegradeInput,
        ResumeInput,
        TrackExtendInput,
        TrackInput,
        TransferAnswer,
        TransferInput,
        VisitInput,
        WhistleInput,
        WithdrawInput,
    )
    from domain.authority import pull_up_level
    from domain.case_models import (
        FINISHED,
        CaseFile,
        CaseResult,
        CaseStart,
        CaseStatus,
        CaseView,
        LevelClock,
    )
    from domain.duty_contract import DUTY_CHANGED_SIGNAL, DutyChange
    from domain.ladder import Level, next_level
    from domain.naming import CASE_WORKFLOW
    from domain.risk import RiskColour
    from ledger.rows import CaseRegistration
    from workflows.case import publish
    from workflows.case.alarm import Alarm, Wake
    from workflows.case.campaigns import Campaigns
    from workflows.case.confirmation import Confirmation
    from workflows.case.context import CaseContext
    from workflows.case.followup import FollowUp
    from workflows.case.intents import ArriveAt
    from workflows.case.ladder import Ladder
    from workflows.case.tracks import Tracks
    from workflows.case.transfer import Transfer
    from workflows.case.turns import Turns
    from workflows.case.whistles import Whistles
    from workflows.queued_actions import Action, Pending, queued_action, with_aliases


@workflow.defn(name=CASE_WORKFLOW)
@with_aliases
class CaseWorkflow:
    @workflow.init
    def __init__(self, start: CaseStart) -> None:
        self.ctx = CaseContext(start, start.file or _new_file(start))
        self.queue: list[Pending] = []
        self.alarm = Alarm()
        ctx = self.ctx
        self.ladder = Ladder(ctx)
        self.handover = Transfer(ctx)
        self.turns = Turns(ctx)
        self.followup = FollowUp(ctx)
        self.tracks = Tracks(ctx)
        self.judicial = Confirmation(ctx)
        self.whistles = Whistles(ctx)
        self.campaigns = Campaigns(ctx, self.ladder, self.turns, self.tracks)
        # Queries answer the case as of its last written step: before the first, as it opens.
        ctx.recorder.shown = publish.view(ctx.file, ctx.start)

    @workflow.run
    async def run(self, start: CaseStart) -> CaseResult:
        if start.file is None:
            await self._open()
        else:
            publish.publish(self.ctx.file, self.ctx.start)
        f = self.ctx.file
        while f.status not in FINISHED:
            if self.queue:
                await self._apply(self.queue.pop(0))
            elif self._time_to_continue_as_new():
                f.runs += 1
                workflow.continue_as_new(start.model_copy(update={"file": f}))
            else:
                self.alarm.set(self._next_wake())
                await workflow.wait_condition(
                    lambda: bool(self.queue) or self.alarm.rang or self._time_to_continue_as_new()
                )
                if self.alarm.rang and not self.queue:
                    self.alarm.clear()
                    await self._on_clock()
        # Let updates still returning their answer finish before the case completes.
        await workflow.wait_condition(workflow.all_handlers_finished)
        assert f.closed_at is not None
        return CaseResult(case_id=f.case_id, status=f.status, level=f.level, closed_at=f.closed_at)

    # -- the story's steps ---------------------------------------------------------------

    async def _open(self) -> None:
        ctx, f = self.ctx, self.ctx.file
        entered = self.campaigns.enter_at_open()  # a campaign's floor, before it registers
        ctx.recorder.register(
            CaseRegistration(
                case_id=f.case_id,
                workflow_id=workflow.info().workflow_id,
                intake=ctx.intake,
                risk=f.risk,
                level=f.level,
                policy_name=ctx.policy.name,
                opened_at=f.opened_at,
            )
        )
        red = f.risk is RiskColour.red
        _ = ctx._
        ctx.recorder.record(
            "opened",
            _("case opened at the {level} level, risk {risk}, policy {policy}").format(
                level=ctx.term("level", f.level),
                risk=ctx.term("risk", f.risk),
                policy=ctx.policy.name,
            )
            + (
                _("; reported to the county and the police station at once (重大事项直报)")
                if red
                else ""
            ),
            data={"risk": f.risk.value, "reported_by": ctx.intake.reported_by.model_dump()},
            # Art. 25: a dispute that may turn violent: preventive steps, and tell the police.
            notify=[ctx.directory.county(), ctx.directory.police_station()] if red else None,
        )
        self.campaigns.announce(entered)
        self.tracks.route_at_intake()
        await self.arrive_at(ArriveAt(f.level, why=_("opened")))
        self.turns.assign_lead()
        await ctx.recorder.flush()

    async def arrive_at(self, to: ArriveAt) -> None:
        """The case reaches `to.level`: a handler and a fresh clock (ending a pause, which had
        stopped the track too); at the township the policy may blow its own whistle."""
        if self.ctx.file.clock.paused_since is not None:
            self.tracks.resume(self.ctx.file.clock.paused_since)
        self.ladder.arrive(to)
        self.campaigns.cap()
        if to.level is Level.township:
            await self.whistles.policy_whistle()

    async def _then(self, to: ArriveAt | None) -> None:
        """Act on what a part's step returned: where the case goes next, if anywhere."""
        if to is not None:
            await self.arrive_at(to)

    async def _resolve(
        self, action: OutcomeInput, *, award: ArbitrationInput | None = None
    ) -> None:
        """Resolved: a mediation agreement opens judicial confirmation, an arbitration award
        the window to sue; then the return visits are scheduled. Paused time never counts."""
        if self.ctx.file.clock.paused_since is not None:
            self.ladder.end_pause()
        self.followup.resolve(action)
        self.tracks.settled()
        if award is not None:
            self.tracks.award(award)
        else:
            self.judicial.open(action)
        self.followup.schedule_visits()
        self._close_when_followed_up()

    def _close_when_followed_up(self) -> None:
        if (
            self.ctx.file.status is CaseStatus.resolved
            and not self.followup.pending()
            and not self.judicial.pending()
            and not self.tracks.pending()
        ):
            self.followup.close()

    def _parts_with_clocks(self):
        # A campaign's milestone before the ladder: a deadline capped at the milestone falls
        # due with it, and the county's supervision, not a climb, is what the milestone means.
        return (
            self.handover, self.campaigns, self.ladder, self.followup, self.tracks, self.judicial
        )  # fmt: skip

    def _next_wake(self) -> Wake | None:
        wakes = [w for part in self._parts_with_clocks() for w in part.wakeups()]
        return min(wakes, key=lambda w: w.at) if wakes else None

    async def _on_clock(self) -> None:
        now = workflow.now()
        for part in self._parts_with_clocks():
            if (acted := part.on_clock(now)) is not None:
                await self._then(acted.then)
                break
        self._close_when_followed_up()
        await self.ctx.recorder.flush()

    async def _apply(self, item: Pending) -> None:
        """Apply one accepted action, checking it again: the case may have moved since."""
        try:
            if item.check is not None:
                item.check()
        except ValueError as err:
            item.error, item.done = str(err), True
            return
        await item.step(item.action)
        await self.ctx.recorder.flush()
        item.done = True

    def _time_to_continue_as_new(self) -> bool:
        """A long history, and nobody waiting on this run for an answer."""
        info = workflow.info()
        long = (
            info.is_continue_as_new_suggested()
            or info.get_current_history_length() >= self.ctx.start.history_limit
        )
        return long and not self.queue and workflow.all_handlers_finished()

    # -- what people do: each update is its step, validated by its check -------------------

    def check_action(self, action: Action, given: BaseModel) -> None:
        """An action's check (domain/catalogue.py) on the case as it stands now: a window
        that has ended by the time the step would be applied refuses it here, to the caller,
        rather than failing the workflow task that applies it."""
        action.check(self.ctx.file.at(workflow.now()), self.ctx.start, given)

    def answer(self) -> CaseView:
        return self.view()

    @queued_action("outcome")
    async def outcome(self, a: OutcomeInput) -> None:
        """A handler reports `resolved` or `failed`; returns the case as it stands after."""
        if a.outcome == "resolved":
            await self._resolve(a)
        else:
            await self._then(self.ladder.failed(a.actor, a.reason or ""))

    @queued_action("pause")
    async def pause(self, a: PauseInput) -> None:
        """Stop the clock: waiting on a party, an appraisal, a hearing."""
        self.ladder.pause(a)

    @queued_action("resume")
    async def resume(self, a: ResumeInput) -> None:
        """Restart the clocks the pause stopped (the level's and the track's); each deadline
        moves by the time the pause lost."""
        paused_at = self.ctx.file.clock.paused_since
        assert paused_at is not None
        self.tracks.resume(paused_at)
        self.ladder.resume(a)

    @queued_action("contact")
    async def contact(self, a: ContactInput) -> None:
        """A handler reached the applicant (the response rate counts the first contact)."""
        self.ctx.recorder.record(
            "contacted",
            self.ctx._("{name} contacted the applicant ({channel})").format(
                name=a.actor.name, channel=self.ctx.term("channel", a.channel)
            )
            + (f": {a.note}" if a.note else ""),
            actor=a.actor,
            data={"channel": a.channel, "note": a.note},
        )

    @queued_action("extend")
    async def extend(self, a: ExtendInput) -> None:
        """A supervisor of the level above grants more time, within the policy's cap."""
        self.ladder.extend(a)

    @queued_action("escalate")
    async def escalate(self, a: EscalateInput) -> None:
        """The applicant asks for the case to go up a level."""
        upper = next_level(self.ctx.file.level)
        assert upper is not None
        why = self.ctx._("the applicant asked: {reason}").format(reason=a.reason)
        await self.arrive_at(ArriveAt(upper, why=why, trigger="applicant_request", actor=a.actor))

    @queued_action("pull-up")
    async def pull_up(self, a: EscalateInput) -> None:
        """A supervisor above pulls the case up to their level (or `to_level`)."""
        target = pull_up_level(a.actor, self.ctx.directory.holder(), a.to_level)
        why = self.ctx._("pulled up by {name}: {reason}").format(name=a.actor.name, reason=a.reason)
        await self.arrive_at(ArriveAt(target, why=why, trigger="pull_up", actor=a.actor))

    @queued_action("regrade")
    async def regrade(self, a: RegradeInput) -> None:
        """New risk flags; a red case below the township goes up."""
        await self._then(self.turns.regrade(a))

    @queued_action("transfer")
    async def transfer(self, a: TransferInput) -> None:
        """Hand the case to another unit at the same level (ours until it accepts)."""
        self.handover.request(a)

    @queued_action("answer_transfer")
    async def answer_transfer(self, a: TransferAnswer) -> None:
        """The receiving unit accepts the case, or objects with a reason."""
        await self._then(self.handover.answer(a))

    @queued_action("withdraw")
    async def withdraw(self, a: WithdrawInput) -> None:
        """The applicant withdraws: the case closes as withdrawn."""
        self.turns.withdraw(a)

    @queued_action("merge")
    async def merge(self, a: MergeInput) -> None:
        """The same dispute as another case: this one ends as merged into it."""
        self.turns.merge(a)

    @queued_action("link")
    async def link(self, a: LinkInput) -> None:
        """Related to another case (a connected matter, or the same one come back): both go on;
        the ledger links the two both ways in this step's write (ledger/steps.py)."""
        self.ctx.recorder.record(
            "linked",
            self.ctx._("linked to case {other} by {who}").format(
                other=a.other, who=self.ctx.who(a.actor)
            )
            + (f": {a.note}" if a.note else ""),
            actor=a.actor,
            data={"other": a.other, "note": a.note},
        )

    @queued_action("refuse")
    async def refuse(self, a: RefuseInput) -> None:
        """A party refuses mediation (People's Mediation Law Art. 17)."""
        await self._then(self.turns.refuse(a))

    @queued_action("visit")
    async def visit(self, a: VisitInput) -> None:
        """The result of a return visit (回访); a bad one within the window reopens the case."""
        if (reopened := self.followup.visit(a)) is not None:
            await self.arrive_at(reopened)
        else:
            self._close_when_followed_up()

    @queued_action("whistle")
    async def whistle(self, a: WhistleInput) -> None:
        """Summon departments to report (吹哨报到)."""
        await self.whistles.blow(a)

    @queued_action("track")
    async def track(self, a: TrackInput) -> None:
        """Hand the case to another track, or (no `to_track`) record that this one failed."""
        self.tracks.change(a)

    @queued_action("extend-track")
    async def extend_track(self, a: TrackExtendInput) -> None:
        """More time on the mediation track, with both parties' consent."""
        self.tracks.extend(a)

    @queued_action("arbitration")
    async def arbitration(self, a: ArbitrationInput) -> None:
        """Labour arbitration: a party applies; the committee accepts (5 days from the
        application), awards (45 days, +15 extended); the award opens 15 days to sue."""
        if a.step == "award":
            award = OutcomeInput(
                outcome="resolved",
                actor=a.actor,
                agreement=a.award,
                reason=self.ctx._("labour arbitration award"),
            )
            await self._resolve(award, award=a)
        else:
            self.tracks.arbitration(a)

    @queued_action("confirmation")
    async def confirmation(self, a: ConfirmationInput) -> None:
        """Judicial confirmation: applied, accepted, extended, confirmed or rejected."""
        self.judicial.step(a)
        self._close_when_followed_up()

    @workflow.signal(name=DUTY_CHANGED_SIGNAL)
    def duty_changed(self, change: DutyChange) -> None:
        """A summoned department's duty moved (its child workflow tells the case)."""

        async def step(c: DutyChange) -> None:
            self.whistles.duty_changed(c)

        self.queue.append(Pending(change, step))

    @workflow.query
    def offers(self, asker: Actor) -> catalogue.Offers:
        """What `asker` may do on the case now: the actions whose checks would let them."""
        return catalogue.offers(self.ctx.file.at(workflow.now()), self.ctx.start, asker)

    @workflow.query
    def view(self) -> CaseView:
        """The case as of its last written step: level, clock, warnings, transfer, visits,
        latest events."""
        assert self.ctx.recorder.shown is not None
        return self.ctx.recorder.shown


def _new_file(start: CaseStart) -> CaseFile:
    intake, policy, now = start.intake, start.policy, workflow.now()
    risk = policy.risk_of(intake.risk_flags, intake.dispute_type, intake.amount_cny)
    loc = intake.location
    return CaseFile(
        case_id=start.case_id,
        risk=risk,
        risk_flags=list(intake.risk_flags),
        units={
            Level.grid: loc.grid,
            Level.village: loc.village,
            Level.township: loc.township,
            Level.county: loc.county,
        },
        level=policy.opens_at[risk],
        opened_at=now,
        clock=LevelClock(started_at=now),
    )
