"""Whistle and report (街乡吹哨、部门报到).

A part of CaseWorkflow. At the township (or the county) a handler — or the policy, for
certain dispute types and risk colours — blows a whistle naming departments; each summoned
department's duty runs as its own child workflow (`DepartmentDutyWorkflow`), visible under
the case in the Web UI, and tells the case of every change by signal. The whistle is
answered when the departments it requires have reported (all, or a quorum).
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from activities.departments import DepartmentActivities
    from domain.actions import WhistleInput
    from domain.case_models import Whistle
    from domain.duty_contract import DutyChange, DutyStart
    from domain.duty_models import FindDepartments
    from domain.ladder import Level
    from domain.naming import duty_workflow_id
    from domain.whistle import (
        DutyEvent,
        DutyState,
        WhistleKind,
        auto_whistle,
        duty_deadlines,
        quorum_met,
    )
    from ledger.rows import Recipient
    from workflows.activity_options import ACTIVITY_TIMEOUT, DB_RETRY
    from workflows.case.context import CaseContext

#: Duty events the county and the department are told of: 督办 and its reminder.
SUPERVISION_EVENTS = frozenset({DutyEvent.supervise, DutyEvent.overrule})


class Whistles:
    def __init__(self, ctx: CaseContext) -> None:
        self.ctx = ctx

    async def blow(self, action: WhistleInput) -> None:
        await self._blow(action, WhistleKind(action.kind), action.departments, action.reason)

    async def policy_whistle(self) -> None:
        """The policy's own whistle, when a case of its type and colour reaches the township."""
        f, intake = self.ctx.file, self.ctx.intake
        rule = auto_whistle(intake.dispute_type, f.risk, self.ctx.policy.whistle)
        if rule is None or f.whistles:
            return
        kind, codes = rule
        ctx = self.ctx
        reason = ctx._("policy: {dispute_type}, {risk}").format(
            dispute_type=ctx.term("dispute_type", intake.dispute_type),
            risk=ctx.term("risk", f.risk),
        )
        await self._blow(None, kind, codes, reason)

    async def _blow(
        self, action: WhistleInput | None, kind: WhistleKind, codes: list[str], reason: str
    ) -> None:
        ctx, f, policy = self.ctx, self.ctx.file, self.ctx.policy
        found = await workflow.execute_activity_method(
            DepartmentActivities.find,
            FindDepartments(
                township=f.units[Level.township], county=f.units[Level.county], codes=codes
            ),
            start_to_close_timeout=ACTIVITY_TIMEOUT,
            retry_policy=DB_RETRY,
        )
        now = workflow.now()
        whistle = Whistle(
            seq=len(f.whistles) + 1,
            kind=kind.value,
            blown_at=now,
            reason=reason,
            duties={d.code: DutyState.summoned.value for d in found.departments},
            missing=found.missing,
            answered=not found.departments,
        )
        f.whistles.append(whistle)
        rules = policy.whistle.kinds[kind]
        check_in_by, report_by = duty_deadlines(now, rules, policy.after)
        _ = ctx._
        who = _(", ").join(
            _("{name} ({unit})").format(name=d.name, unit=d.unit) for d in found.departments
        )
        who = who or _("nobody")
        lacking = (
            _("; no department serves {codes}").format(
                codes=_(", ").join(ctx.term("department", code) for code in found.missing)
            )
            if found.missing
            else ""
        )
        event = ctx.recorder.record(
            "whistle_blown",
            _(
                "{kind} whistle ({reason}): {who} must check in by {check_in_by} and report by "
                "{report_by}"
            ).format(
                kind=ctx.term("whistle", kind),
                reason=reason,
                who=who,
                check_in_by=ctx.when(check_in_by),
                report_by=ctx.when(report_by),
            )
            + lacking,
            actor=action.actor if action else None,
            data={
                "whistle": whistle.seq,
                "kind": kind.value,
                "departments": list(whistle.duties),
                "missing": found.missing,
                "quorum": rules.quorum,
                "reason": reason,
                "check_in_by": check_in_by.isoformat(),
                "report_by": report_by.isoformat(),
            },
            notify=[Recipient(role=d.code, unit=d.unit) for d in found.departments],
        )
        # The duties write to the ledger under this case: the summons is written first.
        await ctx.recorder.flush()
        case_wf = workflow.info().workflow_id
        for dept in found.departments:
            await workflow.start_child_workflow(
                "DepartmentDutyWorkflow",
                DutyStart(
                    case_id=f.case_id,
                    case_workflow_id=case_wf,
                    whistle_seq=whistle.seq,
                    whistle_kind=kind,
                    department=dept,
                    summoned_at=now,
                    check_in_by=check_in_by,
                    report_by=report_by,
                    township=f.units[Level.township],
                    county=f.units[Level.county],
                    utc_offset_hours=policy.utc_offset_hours,
                    lang=ctx.start.lang,
                ),
                id=duty_workflow_id(case_wf, whistle.seq, dept.code),
                static_summary=_(
                    "{department} must report on case {case_id} ({kind}, whistle {seq}, "
                    "event {event})"
                ).format(
                    department=dept.name,
                    case_id=f.case_id,
                    kind=ctx.term("whistle", kind),
                    seq=whistle.seq,
                    event=event.seq,
                ),
            )

    def duty_changed(self, change: DutyChange) -> None:
        ctx, f = self.ctx, self.ctx.file
        whistle = next(w for w in f.whistles if w.seq == change.whistle_seq)
        whistle.duties[change.department] = change.state.value
        _ = ctx._
        by = _(" by {name}").format(name=change.actor.name) if change.actor else ""
        notify = None
        if change.event in SUPERVISION_EVENTS:
            dept = Recipient(
                role=change.department, unit=change.detail.get("unit", f.units[Level.township])
            )
            notify = [ctx.directory.county(), dept]
        moved = _("{department}: {event}{by} → {state}").format(
            department=ctx.term("department", change.department),
            event=ctx.term("duty_event", change.event),
            by=by,
            state=ctx.term("duty_state", change.state),
        )
        ctx.recorder.record(
            f"department_{change.event.value}",
            moved + (_(" (督办 by the county)") if notify else ""),
            actor=change.actor,
            data={
                "whistle": whistle.seq,
                "department": change.department,
                "event": change.event.value,
                "state": change.state.value,
                **change.detail,
            },
            notify=notify,
        )
        self._check_quorum(whistle)

    def _check_quorum(self, whistle: Whistle) -> None:
        if whistle.answered:
            return
        rules = self.ctx.policy.whistle.kinds[WhistleKind(whistle.kind)]
        states = whistle.duties
        reported = {c for c, s in states.items() if s == DutyState.reported.value}
        excused = {c for c, s in states.items() if s == DutyState.excused.value}
        if quorum_met(rules, list(states), reported, excused):
            whistle.answered = True
            self.ctx.recorder.record(
                "whistle_answered",
                self.ctx._(
                    "whistle {seq} answered: {reported} reported (quorum {quorum}); the case "
                    "moves on"
                ).format(
                    seq=whistle.seq,
                    reported=self.ctx._(", ").join(
                        self.ctx.term("department", code) for code in sorted(reported)
                    )
                    or self.ctx._("nobody"),
                    quorum=rules.quorum,
                ),
                data={
                    "whistle": whistle.seq,
                    "reported": sorted(reported),
                    "excused": sorted(excused),
                },
            )
