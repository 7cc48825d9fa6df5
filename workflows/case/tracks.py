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
    from domain.mediation import (
        OTHER_ROUTES,
        Track,
        arbitration_limits,
        next_track,
        route,
        time_limit,
    )
    from workflows.case.alarm import Wake
    from workflows.case.context import CaseContext

PARTIES = frozenset({"applicant", "respondent", "third_party"})


class Tracks:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    def _set(self, track: Track, department: str | None, why: str, actor: Actor | None = None):
        ctx, f, now = self.ctx, self.ctx.file, workflow.now()
        rules = ctx.policy.mediation
        if track is Track.labour_arbitration:
            limit = arbitration_limits(rules).accept  # the committee accepts first
        else:
            limit = time_limit(track, policy=rules)
        before = f.mediation
        f.mediation = Mediation(
            track=track.value,
            department=department,
            started_at=now,
            due_at=ctx.policy.after(now, limit).due,
            why=why,
            history=[*(before.history if before else []), track.value],
        )
        dept = f" with {department}" if department else ""
        moved = f"from {before.track} " if before else ""
        ctx.record(
            "mediation_track",
            f"mediation {moved}on the {track.value} track{dept} ({why}); time limit "
            f"{limit.text}, until {ctx.local(f.mediation.due_at):%Y-%m-%d %H:%M}",
            actor=actor,
            data={
                "track": track.value,
                "from": before.track if before else None,
                "department": department,
                "why": why,
                "due_at": f.mediation.due_at.isoformat(),
            },
        )

    def route_at_intake(self) -> None:
        intake = self.ctx.intake
        r = route(
            intake.dispute_type, intake.complexity, intake.amount_cny, None,
            self.ctx.policy.mediation,
        )  # fmt: skip
        self._set(r.track, r.department, r.why)

    def change(self, action: TrackInput) -> None:
        ctx, f, intake = self.ctx, self.ctx.file, self.ctx.intake
        rules = ctx.policy.mediation
        assert f.mediation is not None
        if action.to_track is None:  # this track failed: the next one, or the other routes
            ctx.record(
                "mediation_failed",
                f"mediation failed on the {f.mediation.track} track: {action.reason}",
                actor=action.actor,
                data={"track": f.mediation.track, "reason": action.reason},
            )
            self._next_or_refer(why=action.reason, actor=action.actor)
            return
        chosen = Track(action.to_track)
        if action.actor.role in PARTIES:
            r = route(intake.dispute_type, intake.complexity, intake.amount_cny, chosen, rules)
            self._set(r.track, r.department, r.why, action.actor)
            return
        department = rules.administrative.get(intake.dispute_type)
        self._set(
            chosen,
            department if chosen is Track.administrative else None,
            f"handed off: {action.reason}",
            action.actor,
        )

    def _next_or_refer(self, *, why: str, actor: Actor | None = None) -> None:
        ctx, f, intake = self.ctx, self.ctx.file, self.ctx.intake
        rules = ctx.policy.mediation
        assert f.mediation is not None
        upcoming = next_track(Track(f.mediation.track), intake.dispute_type, rules)
        if upcoming is not None:
            department = rules.administrative.get(intake.dispute_type)
            self._set(
                upcoming,
                department if upcoming is Track.administrative else None,
                f"after {f.mediation.track}: {why}",
                actor,
            )
            return
        ctx.finish(
            CaseStatus.referred,
            "referred",
            f"mediation ended on the last track ({f.mediation.track}): {why}; the parties are "
            f"told of {OTHER_ROUTES} (Art. 26)",
            actor=actor,
            data={"track": f.mediation.track, "route": OTHER_ROUTES, "reason": why},
            notify=ctx.parties(),
        )

    def arbitration(self, action: ArbitrationInput) -> None:
        """The committee accepts the case or extends its award (the award is a resolution)."""
        ctx, m, now = self.ctx, self.ctx.file.mediation, workflow.now()
        limits = arbitration_limits(ctx.policy.mediation)
        assert m is not None
        if action.step == "accepted":
            m.accepted_at = now
            m.due_at = ctx.policy.after(now, limits.award).due
        else:  # extended, with the committee chair's approval
            assert m.accepted_at is not None
            m.due_at = ctx.policy.after(m.accepted_at, limits.award_extended).due
        m.flagged_overdue = False
        ctx.record(
            f"arbitration_{action.step}",
            f"labour arbitration {action.step} by {action.actor.name}; award due "
            f"{ctx.local(m.due_at):%Y-%m-%d}",
            actor=action.actor,
            data={"due_at": m.due_at.isoformat()},
        )

    def extend(self, action: TrackExtendInput) -> None:
        ctx, m = self.ctx, self.ctx.file.mediation
        assert m is not None
        m.due_at = ctx.policy.after(m.due_at, Budget.parse(action.by)).due
        m.extensions.append(action.by)
        m.flagged_overdue = False
        ctx.record(
            "track_extended",
            f"the {m.track} track extended by {action.by} with both parties' consent "
            f"({action.reason}); until {ctx.local(m.due_at):%Y-%m-%d %H:%M}",
            actor=action.actor,
            data={"track": m.track, "by": action.by, "reason": action.reason,
                  "due_at": m.due_at.isoformat()},
            notify=ctx.parties(),
        )  # fmt: skip

    def _watching(self) -> Mediation | None:
        m = self.ctx.file.mediation
        if m is None or m.flagged_overdue or self.ctx.file.status not in ON_THE_LADDER:
            return None
        return m

    def wakeups(self) -> list[Wake]:
        m = self._watching()
        return [Wake(m.due_at, f"{m.track} time limit")] if m else []

    async def on_clock(self, now: datetime) -> bool:
        ctx, m = self.ctx, self._watching()
        if m is None or now < m.due_at:
            return False
        if m.track == Track.labour_arbitration.value:  # the committee is late: flag it
            m.flagged_overdue = True
            step = "award" if m.accepted_at else "acceptance"
            ctx.record(
                "arbitration_overdue",
                f"the arbitration committee's {step} is overdue",
                data={"step": step, "due_at": m.due_at.isoformat()},
                notify=[ctx.county()],
            )
            return True
        ctx.record(
            "track_lapsed",
            f"the {m.track} track's time limit passed",
            data={"track": m.track, "due_at": m.due_at.isoformat()},
        )
        self._next_or_refer(why="its time limit passed")
        return True
