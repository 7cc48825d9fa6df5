"""Transfer of jurisdiction (首接负责制): the case stays with its first unit until the
receiving unit accepts; an objection within the window keeps it there, silence accepts.

A part of CaseWorkflow; taking the case over is an arrival at the same level (an intent the
workflow acts on).
"""

from __future__ import annotations

from datetime import datetime

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from domain.actions import Actor, TransferAnswer, TransferInput
    from domain.case_models import Transfer as TransferState
    from domain.durations import Budget
    from ledger.rows import Recipient
    from workflows.case.alarm import Wake
    from workflows.case.context import CaseContext
    from workflows.case.intents import Acted, ArriveAt


class Transfer:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    def request(self, action: TransferInput) -> None:
        ctx, f, now = self.ctx, self.ctx.file, workflow.now()
        window = ctx.policy.after(now, Budget.parse(ctx.policy.transfer_objection_window))
        f.transfer = TransferState(
            to_unit=action.to_unit, requested_at=now, answer_by=window.due, reason=action.reason
        )
        ctx.recorder.record(
            "transfer_requested",
            ctx._(
                "{name} hands the case to {to_unit} ({reason}); {unit} stays responsible until "
                "it accepts; objections by {due}"
            ).format(
                name=action.actor.name,
                to_unit=action.to_unit,
                reason=action.reason,
                unit=f.units[f.level],
                due=ctx.when(window.due),
            ),
            actor=action.actor,
            data={
                "to_unit": action.to_unit,
                "to_level": f.level.value,
                "reason": action.reason,
                "answer_by": window.due.isoformat(),
            },
            notify=[Recipient(role="handler", unit=action.to_unit)],
        )

    def answer(self, action: TransferAnswer) -> ArriveAt | None:
        ctx, f = self.ctx, self.ctx.file
        assert f.transfer is not None
        if action.accept:
            return self._take_over(action.actor, deemed=False)
        to_unit, f.transfer = f.transfer.to_unit, None
        ctx.recorder.record(
            "transfer_objected",
            ctx._(
                "{to_unit} objects to the transfer ({reason}); the case stays with {unit}"
            ).format(to_unit=to_unit, reason=action.reason, unit=f.units[f.level]),
            actor=action.actor,
            data={"reason": action.reason, "to_unit": to_unit},
            notify=[ctx.directory.handler()],
        )
        return None

    def wakeups(self) -> list[Wake]:
        t = self.ctx.file.transfer
        return [Wake(t.answer_by, self.ctx._("transfer objection window"))] if t else []

    def on_clock(self, now: datetime) -> Acted | None:
        t = self.ctx.file.transfer
        if t is None or now < t.answer_by:
            return None
        return Acted(self._take_over(None, deemed=True))

    def _take_over(self, actor: Actor | None, *, deemed: bool) -> ArriveAt:
        f = self.ctx.file
        assert f.transfer is not None
        old, new = f.units[f.level], f.transfer.to_unit
        f.units = {**f.units, f.level: new}
        f.transfer = None
        _ = self.ctx._
        self.ctx.recorder.record(
            "transfer_accepted",
            (
                _("{new} did not object in time: deemed accepted; the case moves from {old}")
                if deemed
                else _("{new} accepted; the case moves from {old}")
            ).format(new=new, old=old),
            actor=actor,
            data={"from_unit": old, "to_unit": new, "deemed": deemed},
        )
        why = _("transferred from {old}").format(old=old)
        return ArriveAt(f.level, why=why, trigger="transfer")
