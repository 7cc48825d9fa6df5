"""Tri-linked mediation (三调联动) steps of CaseWorkflow.

A mixin of `workflows/case.py`. A case mediates on one track at a time — people's,
administrative, judicial, or labour mediation then arbitration — each with its legal time
limit; a hand-off keeps the case's parties, history and ladder clocks. When the last track
fails the parties are told their other routes (Art. 26) and the case closes as referred.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import (
        Actor,
        ArbitrationInput,
        OutcomeInput,
        TrackExtendInput,
        TrackInput,
    )
    from domain.case_models import ON_THE_LADDER, CaseStatus, Mediation
    from domain.mediation import (
        OTHER_ROUTES,
        Extension,
        Track,
        arbitration_limits,
        next_track,
        route,
        time_limit,
    )
    from domain.mediation_policy import mediation_policy
    from domain.policy import Budget
    from workflows.case_followup import FollowUpSteps

PARTIES = frozenset({"applicant", "respondent", "third_party"})


class TrackSteps(FollowUpSteps):
    # -- the track ---------------------------------------------------------------------------

    async def _set_track(
        self, track: Track, department: str | None, why: str, actor: Actor | None = None
    ) -> None:
        f, policy, now = self._file, self._start.policy, workflow.now()
        rules = mediation_policy(policy.mediation)
        if track is Track.labour_arbitration:
            limit = arbitration_limits(rules).accept  # the committee accepts first
        else:
            limit = time_limit(track, policy=rules)
        before = f.mediation
        f.mediation = Mediation(
            track=track.value,
            department=department,
            started_at=now,
            due_at=policy.after(now, limit).due,
            why=why,
            history=[*(before.history if before else []), track.value],
        )
        dept = f" with {department}" if department else ""
        moved = f"from {before.track} " if before else ""
        await self._record(
            "mediation_track",
            f"mediation {moved}on the {track.value} track{dept} ({why}); time limit "
            f"{limit.text}, until {policy.local(f.mediation.due_at):%Y-%m-%d %H:%M}",
            actor=actor,
            data={
                "track": track.value,
                "from": before.track if before else None,
                "department": department,
                "why": why,
                "due_at": f.mediation.due_at.isoformat(),
            },
        )

    async def _route_at_intake(self) -> None:
        intake, rules = self._start.intake, mediation_policy(self._start.policy.mediation)
        r = route(intake.dispute_type, intake.complexity, intake.amount_cny, None, rules)
        await self._set_track(r.track, r.department, r.why)

    async def _change_track(self, action: TrackInput) -> None:
        f, intake = self._file, self._start.intake
        rules = mediation_policy(self._start.policy.mediation)
        assert f.mediation is not None
        if action.to_track is None:  # this track failed: the next one, or the other routes
            await self._record(
                "mediation_failed",
                f"mediation failed on the {f.mediation.track} track: {action.reason}",
                actor=action.actor,
                data={"track": f.mediation.track, "reason": action.reason},
            )
            await self._next_track_or_refer(why=action.reason, actor=action.actor)
            return
        chosen = Track(action.to_track)
        if action.actor.role in PARTIES:
            r = route(intake.dispute_type, intake.complexity, intake.amount_cny, chosen, rules)
            await self._set_track(r.track, r.department, r.why, action.actor)
            return
        department = rules.administrative.get(intake.dispute_type)
        await self._set_track(
            chosen,
            department if chosen is Track.administrative else None,
            f"handed off: {action.reason}",
            action.actor,
        )

    async def _next_track_or_refer(self, *, why: str, actor: Actor | None = None) -> None:
        f, intake = self._file, self._start.intake
        rules = mediation_policy(self._start.policy.mediation)
        assert f.mediation is not None
        upcoming = next_track(Track(f.mediation.track), intake.dispute_type, rules)
        if upcoming is not None:
            department = rules.administrative.get(intake.dispute_type)
            await self._set_track(
                upcoming,
                department if upcoming is Track.administrative else None,
                f"after {f.mediation.track}: {why}",
                actor,
            )
            return
        await self._finish(
            CaseStatus.referred,
            "referred",
            f"mediation ended on the last track ({f.mediation.track}): {why}; the parties are "
            f"told of {OTHER_ROUTES} (Art. 26)",
            actor=actor,
            data={"track": f.mediation.track, "route": OTHER_ROUTES, "reason": why},
            notify=self._parties(),
        )

    async def _arbitration(self, action: ArbitrationInput) -> None:
        f, policy, now = self._file, self._start.policy, workflow.now()
        limits = arbitration_limits(mediation_policy(policy.mediation))
        assert f.mediation is not None
        if action.step == "award":
            outcome = OutcomeInput(
                outcome="resolved",
                actor=action.actor,
                agreement=action.award,
                reason="labour arbitration award",
            )
            await self._resolve(outcome)
            return
        if action.step == "accepted":
            f.mediation.accepted_at = now
            f.mediation.due_at = policy.after(now, limits.award).due
        else:  # extended, with the committee chair's approval
            assert f.mediation.accepted_at is not None
            f.mediation.due_at = policy.after(f.mediation.accepted_at, limits.award_extended).due
        f.mediation.flagged_overdue = False
        await self._record(
            f"arbitration_{action.step}",
            f"labour arbitration {action.step} by {action.actor.name}; award due "
            f"{policy.local(f.mediation.due_at):%Y-%m-%d}",
            actor=action.actor,
            data={"due_at": f.mediation.due_at.isoformat()},
        )

    def _track_extension_refusal(self, action: TrackExtendInput) -> str | None:
        """Why the track may not be extended so, or None: the policy's rules (consent, caps)."""
        m = self._file.mediation
        assert m is not None
        wanted = [Extension(length=x, both_parties_consent=True) for x in m.extensions] + [
            Extension(length=action.by, both_parties_consent=action.both_parties_consent)
        ]
        try:
            time_limit(
                Track(m.track), *wanted, policy=mediation_policy(self._start.policy.mediation)
            )
        except ValueError as err:
            return str(err)
        return None

    async def _extend_track(self, action: TrackExtendInput) -> None:
        m, policy = self._file.mediation, self._start.policy
        assert m is not None
        m.due_at = policy.after(m.due_at, Budget.parse(action.by)).due
        m.extensions.append(action.by)
        m.flagged_overdue = False
        await self._record(
            "track_extended",
            f"the {m.track} track extended by {action.by} with both parties' consent "
            f"({action.reason}); until {policy.local(m.due_at):%Y-%m-%d %H:%M}",
            actor=action.actor,
            data={"track": m.track, "by": action.by, "reason": action.reason,
                  "due_at": m.due_at.isoformat()},
            notify=self._parties(),
        )  # fmt: skip

    def _track_wakeups(self) -> list[datetime]:
        m = self._file.mediation
        if m is None or m.flagged_overdue or self._file.status not in ON_THE_LADDER:
            return []
        return [m.due_at]

    async def _track_clock(self, now: datetime) -> bool:
        m = self._file.mediation
        if m is None or m.flagged_overdue or self._file.status not in ON_THE_LADDER:
            return False
        if now < m.due_at:
            return False
        if m.track == Track.labour_arbitration.value:  # the committee is late: flag it
            m.flagged_overdue = True
            step = "award" if m.accepted_at else "acceptance"
            await self._record(
                "arbitration_overdue",
                f"the arbitration committee's {step} is overdue",
                data={"step": step, "due_at": m.due_at.isoformat()},
                notify=[self._county()],
            )
            return True
        await self._record(
            "track_lapsed",
            f"the {m.track} track's time limit passed",
            data={"track": m.track, "due_at": m.due_at.isoformat()},
        )
        await self._next_track_or_refer(why="its time limit passed")
        return True
