"""Whether an action may be taken on a case now: one pure check per action.

Each check takes the case file, the case's start (intake and policy) and the action, and
raises ValueError with the reason when the actor may not act or the case cannot take the
action now. The workflow runs the same check as the update's validator (a refused action
leaves nothing in the history) and again when it applies the action, since the case may
have moved on in between. Pure: no Temporal, no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from domain import authority, procedure
from domain.actions import (
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
from domain.case_models import ON_THE_LADDER, CaseFile, CaseStart, CaseStatus, Visit, Whistle
from domain.court_mediation import WINDOWS, extend_act
from domain.durations import Budget
from domain.ladder import Level, next_level
from domain.mediation import Extension, Track, allowed_choices, time_limit
from domain.procedure_models import arbitration_act, confirmation_act, counting_for
from domain.procedure_table import ProcedureTable
from domain.roles import APPLICANT, ARBITRATOR, COURT_ROLES, PARTY_ROLES
from domain.whistle import WhistleKind, known_departments
from texts import N_, Lang, texts
from texts.terms import label


def holder(case: CaseFile, start: CaseStart) -> authority.Holder:
    """Who holds the case, for `domain.authority`'s rules."""
    return authority.Holder(
        case_id=case.case_id,
        level=case.level,
        units=case.units,
        parties=tuple((p.name, p.role.value) for p in start.intake.parties),
        transfer_to=case.transfer.to_unit if case.transfer else None,
        lang=start.text_lang,
    )


def pending_visits(case: CaseFile) -> list[Visit]:
    return [v for v in case.follow_up.visits if v.result is None]


def open_whistle(case: CaseFile) -> Whistle | None:
    return next((w for w in case.whistles if not w.answered), None)


def _texts(start: CaseStart):
    """The case's texts: a refusal is in the case's language, like its events."""
    return texts("case", start.text_lang)


def _require(case: CaseFile, start: CaseStart, allowed: Iterable[CaseStatus], what: str) -> None:
    if case.status not in allowed:
        _ = _texts(start)
        raise ValueError(
            _("case {case_id} is {status}: cannot {what} now").format(
                case_id=case.case_id,
                status=label("status", case.status, start.text_lang),
                what=_(what),
            )
        )


def _no_track(case: CaseFile, start: CaseStart) -> str:
    _ = _texts(start)
    return _("case {case_id} has no mediation track").format(case_id=case.case_id)


# -- the ladder ----------------------------------------------------------------------------


def outcome(case: CaseFile, start: CaseStart, a: OutcomeInput) -> None:
    _ = _texts(start)
    _require(case, start, ON_THE_LADDER, N_("record an outcome"))
    if a.level is not None and a.level is not case.level:
        raise ValueError(
            _(
                "case {case_id} is at the {level} level now, not {meant}: the outcome was meant "
                "for an earlier stage"
            ).format(
                case_id=case.case_id,
                level=label("level", case.level, start.text_lang),
                meant=label("level", a.level, start.text_lang),
            )
        )
    authority.check_responsible(a.actor, holder(case, start))


def contact(case: CaseFile, start: CaseStart, a: ContactInput) -> None:
    _require(case, start, ON_THE_LADDER, N_("record a contact"))
    authority.check_responsible(a.actor, holder(case, start))


def pause(case: CaseFile, start: CaseStart, a: PauseInput) -> None:
    _require(case, start, {CaseStatus.open}, N_("pause the clock"))
    authority.check_responsible(a.actor, holder(case, start))


def resume(case: CaseFile, start: CaseStart, a: ResumeInput) -> None:
    _require(case, start, {CaseStatus.paused}, N_("resume the clock"))
    authority.check_responsible(a.actor, holder(case, start))


def extension_refusal(case: CaseFile, start: CaseStart, by: str) -> str | None:
    """Why an extension of `by` is over the policy's cap, or None when it fits."""
    clock, policy, lang = case.clock, start.policy, start.text_lang
    _ = _texts(start)
    if clock.due_at is None:
        return _("case {case_id} has no running deadline to extend").format(case_id=case.case_id)
    added = policy.after(clock.due_at, Budget.parse(by)).due - clock.due_at
    span = clock.due_at - clock.started_at - clock.paused_this_level - clock.extended
    cap = span * policy.extension_cap
    if clock.extended + added > cap:
        return _(
            "an extension of {by} would exceed the policy's cap at this level: {cap} in all "
            "({share} of the budget), {granted} already granted"
        ).format(
            by=hours(added, lang),
            cap=hours(cap, lang),
            share=f"{policy.extension_cap:.0%}",
            granted=hours(clock.extended, lang),
        )
    return None


def extend(case: CaseFile, start: CaseStart, a: ExtendInput) -> None:
    _require(case, start, {CaseStatus.open}, N_("extend the deadline"))
    authority.check_supervisor_above(a.actor, holder(case, start))
    if (refusal := extension_refusal(case, start, a.by)) is not None:
        raise ValueError(refusal)


def escalate(case: CaseFile, start: CaseStart, a: EscalateInput) -> None:
    _ = _texts(start)
    _require(case, start, ON_THE_LADDER, N_("go up a level"))
    authority.check_party(a.actor, holder(case, start), roles=APPLICANT)
    if next_level(case.level) is None:
        raise ValueError(
            _("case {case_id} is at the county: there is no level above").format(
                case_id=case.case_id
            )
        )


def pull_up(case: CaseFile, start: CaseStart, a: EscalateInput) -> None:
    _require(case, start, ON_THE_LADDER, N_("pull the case up"))
    authority.pull_up_level(a.actor, holder(case, start), a.to_level)


def regrade(case: CaseFile, start: CaseStart, a: RegradeInput) -> None:
    _require(case, start, ON_THE_LADDER, N_("re-grade the risk"))
    authority.check_responsible(a.actor, holder(case, start))


def transfer(case: CaseFile, start: CaseStart, a: TransferInput) -> None:
    _ = _texts(start)
    _require(case, start, {CaseStatus.open, CaseStatus.paused}, N_("transfer it"))
    authority.check_responsible(a.actor, holder(case, start))
    if case.transfer is not None:
        raise ValueError(
            _("a transfer to {unit} is already waiting").format(unit=case.transfer.to_unit)
        )
    if a.to_unit == case.units[case.level]:
        raise ValueError(
            _("case {case_id} is already with {unit}").format(case_id=case.case_id, unit=a.to_unit)
        )


def answer_transfer(case: CaseFile, start: CaseStart, a: TransferAnswer) -> None:
    authority.check_transfer_receiver(a.actor, holder(case, start))


def withdraw(case: CaseFile, start: CaseStart, a: WithdrawInput) -> None:
    _require(case, start, ON_THE_LADDER, N_("withdraw it"))
    authority.check_party(a.actor, holder(case, start), roles=APPLICANT)


def merge(case: CaseFile, start: CaseStart, a: MergeInput) -> None:
    _ = _texts(start)
    _require(case, start, ON_THE_LADDER, N_("merge it into another case"))
    if a.into == case.case_id:
        raise ValueError(_("case {case_id} cannot be merged into itself").format(
            case_id=case.case_id))  # fmt: skip
    authority.check_responsible(a.actor, holder(case, start))


def link(case: CaseFile, start: CaseStart, a: LinkInput) -> None:
    """A handler of the case (or a supervisor above) links it to another case; the API
    refuses an `other` that is not in the ledger before it is sent. A finished case is not
    linked: the new report after it is (it is open), and both list the link."""
    _ = _texts(start)
    _require(case, start, ON_THE_LADDER, N_("link it to another case"))
    if a.other == case.case_id:
        raise ValueError(_("case {case_id} cannot be linked to itself").format(
            case_id=case.case_id))  # fmt: skip
    authority.check_responsible(a.actor, holder(case, start))


def refuse(case: CaseFile, start: CaseStart, a: RefuseInput) -> None:
    _require(case, start, ON_THE_LADDER, N_("refuse mediation"))
    authority.check_party(a.actor, holder(case, start))


def visit(case: CaseFile, start: CaseStart, a: VisitInput) -> None:
    _ = _texts(start)
    _require(case, start, {CaseStatus.resolved}, N_("record a return visit"))
    authority.check_visitor(a.actor, holder(case, start))
    if not any(v.visit == a.visit for v in pending_visits(case)):
        raise ValueError(
            _("case {case_id} has no {visit} visit waiting").format(
                case_id=case.case_id, visit=label("visit", a.visit, start.text_lang)
            )
        )


# -- whistles, tracks, arbitration, confirmation ---------------------------------------------


def whistle(case: CaseFile, start: CaseStart, a: WhistleInput) -> None:
    _ = _texts(start)
    _require(case, start, ON_THE_LADDER, N_("blow a whistle"))
    if case.level not in (Level.township, Level.county):
        raise ValueError(
            _(
                "case {case_id} is at the {level} level: only the township or the county blows "
                "the whistle (街乡吹哨)"
            ).format(case_id=case.case_id, level=label("level", case.level, start.text_lang))
        )
    authority.check_responsible(a.actor, holder(case, start))
    if (waiting := open_whistle(case)) is not None:
        raise ValueError(
            _("whistle {seq} is still waiting for its departments").format(seq=waiting.seq)
        )
    WhistleKind(a.kind)
    known = known_departments(start.policy.whistle)
    unknown = [code for code in a.departments if code not in known]
    if unknown:
        # Refused here, before anything is recorded: a name the step cannot look up would fail
        # the workflow task (the departments' lookup takes codes only).
        lang = start.text_lang
        raise ValueError(
            _("no department {names}; a whistle names: {valid}").format(
                names=_(", ").join(unknown),
                valid=_(", ").join(label("department", code, lang) for code in known),
            )
        )


def track(case: CaseFile, start: CaseStart, a: TrackInput) -> None:
    _ = _texts(start)
    _require(case, start, ON_THE_LADDER, N_("change the mediation track"))
    if case.mediation is None:
        raise ValueError(_no_track(case, start))
    if a.to_track is None:
        authority.check_responsible(a.actor, holder(case, start))
        return
    try:
        track = Track(a.to_track)
    except ValueError:
        raise ValueError(
            _("{value} is not a track: {tracks}").format(
                value=repr(a.to_track), tracks=", ".join(t.value for t in Track)
            )
        ) from None
    if a.actor.role in PARTY_ROLES:
        authority.check_party(a.actor, holder(case, start))
        dispute = start.intake.dispute_type
        allowed = allowed_choices(dispute, start.policy.mediation)
        if track not in allowed:
            raise ValueError(
                _(
                    "the parties may not choose {track} for a {dispute_type} dispute; open to "
                    "them: {allowed}"
                ).format(
                    track=track.value,
                    dispute_type=label("dispute_type", dispute, start.text_lang),
                    allowed=", ".join(sorted(t.value for t in allowed)),
                )
            )
    else:
        authority.check_responsible(a.actor, holder(case, start))
    if track.value == case.mediation.track:
        raise ValueError(
            _("case {case_id} is already on the {track} track").format(
                case_id=case.case_id, track=label("track", track, start.text_lang)
            )
        )


def extend_track(case: CaseFile, start: CaseStart, a: TrackExtendInput) -> None:
    _ = _texts(start)
    _require(case, start, ON_THE_LADDER, N_("extend the mediation track"))
    m = case.mediation
    if m is None:
        raise ValueError(_no_track(case, start))
    if m.track == Track.labour_arbitration.value:
        raise ValueError(_("an arbitration award is extended with `arbitration extended`"))
    authority.check_responsible(a.actor, holder(case, start))
    if m.procedure is not None and m.procedure.procedure == "court" and start.court is not None:
        # On the engine the court's table decides: its one extension, with consent, of its
        # own length. Checked as of the time the step would be applied (`as_of`): a window
        # that ended by then is the engine's to apply first, so a late step is refused here.
        counting = counting_for(start.policy)
        at = _as_of(case, m.procedure)
        run = procedure.expire(start.court, m.procedure, at, counting).run
        if run.final or run.state not in WINDOWS:
            raise ValueError(
                _("court-referred mediation has ended ({state}): nothing to extend").format(
                    state=label("procedure_state", run.state, start.text_lang)
                )
            )
        _engine_refuses(start.court, run, extend_act(run.state, at, a.both_parties_consent), start)
        rule = start.court.window(WINDOWS[run.state]).extension
        if rule is not None and a.by != rule.by:
            raise ValueError(
                _("the court's table extends this mediation by {by} ({law}), not {asked}").format(
                    by=rule.by, law=rule.law, asked=a.by
                )
            )
        return
    # The policy's rules (consent, caps) over every extension the track would then have.
    wanted = [Extension(length=x, both_parties_consent=True) for x in m.extensions] + [
        Extension(length=a.by, both_parties_consent=a.both_parties_consent)
    ]
    time_limit(Track(m.track), *wanted, policy=start.policy.mediation)


def arbitration(case: CaseFile, start: CaseStart, a: ArbitrationInput) -> None:
    _require(case, start, ON_THE_LADDER, N_("record an arbitration step"))
    m, _ = case.mediation, _texts(start)
    if m is None or m.track != Track.labour_arbitration.value:
        raise ValueError(
            _("case {case_id} is not in labour arbitration").format(case_id=case.case_id)
        )
    if a.step == "applied":
        if a.actor.role in PARTY_ROLES:
            authority.check_party(a.actor, holder(case, start))
        elif a.actor.role != ARBITRATOR:
            raise ValueError(
                _("{name} ({role}): a party applies, or the arbitrator records it").format(
                    name=a.actor.name, role=a.actor.role
                )
            )
        if m.applied_at is not None:
            raise ValueError(_("a party has already applied for arbitration"))
        return
    if a.actor.role != ARBITRATOR:
        raise ValueError(
            _("{name} ({role}): only an arbitrator records this").format(
                name=a.actor.name, role=a.actor.role
            )
        )
    if m.applied_at is None:
        raise ValueError(
            _("no party has applied for arbitration: the committee cannot {step}").format(
                step=label("arbitration_step", a.step, start.text_lang)
            )
        )
    if (a.step == "accepted") == (m.accepted_at is not None):
        raise ValueError(
            _("the committee has already accepted the case")
            if m.accepted_at
            else _("the committee must accept the case before the {step}").format(
                step=label("arbitration_step", a.step, start.text_lang)
            )
        )
    if m.procedure is not None and start.arbitration is not None:
        # On the engine, its table decides too: one extension only, an award with the
        # months of wage that say who may sue. Checked as of the time the step would be
        # applied (`as_of`), windows ended by then expired first, as the engine applies it
        # (workflows/case/arbitration.py): a late step is refused to the caller.
        act = arbitration_act(a.step, a.wage_months, _as_of(case, m.procedure))
        _engine_refuses(start.arbitration, m.procedure, act, start)


def confirmation(case: CaseFile, start: CaseStart, a: ConfirmationInput) -> None:
    c, _ = case.confirmation, _texts(start)
    if c is None or c.outcome is not None:
        raise ValueError(
            _("case {case_id} has no judicial confirmation open").format(case_id=case.case_id)
        )
    if a.step == "applied":
        authority.check_party(a.actor, holder(case, start))
        if c.applied_at is not None:
            raise ValueError(_("the parties have already applied"))
        return
    if a.actor.role not in COURT_ROLES:
        raise ValueError(
            _("{name} ({role}): only the court records this").format(
                name=a.actor.name, role=a.actor.role
            )
        )
    needs = {
        "accepted": c.applied_at is not None and c.accepted_at is None,
        "extended": c.accepted_at is not None,
        "confirmed": c.accepted_at is not None,
        "rejected": c.accepted_at is not None,
    }
    if not needs[a.step]:
        raise ValueError(
            _(
                "judicial confirmation cannot be {step} now: applied {applied}, accepted {accepted}"
            ).format(
                step=label("confirmation_step", a.step, start.text_lang),
                applied=c.applied_at is not None,
                accepted=c.accepted_at is not None,
            )
        )
    if c.procedure is not None and start.confirmation is not None:
        # On the engine, its table decides too (one extension of the decision). Checked as of
        # the time the step would be applied (`as_of`), as the engine applies it
        # (workflows/case/confirmation_run.py): a late step is refused to the caller.
        act = confirmation_act(a.step, _as_of(case, c.procedure))
        _engine_refuses(start.confirmation, c.procedure, act, start)


def _engine_refuses(
    table: ProcedureTable, run: procedure.Run, act: procedure.Act, start: CaseStart
) -> None:
    """The engine's own check of a step on one of the case's runs (its table, days counted as
    the policy counts): its refusal, naming the article, is the action's."""
    why = procedure.check(table, run, act, counting_for(start.policy), start.text_lang)
    if why is not None:
        raise ValueError(why)


def _as_of(case: CaseFile, run: procedure.Run) -> datetime:
    """When a step on `run` is checked: the workflow's now (`CaseFile.at`), or outside a
    workflow the run's last step."""
    if case.as_of is not None:
        return case.as_of
    return max([w.starts_at for w in run.windows] + list(run.events.values()))


def hours(delta, lang: Lang = Lang.en) -> str:
    """A duration as people say it: '36.0 h', '2.5 days', '20 min' (36.0小时, 2.5天, 20分钟)."""
    _ = texts("case", lang)
    h = delta.total_seconds() / 3600
    if h >= 48:
        return _("{n} days").format(n=f"{h / 24:.1f}")
    if h >= 1:
        return _("{n} h").format(n=f"{h:.1f}")
    return _("{n} min").format(n=f"{delta.total_seconds() / 60:.0f}")
