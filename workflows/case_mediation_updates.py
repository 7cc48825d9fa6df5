"""The updates and the signal of CaseWorkflow for whistles, mediation tracks, labour
arbitration and judicial confirmation; each update checked by a validator.

A mixin of `workflows/case.py`, beside `workflows/case_updates.py` (the ladder's updates).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain import authority
    from domain.actions import (
        ArbitrationInput,
        ConfirmationInput,
        TrackExtendInput,
        TrackInput,
        WhistleInput,
    )
    from domain.case_models import ON_THE_LADDER, CaseStatus, CaseView
    from domain.duty_contract import DUTY_CHANGED_SIGNAL, DutyChange
    from domain.ladder import Level
    from domain.mediation import Track, allowed_choices
    from domain.mediation_policy import mediation_policy
    from domain.whistle import WhistleKind
    from workflows.case_updates import CaseUpdates, PendingAction

PARTY_ROLES = frozenset({"applicant", "respondent", "third_party"})
COURT_ROLES = frozenset({"court", "judge"})


class MediationUpdates(CaseUpdates):
    def _check_whistle(self, a: WhistleInput) -> None:
        self._require(ON_THE_LADDER, "blow a whistle")
        if self._file.level not in (Level.township, Level.county):
            raise ValueError(
                f"case {self._file.case_id} is at the {self._file.level.value} level: "
                "only the township or the county blows the whistle (街乡吹哨)"
            )
        authority.check_responsible(a.actor, self._holder())
        if (open_whistle := self._open_whistle()) is not None:
            raise ValueError(f"whistle {open_whistle.seq} is still waiting for its departments")
        WhistleKind(a.kind)

    @workflow.update
    async def blow_whistle(self, a: WhistleInput) -> CaseView:
        """Summon departments to report (吹哨报到)."""
        return await self._submit("whistle", a, lambda: self._check_whistle(a))

    @blow_whistle.validator
    def _v_whistle(self, a: WhistleInput) -> None:
        self._check_whistle(a)

    @workflow.signal(name=DUTY_CHANGED_SIGNAL)
    def duty_changed(self, change: DutyChange) -> None:
        """A summoned department's duty moved (its child workflow tells the case)."""
        self._queue.append(PendingAction("duty", change))

    def _check_track(self, a: TrackInput) -> None:
        self._require(ON_THE_LADDER, "change the mediation track")
        f = self._file
        if f.mediation is None:
            raise ValueError(f"case {f.case_id} has no mediation track")
        if a.to_track is None:
            authority.check_responsible(a.actor, self._holder())
            return
        try:
            track = Track(a.to_track)
        except ValueError:
            raise ValueError(
                f"{a.to_track!r} is not a track: {', '.join(t.value for t in Track)}"
            ) from None
        if a.actor.role in PARTY_ROLES:
            authority.check_party(a.actor, self._holder())
            allowed = allowed_choices(
                self._start.intake.dispute_type, mediation_policy(self._start.policy.mediation)
            )
            if track not in allowed:
                raise ValueError(
                    f"the parties may not choose {track.value} for a "
                    f"{self._start.intake.dispute_type.value} dispute; open to them: "
                    f"{', '.join(sorted(t.value for t in allowed))}"
                )
        else:
            authority.check_responsible(a.actor, self._holder())
        if track.value == f.mediation.track:
            raise ValueError(f"case {f.case_id} is already on the {track.value} track")

    @workflow.update
    async def change_track(self, a: TrackInput) -> CaseView:
        """Hand the case to another track, or (no `to_track`) record that this one failed."""
        return await self._submit("track", a, lambda: self._check_track(a))

    @change_track.validator
    def _v_track(self, a: TrackInput) -> None:
        self._check_track(a)

    def _check_extend_track(self, a: TrackExtendInput) -> None:
        self._require(ON_THE_LADDER, "extend the mediation track")
        m = self._file.mediation
        if m is None:
            raise ValueError(f"case {self._file.case_id} has no mediation track")
        if m.track == Track.labour_arbitration.value:
            raise ValueError("an arbitration award is extended with `arbitration extended`")
        authority.check_responsible(a.actor, self._holder())
        if (refusal := self._track_extension_refusal(a)) is not None:
            raise ValueError(refusal)

    @workflow.update
    async def extend_track(self, a: TrackExtendInput) -> CaseView:
        """More time on the mediation track, with both parties' consent."""
        return await self._submit("extend_track", a, lambda: self._check_extend_track(a))

    @extend_track.validator
    def _v_extend_track(self, a: TrackExtendInput) -> None:
        self._check_extend_track(a)

    def _check_arbitration(self, a: ArbitrationInput) -> None:
        self._require(ON_THE_LADDER, "record an arbitration step")
        m = self._file.mediation
        if m is None or m.track != Track.labour_arbitration.value:
            raise ValueError(f"case {self._file.case_id} is not in labour arbitration")
        if a.actor.role != "arbitrator":
            raise ValueError(f"{a.actor.name} ({a.actor.role}): only an arbitrator records this")
        if (a.step == "accepted") == (m.accepted_at is not None):
            raise ValueError(
                "the committee has already accepted the case"
                if m.accepted_at
                else f"the committee must accept the case before the {a.step}"
            )

    @workflow.update
    async def arbitration(self, a: ArbitrationInput) -> CaseView:
        """Labour arbitration: accepted (5 days), award (45 days, +15 extended)."""
        return await self._submit("arbitration", a, lambda: self._check_arbitration(a))

    @arbitration.validator
    def _v_arbitration(self, a: ArbitrationInput) -> None:
        self._check_arbitration(a)

    def _check_confirmation(self, a: ConfirmationInput) -> None:
        c = self._file.confirmation
        if c is None or c.outcome is not None:
            raise ValueError(f"case {self._file.case_id} has no judicial confirmation open")
        if a.step == "applied":
            authority.check_party(a.actor, self._holder())
            if c.applied_at is not None:
                raise ValueError("the parties have already applied")
            return
        if a.actor.role not in COURT_ROLES:
            raise ValueError(f"{a.actor.name} ({a.actor.role}): only the court records this")
        needs = {
            "accepted": c.applied_at is not None and c.accepted_at is None,
            "extended": c.accepted_at is not None,
            "confirmed": c.accepted_at is not None,
            "rejected": c.accepted_at is not None,
        }
        if not needs[a.step]:
            raise ValueError(
                f"judicial confirmation cannot be {a.step} now: "
                f"applied {c.applied_at is not None}, accepted {c.accepted_at is not None}"
            )

    @workflow.update
    async def confirmation(self, a: ConfirmationInput) -> CaseView:
        """Judicial confirmation: applied, accepted, extended, confirmed or rejected."""
        return await self._submit("confirmation", a, lambda: self._check_confirmation(a))

    @confirmation.validator
    def _v_confirmation(self, a: ConfirmationInput) -> None:
        self._check_confirmation(a)


__all__ = ["CaseStatus", "MediationUpdates"]
