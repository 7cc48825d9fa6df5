"""Tri-linked mediation (三调联动): the track a case mediates on and its time limit.

A part of CaseWorkflow. A case mediates on one track at a time — people's, administrative,
judicial, or labour mediation then arbitration — each with its legal time limit; a hand-off
keeps the case's parties, history and ladder clocks. When the last track fails the parties
are told their other routes (Art. 26) and the case closes as referred. An arbitration award
is a resolution: the workflow applies it.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import Actor, ArbitrationInput, TrackExtendInput, TrackInput
    from domain.case_models import ON_THE_LADDER, CaseStatus, Mediation
    from domain.durations import Budget
    from domain.lifecycle import FINISHED, Move, move, next_status
    from domain.mediation import (
        JUDICIAL,
        OTHER_ROUTES,
        Track,
        arbitration_deadlines,
        next_track,
        route,
        time_limit,
    )
    from workflows.case.alarm import Wake
    from workflows.case.arbitration import ArbitrationRun
    from workflows.case.context import CaseContext
    from workflows.case.court_mediation import CourtMediationRun, on_engine
    from workflows.case.intents import Acted
    from workflows.case.versions import ARBITRATION_ON_ENGINE, SUPERVISED_LAPSE_STAYS_OPEN

PARTIES = frozenset({"applicant", "respondent", "third_party"})


class Tracks:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx
        table = ctx.start.arbitration
        #: Labour arbitration on the procedure engine, for a case started with its table.
        self.engine = None if table is None else ArbitrationRun(ctx, table)
        court = ctx.start.court
        #: Court-referred mediation on the engine, for a case started with the court's table
        #: (its mediation part): decided by the start alone, no patch asked.
        self.court = None if court is None else CourtMediationRun(ctx, court)

    def _on_engine(self, step: str) -> bool:
        """Whether this case's arbitration runs on the engine: decided once, when a party
        applies (a case that applied before the patch keeps the policy's clocks)."""
        m = self.ctx.file.mediation
        if step != "applied":
            return m is not None and m.procedure is not None
        return self.engine is not None and workflow.patched(ARBITRATION_ON_ENGINE)

    def _set(self, track: Track, department: str | None, why: str, actor: Actor | None = None):
        ctx, f, now = self.ctx, self.ctx.file, workflow.now()
        before = f.mediation
        run = None
        if track is Track.labour_arbitration:
            # The committee's 5 days to accept run from a party's application, a step of its
            # own: until then no clock runs on this track.
            due, limit = None, ctx._("awaits a party's application")
        elif track in JUDICIAL and self.court is not None:
            # The court's table: its window's length and article (特邀调解规定 Art. 27).
            run = self.court.open(track, now)
            window = CourtMediationRun.window(run)
            assert window is not None and window.due_at is not None
            due = window.due_at
            limit = ctx._("time limit {budget}, until {due}").format(
                budget=ctx.length(window.length), due=ctx.when(due)
            )
        else:
            budget = time_limit(track, policy=ctx.policy.mediation)
            due = ctx.policy.after(now, budget).due
            limit = ctx._("time limit {budget}, until {due}").format(
                budget=ctx.length(budget.text), due=ctx.when(due)
            )
        f.mediation = Mediation(
            track=track.value,
            department=department,
            started_at=now,
            due_at=due,
            why=why,
            history=[*(before.history if before else []), track.value],
            procedure=run,
        )
        _ = ctx._
        dept = (
            _(" with {department}").format(department=ctx.term("department", department))
            if department
            else ""
        )
        name = ctx.term("track", track)
        ctx.recorder.record(
            "mediation_track",
            (
                _("mediation from {before} on the {track} track{dept} ({why}); {limit}")
                if before
                else _("mediation on the {track} track{dept} ({why}); {limit}")
            ).format(
                before=ctx.term("track", before.track) if before else "",
                track=name,
                dept=dept,
                why=why,
                limit=limit,
            ),
            actor=actor,
            data={
                "track": track.value,
                "from": before.track if before else None,
                "department": department,
                "why": why,
                "due_at": due.isoformat() if due else None,
            },
        )

    def route_at_intake(self) -> None:
        intake = self.ctx.intake
        r = route(
            intake.dispute_type, intake.complexity, intake.amount_cny, None,
            self.ctx.policy.mediation, self.ctx.lang,
        )  # fmt: skip
        self._set(r.track, r.department, r.why)

    def change(self, action: TrackInput) -> None:
        ctx, f, intake = self.ctx, self.ctx.file, self.ctx.intake
        rules = ctx.policy.mediation
        assert f.mediation is not None
        if action.to_track is None:  # this track failed: the next one, or the other routes
            if on_engine(f.mediation):
                assert self.court is not None
                self.court.end(f.mediation, settled=False)
            ctx.recorder.record(
                "mediation_failed",
                ctx._("mediation failed on the {track} track: {reason}").format(
                    track=ctx.term("track", f.mediation.track), reason=action.reason
                ),
                actor=action.actor,
                data={"track": f.mediation.track, "reason": action.reason},
            )
            self._next_or_refer(why=action.reason, actor=action.actor)
            return
        chosen = Track(action.to_track)
        if action.actor.role in PARTIES:
            r = route(
                intake.dispute_type, intake.complexity, intake.amount_cny, chosen, rules, ctx.lang
            )
            self._set(r.track, r.department, r.why, action.actor)
            return
        department = rules.administrative.get(intake.dispute_type)
        self._set(
            chosen,
            department if chosen is Track.administrative else None,
            ctx._("handed off: {reason}").format(reason=action.reason),
            action.actor,
        )

    def _next_or_refer(self, *, why: str, actor: Actor | None = None, lapsed: bool = False):
        """The next track, or the end of mediation: a person's act (or a lapse) refers the
        case; a lapse under the county's supervision keeps it open (the lifecycle says)."""
        ctx, f, intake = self.ctx, self.ctx.file, self.ctx.intake
        rules = ctx.policy.mediation
        assert f.mediation is not None
        upcoming = next_track(Track(f.mediation.track), intake.dispute_type, rules)
        if upcoming is not None:
            department = rules.administrative.get(intake.dispute_type)
            self._set(
                upcoming,
                department if upcoming is Track.administrative else None,
                ctx._("after {track}: {why}").format(
                    track=ctx.term("track", f.mediation.track), why=why
                ),
                actor,
            )
            return
        how = Move.last_track_lapsed if lapsed else Move.refer
        if how is Move.last_track_lapsed and next_status(f.status, how) not in FINISHED:
            # Before the patch a supervised case was referred here (as a refusal would be): a
            # history without the patch's marker replays that path (workflows/case/versions.py).
            if workflow.patched(SUPERVISED_LAPSE_STAYS_OPEN):
                self._exhausted_under_supervision(why)
                return
            how = Move.refer
        ctx.finish(
            how,
            "referred",
            ctx._(
                "mediation ended on the last track ({track}): {why}; the parties are told of "
                "arbitration, administrative handling or the court (Art. 26)"
            ).format(track=ctx.term("track", f.mediation.track), why=why),
            actor=actor,
            data={"track": f.mediation.track, "route": OTHER_ROUTES, "reason": why},
            notify=ctx.directory.parties(),
        )

    def _exhausted_under_supervision(self, why: str) -> None:
        """The last track lapsed while the county supervises: the case stays supervised, its
        track no longer watched, and the supervisor is told (never closed silently)."""
        ctx, f = self.ctx, self.ctx.file
        m = f.mediation
        assert m is not None
        move(f, Move.last_track_lapsed, workflow.now())
        m.flagged_overdue = True
        ctx.recorder.record(
            "mediation_exhausted",
            ctx._(
                "mediation ended on the last track ({track}): {why}; the case stays under "
                "county supervision (督办) until it is resolved"
            ).format(track=ctx.term("track", m.track), why=why),
            data={"track": m.track, "reason": why, "status": f.status.value},
            notify=[ctx.directory.supervisor_above()],
        )

    def arbitration(self, action: ArbitrationInput) -> None:
        """A party applies, the committee accepts or extends (the award is a resolution: the
        workflow applies it, then `award()`)."""
        ctx, m, now = self.ctx, self.ctx.file.mediation, workflow.now()
        assert m is not None
        if self._on_engine(action.step):
            assert self.engine is not None
            if not self.engine.apply(m, action):
                return
        elif action.step == "applied":
            m.applied_at = now
            m.due_at = arbitration_deadlines(ctx.policy, applied_at=now).accept_by
        elif action.step == "accepted":
            m.accepted_at = now
            m.due_at = arbitration_deadlines(ctx.policy, accepted_at=now).award_by
        else:  # extended, with the committee chair's approval
            m.due_at = arbitration_deadlines(
                ctx.policy, accepted_at=m.accepted_at
            ).award_by_extended
        assert m.due_at is not None
        m.flagged_overdue = False
        _ = ctx._
        texts = {
            "applied": _("labour arbitration applied for by {who}; acceptance due {due}"),
            "accepted": _("labour arbitration accepted by {who}; award due {due}"),
            "extended": _("labour arbitration extended by {who}; award due {due}"),
        }
        ctx.recorder.record(
            f"arbitration_{action.step}",
            texts[action.step].format(who=ctx.who(action.actor), due=ctx.when(m.due_at)),
            actor=action.actor,
            data={"due_at": m.due_at.isoformat(), **ArbitrationRun.where(m)},
        )

    def award(self, action: ArbitrationInput) -> None:
        """The award opens the parties' 15 days to sue (Arts. 48, 50) — the worker's alone
        when it is final for the employer (Arts. 47, 48); the case does not close before that
        window does. An award is not a mediation agreement: no judicial confirmation."""
        ctx, m, now = self.ctx, self.ctx.file.mediation, workflow.now()
        assert m is not None
        if self._on_engine("award"):
            assert self.engine is not None
            self.engine.award(m, action)
        else:
            m.sue_by = arbitration_deadlines(ctx.policy, award_received_at=now).sue_by
        assert m.sue_by is not None
        final = self.engine is not None and self.engine.final_for_employer(m)
        ctx.recorder.record(
            "arbitration_sue_window",
            (
                ctx._(
                    "the award is final for the employer (Art. 47); the worker may sue in the "
                    "people's court until {due}, after that the award is final (Art. 48)"
                )
                if final
                else ctx._(
                    "the parties may sue in the people's court until {due}; after that the "
                    "award is final"
                )
            ).format(due=ctx.when(m.sue_by)),
            data={"sue_by": m.sue_by.isoformat(),
                  **({"final_for_employer": True} if final else {}), **ArbitrationRun.where(m)},
            notify=ctx.directory.parties(),
        )  # fmt: skip

    def pending(self) -> bool:
        """An award's window to sue is still open."""
        m = self.ctx.file.mediation
        return m is not None and m.sue_by is not None and not m.award_final

    def resume(self, paused_at: datetime) -> None:
        """A pause stopped the track's time limit too (not arbitration's: it runs by law)."""
        ctx, m = self.ctx, self.ctx.file.mediation
        if m is None or m.due_at is None or m.track == Track.labour_arbitration.value:
            return
        if on_engine(m):  # court-referred mediation's window runs by law: it did not stop
            return
        budget = time_limit(Track(m.track), policy=ctx.policy.mediation)
        m.due_at = ctx.policy.resume_due(m.due_at, paused_at, workflow.now(), budget)

    def extend(self, action: TrackExtendInput) -> None:
        ctx, m = self.ctx, self.ctx.file.mediation
        assert m is not None and m.due_at is not None
        by = action.by
        if on_engine(m):  # the table's one extension, of its length
            assert self.court is not None
            by = self.court.extend(m, action)
        else:
            m.due_at = ctx.policy.after(m.due_at, Budget.parse(action.by)).due
        m.extensions.append(by)
        m.flagged_overdue = False
        ctx.recorder.record(
            "track_extended",
            ctx._(
                "the {track} track extended by {by} with both parties' consent ({reason}); "
                "until {due}"
            ).format(
                track=ctx.term("track", m.track),
                by=ctx.length(by),
                reason=action.reason,
                due=ctx.when(m.due_at),
            ),
            actor=action.actor,
            data={"track": m.track, "by": by, "reason": action.reason,
                  "due_at": m.due_at.isoformat()},
            notify=ctx.directory.parties(),
        )  # fmt: skip

    def _watching(self) -> Mediation | None:
        """The track whose time limit runs now: none while the case is paused (the county's
        clocks stop), except arbitration's, which runs by law."""
        f, m = self.ctx.file, self.ctx.file.mediation
        if m is None or m.due_at is None or m.flagged_overdue or f.status not in ON_THE_LADDER:
            return None
        if f.status is CaseStatus.paused and m.track != Track.labour_arbitration.value:
            # Court-referred mediation on the engine runs by law too, but its end may close
            # the case, which a paused case cannot: a window that ended during the pause is
            # applied when the case resumes (`resume` does not lengthen it).
            return None
        return m

    def settled(self) -> None:
        """The case resolved by agreement: court-referred mediation on the engine ends
        `settled` (特邀调解规定 Art. 20)."""
        m = self.ctx.file.mediation
        if on_engine(m):
            assert self.court is not None and m is not None
            self.court.end(m, settled=True)

    def _court_window_ended(self, m: Mediation, now: datetime) -> Acted:
        """Before filing the 30 days' end sends the dispute to docketing: the track lapses
        (the next track or the other routes, as before). After filing the window's end is
        flagged: the county is told and the track stays."""
        ctx = self.ctx
        assert self.court is not None
        moved, law = self.court.expire(m, now)
        if moved:
            ctx.recorder.record(
                "track_lapsed",
                ctx._("the {track} track's time limit passed").format(
                    track=ctx.term("track", m.track)
                ),
                data={"track": m.track, "due_at": m.due_at.isoformat(), "law": law},
            )
            self._next_or_refer(why=ctx._("its time limit passed"), lapsed=True)
            return Acted()
        m.flagged_overdue = True
        ctx.recorder.record(
            "track_overdue",
            ctx._(
                "the {track} track's time limit passed ({law}): it stays on the track, the "
                "county is told"
            ).format(track=ctx.term("track", m.track), law=law),
            data={"track": m.track, "due_at": m.due_at.isoformat(), "law": law},
            notify=[ctx.directory.county()],
        )
        return Acted()

    def wakeups(self) -> list[Wake]:
        m, wakes = self._watching(), []
        if m is not None:
            assert m.due_at is not None
            limit = self.ctx._("{track} time limit").format(track=self.ctx.term("track", m.track))
            wakes.append(Wake(m.due_at, limit))
        if self.pending():
            sue = self.ctx._("window to sue the award")
            wakes.append(Wake(self.ctx.file.mediation.sue_by, sue))
        return wakes

    def on_clock(self, now: datetime) -> Acted | None:
        ctx, m = self.ctx, self.ctx.file.mediation
        if self.pending() and now >= m.sue_by:
            if m.procedure is not None:
                assert self.engine is not None
                self.engine.expire(m, now)
            m.award_final = True
            ctx.recorder.record(
                "arbitration_award_final",
                ctx._("the window to sue the arbitration award has passed: the award is final"),
                data={"sue_by": m.sue_by.isoformat(), **ArbitrationRun.where(m)},
            )
            return Acted()
        m = self._watching()
        if m is None or now < m.due_at:
            return None
        if on_engine(m):  # the court's table says what its window's end does
            return self._court_window_ended(m, now)
        if m.procedure is not None:  # the table says what the committee's lateness does
            assert self.engine is not None
            self.engine.expire(m, now)
            return Acted()
        if m.track == Track.labour_arbitration.value:  # the committee is late: flag it
            m.flagged_overdue = True
            step = "award" if m.accepted_at else "acceptance"
            ctx.recorder.record(
                "arbitration_overdue",
                (
                    ctx._("the arbitration committee's award is overdue")
                    if m.accepted_at
                    else ctx._("the arbitration committee's acceptance is overdue")
                ),
                data={"step": step, "due_at": m.due_at.isoformat()},
                notify=[ctx.directory.county()],
            )
            return Acted()
        ctx.recorder.record(
            "track_lapsed",
            ctx._("the {track} track's time limit passed").format(track=ctx.term("track", m.track)),
            data={"track": m.track, "due_at": m.due_at.isoformat()},
        )
        self._next_or_refer(why=ctx._("its time limit passed"), lapsed=True)
        return Acted()
