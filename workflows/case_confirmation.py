"""Judicial confirmation (司法确认) in CaseWorkflow.

A mixin of `workflows/case.py`. A resolution that carries an agreement opens the window for
the parties to apply to the court (30 days, a reminder before it closes); then the court
accepts (3 days) and decides (15 days, +10 with approval). Confirmed, rejected and lapsed
outcomes are all recorded; the case closes when this and its return visits are done.
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import ConfirmationInput, OutcomeInput
    from domain.case_models import Confirmation
    from domain.confirmation import confirmation_deadlines, confirmation_policy
    from workflows.case_tracks import TrackSteps


class ConfirmationSteps(TrackSteps):
    async def _after_resolution(self, action: OutcomeInput) -> None:
        f, policy = self._file, self._start.policy
        if not action.agreement or not workflow.patched("judicial-confirmation"):
            return
        now = workflow.now()
        d = confirmation_deadlines(
            now,
            confirmation_policy(policy.confirmation),
            calendar=policy.calendar,
            utc_offset_hours=policy.utc_offset_hours,
        )
        f.confirmation = Confirmation(agreement_at=now, apply_by=d.apply_by, remind_at=d.remind_at)
        await self._record(
            "confirmation_window",
            f"the parties may apply to the court for judicial confirmation of the agreement "
            f"until {policy.local(d.apply_by):%Y-%m-%d %H:%M} (Art. 33)",
            data={"apply_by": d.apply_by.isoformat(), "remind_at": d.remind_at.isoformat()},
        )

    def _follow_up_pending(self) -> bool:
        c = self._file.confirmation
        return super()._follow_up_pending() or (c is not None and c.outcome is None)

    def _confirmation_wakeups(self) -> list[datetime]:
        c = self._file.confirmation
        if c is None or c.outcome is not None:
            return []
        if c.applied_at is None:
            return [c.apply_by] + ([] if c.reminded else [c.remind_at])
        due = c.decide_by if c.accepted_at else c.accept_by
        step = "decision" if c.accepted_at else "acceptance"
        return [due] if due is not None and step not in c.flagged else []

    async def _confirmation_clock(self, now: datetime) -> bool:
        c, policy = self._file.confirmation, self._start.policy
        if c is None or c.outcome is not None:
            return False
        if c.applied_at is None and now >= c.apply_by:
            c.outcome = "lapsed"
            await self._record(
                "confirmation_lapsed",
                "no application for judicial confirmation "
                "within the window: the agreement stands unconfirmed",
            )
            await self._maybe_close()
            return True
        if c.applied_at is None and not c.reminded and now >= c.remind_at:
            c.reminded = True
            await self._record(
                "confirmation_reminder",
                f"reminder: the window to apply for judicial confirmation closes "
                f"{policy.local(c.apply_by):%Y-%m-%d %H:%M}",
                notify=self._parties(),
            )
            return True
        step = "decision" if c.accepted_at else "acceptance"
        due = c.decide_by if c.accepted_at else c.accept_by
        if c.applied_at is not None and due is not None and now >= due and step not in c.flagged:
            c.flagged.append(step)
            await self._record(
                f"court_{step}_overdue",
                f"the court's {step} is overdue",
                data={"due_at": due.isoformat()},
                notify=[self._county()],
            )
            return True
        return False

    async def _confirmation_step(self, action: ConfirmationInput) -> None:
        c, policy, now = self._file.confirmation, self._start.policy, workflow.now()
        assert c is not None
        rules = confirmation_policy(policy.confirmation)
        kw = {"calendar": policy.calendar, "utc_offset_hours": policy.utc_offset_hours}
        if action.step == "applied":
            c.applied_at = now
            c.accept_by = confirmation_deadlines(
                c.agreement_at, rules, applied_at=now, **kw
            ).accept_by
        elif action.step in ("accepted", "extended"):
            if action.step == "accepted":
                c.accepted_at = now
            d = confirmation_deadlines(
                c.agreement_at, rules, applied_at=c.applied_at, accepted_at=c.accepted_at, **kw
            )
            c.decide_by = d.decide_by if action.step == "accepted" else d.decide_by_extended
            c.flagged = [s for s in c.flagged if s != "decision"]
        else:
            c.outcome = action.step  # confirmed or rejected
        due = {"applied": c.accept_by, "accepted": c.decide_by, "extended": c.decide_by}.get(
            action.step
        )
        by = f"; next step due {policy.local(due):%Y-%m-%d}" if due else ""
        await self._record(
            f"confirmation_{action.step}",
            f"judicial confirmation: {action.step} ({action.actor.name}){by}",
            actor=action.actor,
            data={
                "step": action.step,
                "note": action.note,
                "due_at": due.isoformat() if due else None,
            },
        )
        if c.outcome is not None:
            await self._maybe_close()
