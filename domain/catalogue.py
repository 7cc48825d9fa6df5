"""The catalogue of actions: every action a person takes on a case or a department's duty.

One row per action, as data: its one name (the workflow update, the CLI subcommand, the API
route, the page's form and the ledger's refusals all use it), its input model, its check (the
pure rule in `domain/case_checks.py` or `domain/duty_checks.py`), who takes it (role groups,
`domain/roles.py`), the states it applies in, and its label and help (message ids of the
`actions` catalog). Everything else is generated from these rows: the updates and their
validators (`workflows/queued_actions.py`), the CLI's subcommands, the API's routes and
bodies (`api/actions.py`), the page's forms, and `allowed_actions`, which offers a person
only the actions that apply to a case now, by the same checks the validators run.

Older update names still in running workflows and saved histories stay registered as
`aliases` of the action that replaced them. Pure: no Temporal, no I/O, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from domain import case_checks, duty_checks
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
from domain.case_models import ON_THE_LADDER, CaseFile, CaseStart, CaseStatus, CaseView
from domain.duty_contract import DutyCheckIn, DutyDecline, DutyReport, DutyRuling, DutyView
from domain.ladder import Level
from domain.mediation import Track
from domain.procedure_models import ProcedureInput, check_step
from domain.roles import SUPERVISOR
from domain.whistle import NAMED_DEPARTMENTS, TRANSITIONS, DutyEvent, DutyState
from texts import N_, Lang, texts


class Who(StrEnum):
    """Who takes an action, as `domain/authority.py` and the duty checks decide it."""

    #: A handler of the unit holding the case at its level (`roles.HANDLERS_AT`), or a
    #: supervisor of a unit above.
    handler = "handler"
    #: A supervisor of a unit above the case's level (for an extension: the level directly
    #: above).
    supervisor = "supervisor"
    #: A handler or supervisor of the unit a transfer was sent to.
    receiver = "receiver"
    #: The grid worker of the case's grid, or a supervisor of one of its units.
    visitor = "visitor"
    applicant = "applicant"
    #: Any party named at intake.
    party = "party"
    arbitrator = "arbitrator"
    court = "court"
    #: The summoned department's own staff: role = its code, unit = its unit.
    department = "department"
    #: Whoever the matter's procedure table names for the step (procedures/*.toml: a 信访
    #: office, the handling body, the petitioner, a court clerk, a judge, an arbitrator).
    procedure = "procedure"


#: A short text that satisfies a field needing one, in the probes below.
_SAY = "-"
#: The court table's one extension of pre-filing mediation (特邀调解规定 Art. 27), the only
#: length its check accepts: the `extend-track` probe for a court-referred track (a test keeps
#: it equal to procedures/court.toml).
COURT_EXTENSION_PROBE = "30d"


@dataclass(frozen=True)
class Action:
    """One action: a row of the catalogue."""

    name: str
    model: type[BaseModel]
    #: The pure check: (case file, case start, action) for a case action; (duty view, duty
    #: start, action) for a duty's. Raises ValueError with the reason.
    check: Callable[[Any, Any, Any], None]
    who: frozenset[Who]
    #: The states it may apply in: case statuses (None: any, the check decides) or duty states.
    states: frozenset[Any] | None
    #: Message ids in the `actions` catalog: what the action is called, and what it does.
    label: str
    help: str
    #: Inputs, without the actor, that stand for "this action in some form": the action
    #: applies to a case for a person when one of them passes the check.
    probes: tuple[Mapping[str, Any], ...] = ({},)
    #: Fields the action's name decides (accept-transfer: accept).
    fixed: Mapping[str, Any] = field(default_factory=dict)
    #: The update it is sent as, when one update serves two actions (a transfer's answer).
    update: str | None = None
    #: Older update names of this action, still registered: running workflows and saved
    #: histories may hold them.
    aliases: tuple[str, ...] = ()
    #: A department duty's action (sent to the duty's workflow, the case's child).
    duty: bool = False

    @property
    def update_name(self) -> str:
        return self.update or self.name

    @property
    def answer(self) -> type[BaseModel]:
        """What the update returns: the case (or the duty) as it stands after."""
        return DutyView if self.duty else CaseView

    def build(self, actor: Actor, body: Mapping[str, Any]) -> BaseModel:
        """The update's input: `body`, the fields the name fixes, and the actor; raises
        pydantic's ValidationError for a malformed action."""
        return self.model.model_validate({**body, **self.fixed, "actor": actor})

    def label_in(self, lang: Lang) -> str:
        return texts("actions", lang).gettext(self.label)

    def help_in(self, lang: Lang) -> str:
        return texts("actions", lang).gettext(self.help)


def _duty_states(*events: DutyEvent) -> frozenset[DutyState]:
    """The duty states the state machine allows these moves from."""
    return frozenset(s for (s, e) in TRANSITIONS if e in events)


W = Who
CASE_ACTIONS: tuple[Action, ...] = (
    Action("outcome", OutcomeInput, case_checks.outcome, frozenset({W.handler}), ON_THE_LADDER,
           N_("Report the outcome"), N_("resolved, or failed with a reason"),
           probes=({"outcome": "resolved"},), aliases=("report_outcome",)),
    Action("pause", PauseInput, case_checks.pause, frozenset({W.handler}),
           frozenset({CaseStatus.open}), N_("Pause the clock"),
           N_("waiting on a party, an appraisal, a hearing"), probes=({"reason": "other"},)),
    Action("resume", ResumeInput, case_checks.resume, frozenset({W.handler}),
           frozenset({CaseStatus.paused}), N_("Resume the clock"),
           N_("the deadline moves by the paused time")),
    Action("extend", ExtendInput, case_checks.extend, frozenset({W.supervisor}),
           frozenset({CaseStatus.open}), N_("Extend the deadline"),
           N_("a supervisor of the level above grants more time"),
           probes=({"by": "1h", "reason": _SAY},)),
    Action("escalate", EscalateInput, case_checks.escalate, frozenset({W.applicant}),
           ON_THE_LADDER, N_("Ask to go up a level"),
           N_("the applicant asks for the case to go up a level"), probes=({"reason": _SAY},),
           aliases=("request_escalation",)),
    Action("pull-up", EscalateInput, case_checks.pull_up, frozenset({W.supervisor}),
           ON_THE_LADDER, N_("Pull up"), N_("a supervisor above pulls the case up to their level"),
           probes=({"reason": _SAY},), aliases=("pull_up",)),
    Action("regrade", RegradeInput, case_checks.regrade, frozenset({W.handler}), ON_THE_LADDER,
           N_("Re-grade the risk"), N_("set the risk flags anew; the colour is graded again"),
           probes=({"risk_flags": [], "reason": _SAY},)),
    Action("transfer", TransferInput, case_checks.transfer, frozenset({W.handler}),
           frozenset({CaseStatus.open, CaseStatus.paused}), N_("Transfer"),
           N_("hand the case to another unit at the same level (首接负责)"),
           probes=({"to_unit": _SAY, "reason": _SAY},)),
    Action("accept-transfer", TransferAnswer, case_checks.answer_transfer,
           frozenset({W.receiver}), None, N_("Accept the transfer"),
           N_("the receiving unit accepts a transfer"), fixed={"accept": True},
           update="answer_transfer"),
    Action("object-transfer", TransferAnswer, case_checks.answer_transfer,
           frozenset({W.receiver}), None, N_("Object to the transfer"),
           N_("the receiving unit objects, with a reason"), probes=({"reason": _SAY},),
           fixed={"accept": False}, update="answer_transfer"),
    Action("withdraw", WithdrawInput, case_checks.withdraw, frozenset({W.applicant}),
           ON_THE_LADDER, N_("Withdraw"), N_("the applicant withdraws the case"),
           probes=({"reason": _SAY},)),
    Action("merge", MergeInput, case_checks.merge, frozenset({W.handler}), ON_THE_LADDER,
           N_("Merge as a duplicate"),
           N_("the same dispute as another case (into): this one ends, merged into it"),
           probes=({"into": "X", "reason": _SAY},)),
    Action("link", LinkInput, case_checks.link, frozenset({W.handler}), ON_THE_LADDER,
           N_("Link a related case"),
           N_("a connected matter, or the same one come back (other): both go on, each lists "
              "the other"),
           probes=({"other": "X"},)),
    Action("refuse", RefuseInput, case_checks.refuse, frozenset({W.party}), ON_THE_LADDER,
           N_("Refuse mediation"), N_("a party refuses mediation (People's Mediation Law Art. 17)"),
           probes=({"reason": _SAY},)),
    Action("whistle", WhistleInput, case_checks.whistle, frozenset({W.handler}), ON_THE_LADDER,
           N_("Blow the whistle"), N_("the departments named must check in and report (吹哨报到)"),
           # A department the validator knows (it refuses one it does not).
           probes=({"kind": "routine", "departments": [NAMED_DEPARTMENTS[0]], "reason": _SAY},),
           aliases=("blow_whistle",)),
    Action("track", TrackInput, case_checks.track, frozenset({W.handler, W.party}),
           ON_THE_LADDER, N_("Change the mediation track"),
           N_("hand mediation to another track, or record that this one failed"),
           # The track failed (a handler), or a hand-over to each track (a party's choice).
           probes=({"reason": _SAY}, *({"to_track": t.value, "reason": _SAY} for t in Track)),
           aliases=("change_track",)),
    Action("extend-track", TrackExtendInput, case_checks.extend_track, frozenset({W.handler}),
           ON_THE_LADDER, N_("Extend the mediation track"),
           N_("more time on the track, with both parties' consent"),
           # A day on a policy's track; court-referred mediation extends by its table's
           # length only (procedures/court.toml `pre_filing`: 30d, COURT_EXTENSION_PROBE).
           probes=({"by": "1d", "both_parties_consent": True, "reason": _SAY},
                   {"by": COURT_EXTENSION_PROBE, "both_parties_consent": True, "reason": _SAY}),
           aliases=("extend_track",)),
    Action("contact", ContactInput, case_checks.contact, frozenset({W.handler}), ON_THE_LADDER,
           N_("Record a contact"),
           N_("a contact with the applicant (the first one counts for the response rate)")),
    Action("arbitration", ArbitrationInput, case_checks.arbitration,
           frozenset({W.party, W.arbitrator}), ON_THE_LADDER, N_("Labour arbitration"),
           N_("applied, then the committee's accepted, extended (+15 days) or award"),
           probes=({"step": "applied"}, {"step": "accepted"}, {"step": "extended"},
                   {"step": "award", "award": _SAY, "wage_months": 1})),
    Action("confirmation", ConfirmationInput, case_checks.confirmation,
           frozenset({W.party, W.court}), None, N_("Judicial confirmation"),
           N_("applied, then the court's steps"),
           probes=tuple({"step": s} for s in ("applied", "accepted", "extended", "confirmed"))),
    Action("visit", VisitInput, case_checks.visit, frozenset({W.visitor}),
           frozenset({CaseStatus.resolved}), N_("Record a return visit"),
           N_("the result of a return visit (回访)"),
           probes=tuple({"visit": v, "result": "satisfied"} for v in ("satisfaction",
                                                                      "performance")),
           aliases=("record_visit",)),
)  # fmt: skip

E = DutyEvent
DUTY_ACTIONS: tuple[Action, ...] = (
    Action("check-in", DutyCheckIn, duty_checks.check, frozenset({W.department}),
           _duty_states(E.check_in), N_("Check in"), N_("a summoned department checks in (报到)"),
           aliases=("check_in",), duty=True),
    Action("file-report", DutyReport, duty_checks.check, frozenset({W.department}),
           _duty_states(E.report), N_("File the report"), N_("what the department found and did"),
           probes=({"result": _SAY},), aliases=("file_report",), duty=True),
    Action("decline", DutyDecline, duty_checks.check, frozenset({W.department}),
           _duty_states(E.decline), N_("Decline"),
           N_("the matter is not within the department's remit"), probes=({"reason": _SAY},),
           duty=True),
    Action("rule-decline", DutyRuling, duty_checks.check, frozenset({W.supervisor}),
           _duty_states(E.uphold, E.overrule), N_("Rule on a decline"),
           N_("a supervisor of the township or county rules on a decline"),
           probes=({"uphold": True, "reason": _SAY},), aliases=("rule_on_decline",), duty=True),
)  # fmt: skip

#: The one action of a matter run by the procedure engine (ProcedureWorkflow: a 信访 matter,
#: the court road, labour arbitration): a step of its table, or extend / pause / resume a
#: window; its check is the engine's (`domain.procedure_models.check_step`).
PROCEDURE_ACTIONS: tuple[Action, ...] = (
    Action("procedure", ProcedureInput, check_step, frozenset({W.procedure}), None,
           N_("A step of the procedure"),
           N_("a 信访 matter or the court road: a step of its table (docs/procedures.md)"),
           update="procedure_action"),
)  # fmt: skip

#: Every action by its name.
ACTIONS: dict[str, Action] = {a.name: a for a in (*CASE_ACTIONS, *DUTY_ACTIONS, *PROCEDURE_ACTIONS)}


def applies(action: Action, file: Any, start: Any, actor: Actor) -> bool:
    """Whether `actor` may take `action` (in some form) on the case or duty now: one of its
    probes passes the check its validator runs."""
    if action.states is not None:
        state = file.state if action.duty else file.status
        if state not in action.states:
            return False
    for probe in action.probes:
        try:
            action.check(file, start, action.build(actor, probe))
        except (ValueError, ValidationError):
            continue
        return True
    return False


def allowed_actions(case: CaseFile, start: CaseStart, actor: Actor) -> list[str]:
    """The names of the case actions `actor` may take on the case now, in catalogue order."""
    return [a.name for a in CASE_ACTIONS if applies(a, case, start, actor)]


class DutyOffer(BaseModel):
    """A duty action a person may take on one summoned department's duty of the case."""

    action: str
    whistle: int
    department: str


class Offers(BaseModel):
    """What a person may do on a case now: its actions and its duties' (CaseWorkflow.offers)."""

    actions: list[str]
    duties: list[DutyOffer] = Field(default_factory=list)


def allowed_duty_actions(case: CaseFile, actor: Actor) -> list[DutyOffer]:
    """The duty actions `actor` may take on the case's summoned departments now, by the
    duties' states as the case knows them: a department's staff (the role of its code) on its
    own duty, a supervisor of the case's township or county on a decline. The duty's own
    validator has the last word (it also checks the department's unit)."""
    township, county = case.units[Level.township], case.units[Level.county]
    out = []
    for whistle in case.whistles:
        for code, state in whistle.duties.items():
            for a in DUTY_ACTIONS:
                staff = Who.department in a.who and actor.role == code
                ruler = (
                    Who.supervisor in a.who
                    and actor.role == SUPERVISOR
                    and actor.unit in (township, county)
                )
                if (staff or ruler) and a.states is not None and DutyState(state) in a.states:
                    out.append(DutyOffer(action=a.name, whistle=whistle.seq, department=code))
    return out


def offers(case: CaseFile, start: CaseStart, actor: Actor) -> Offers:
    """Everything `actor` may do on the case now."""
    return Offers(
        actions=allowed_actions(case, start, actor), duties=allowed_duty_actions(case, actor)
    )
