"""Tri-linked mediation (三调联动): which track a dispute goes to, its time limit, the next one.

Three kinds of mediation — people's, administrative, judicial — plus the labour route
(mediation, then arbitration). `route` picks the first track from the dispute's type,
complexity and amount and the parties' choice; when mediation fails the case is handed to
`next_track` (keeping its parties, history and clocks: that is the workflow's part), and after
the last one the parties are told OTHER_ROUTES (Art. 26) and the case closes as referred.
The figures and thresholds are in domain/mediation_policy.py; judicial confirmation of an
agreement, in domain/confirmation.py (re-exported here). Pure: no I/O, no clock.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from domain.confirmation import (
    ConfirmationDeadlines,
    ConfirmationOutcome,
    ConfirmationPolicy,
    confirmation_deadlines,
)
from domain.durations import Budget
from domain.intake_models import Complexity, DisputeType
from domain.mediation_policy import (
    DEFAULT_MEDIATION,
    JUDICIAL,
    LABOUR_TRACKS,
    LABOUR_TYPES,
    Extension,
    ExtensionRule,
    MediationPolicy,
    Track,
    mediation_policy,
    parse_mediation_policy,
)
from domain.policy import Policy
from texts import Lang, texts
from texts.terms import label

__all__ = [
    "DEFAULT_MEDIATION",
    "JUDICIAL",
    "LABOUR_TRACKS",
    "LABOUR_TYPES",
    "OTHER_ROUTES",
    "ArbitrationDeadlines",
    "ArbitrationLimits",
    "ConfirmationDeadlines",
    "ConfirmationOutcome",
    "ConfirmationPolicy",
    "Extension",
    "ExtensionRule",
    "MediationPolicy",
    "Route",
    "Track",
    "allowed_choices",
    "arbitration_deadlines",
    "arbitration_limits",
    "confirmation_deadlines",
    "mediation_policy",
    "next_track",
    "parse_mediation_policy",
    "route",
    "time_limit",
]

#: Told to the parties when mediation fails on the last track (人民调解法 Art. 26).
OTHER_ROUTES = (
    "Mediation has ended without an agreement. You may still: apply for arbitration (for a "
    "labour dispute, to the labour dispute arbitration committee; otherwise where you have an "
    "arbitration agreement); ask the competent administrative department to deal with the "
    "matter; or bring a suit in the people's court. "
    "调解不成，可依法通过仲裁、行政、司法等途径维护权利（《人民调解法》第二十六条）。"
)


class Route(BaseModel):
    """Where a dispute goes first, which department leads it (if any), and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    track: Track
    department: str | None
    why: str


def _department(track: Track, dispute_type: DisputeType, policy: MediationPolicy) -> str | None:
    if track is Track.administrative:
        return policy.administrative[dispute_type]
    if track in JUDICIAL:
        return policy.judicial_department
    if track in LABOUR_TRACKS:
        return policy.administrative.get(dispute_type, "labour")
    return None  # a people's mediation committee, not a department


def allowed_choices(dispute_type: DisputeType, policy: MediationPolicy) -> frozenset[Track]:
    """The tracks the parties may choose for this type of dispute."""
    if dispute_type in LABOUR_TYPES:
        # Arbitration comes before any court (仲裁前置), and any mediation body a labour
        # dispute goes to (Art. 10, people's committees included) runs the 15-day labour clock.
        return LABOUR_TRACKS
    tracks = {Track.peoples, *JUDICIAL}
    if dispute_type in policy.administrative:
        tracks.add(Track.administrative)
    return frozenset(tracks)


def route(
    dispute_type: DisputeType,
    complexity: Complexity,
    amount_cny: float | None,
    parties_choice: Track | None,
    policy: MediationPolicy = DEFAULT_MEDIATION,
    lang: Lang = Lang.en,
) -> Route:
    """The first track for a dispute. Rules in order, the first that applies wins:

    1. the parties' choice, when it is open to this type (`allowed_choices`);
    2. labour and wage disputes: labour mediation;
    3. `administrative_first` types: administrative, by the type's department;
    4. property damage up to `police_amount_cny` (no amount counts as 0, as in risk grading):
       administrative, by the police station;
    5. complex, or an amount from `judicial_amount_cny`: court-referred mediation before filing;
    6. anything else: people's mediation.
    Post-filing tracks are never picked by rule: they begin when a party sues.
    `why` is in `lang`, the case's language.
    """
    _ = texts("case", lang)
    amount = amount_cny or 0.0
    refused = ""
    if parties_choice is not None:
        if parties_choice in allowed_choices(dispute_type, policy):
            return Route(
                track=parties_choice,
                department=_department(parties_choice, dispute_type, policy),
                why=_("the parties chose {track}").format(
                    track=label("track", parties_choice, lang)
                ),
            )
        refused = _("the parties' choice {track} is not open to {dispute_type}; ").format(
            track=label("track", parties_choice, lang),
            dispute_type=label("dispute_type", dispute_type, lang),
        )

    def to(track: Track, why: str) -> Route:
        department = _department(track, dispute_type, policy)
        return Route(track=track, department=department, why=refused + why)

    if dispute_type in LABOUR_TYPES:
        return to(Track.labour_mediation, _("labour disputes are mediated, then arbitrated"))
    if dispute_type in policy.administrative_first:
        return to(
            Track.administrative,
            _("{dispute_type} goes to its department first").format(
                dispute_type=label("dispute_type", dispute_type, lang)
            ),
        )
    if (
        dispute_type is DisputeType.property_damage
        and amount <= policy.police_amount_cny
        and dispute_type in policy.administrative
    ):
        return to(
            Track.administrative,
            _("property damage of {amount} CNY (≤ {limit}) is a public-order matter").format(
                amount=f"{amount:,.0f}", limit=f"{policy.police_amount_cny:,.0f}"
            ),
        )
    if complexity is Complexity.complex or amount >= policy.judicial_amount_cny:
        reason = (
            _("a complex dispute")
            if complexity is Complexity.complex
            else _("{amount} CNY (≥ {limit})").format(
                amount=f"{amount:,.0f}", limit=f"{policy.judicial_amount_cny:,.0f}"
            )
        )
        return to(
            Track.judicial_pre_filing,
            _("{reason}: court-referred mediation").format(reason=reason),
        )
    return to(Track.peoples, _("people's mediation is the default: free and voluntary"))


def _sum(a: Budget, b: Budget) -> Budget:
    if a.calendar is not None and b.calendar is not None:
        return Budget(text=f"{a.text}+{b.text}", calendar=a.calendar + b.calendar)
    if a.working_days is not None and b.working_days is not None:
        return Budget(text=f"{a.text}+{b.text}", working_days=a.working_days + b.working_days)
    raise ValueError(f"cannot add {b.text} to {a.text}: one counts working days, one does not")


def _longer(a: Budget, b: Budget) -> bool:
    if a.calendar is not None and b.calendar is not None:
        return a.calendar > b.calendar
    if a.working_days is not None and b.working_days is not None:
        return a.working_days > b.working_days
    raise ValueError(f"cannot compare {a.text} with {b.text}: one counts working days")


def time_limit(
    track: Track, *extensions: Extension, policy: MediationPolicy = DEFAULT_MEDIATION
) -> Budget:
    """The track's time, with the extensions granted; ValueError for one the rules refuse."""
    total = Budget.parse(policy.limits[track])
    if not extensions:
        return total
    rule = policy.extensions.get(track)
    if rule is None:
        raise ValueError(f"{track.value} cannot be extended")
    extra: Budget | None = None
    for ext in extensions:
        if rule.needs == "consent" and not ext.both_parties_consent:
            raise ValueError(f"extending {track.value} needs both parties' consent")
        if rule.needs == "approval" and not ext.approved:
            raise ValueError(f"extending {track.value} needs approval")
        length = Budget.parse(ext.length)
        extra = length if extra is None else _sum(extra, length)
    assert extra is not None
    if rule.cap is not None and _longer(extra, Budget.parse(rule.cap)):
        raise ValueError(f"extensions of {extra.text} exceed {track.value}'s cap {rule.cap}")
    return _sum(total, extra)


def next_track(
    current: Track, dispute_type: DisputeType, policy: MediationPolicy = DEFAULT_MEDIATION
) -> Track | None:
    """Where a case goes when mediation on `current` fails; None: tell the parties
    OTHER_ROUTES and close the case as referred.

    peoples -> administrative (skipped when the type has no department) -> judicial pre-filing
    -> None; labour mediation -> arbitration -> None. A court track is the last: after it the
    court tries the case. A labour dispute mediated on any non-court track goes to arbitration.
    """
    if current is Track.labour_arbitration or current in JUDICIAL:
        return None
    if current is Track.labour_mediation or dispute_type in LABOUR_TYPES:
        return Track.labour_arbitration
    if current is Track.peoples and dispute_type in policy.administrative:
        return Track.administrative
    return Track.judicial_pre_filing


class ArbitrationLimits(BaseModel):
    """Labour arbitration's clocks (law, 劳动争议调解仲裁法)."""

    model_config = ConfigDict(frozen=True)

    #: From the application: the committee accepts or refuses (Art. 29).
    accept: Budget
    #: From acceptance: the award (Art. 43), and with the chair's approval.
    award: Budget
    award_extended: Budget
    #: From the award: a party may sue (Art. 48/50).
    appeal: Budget


def arbitration_limits(policy: MediationPolicy = DEFAULT_MEDIATION) -> ArbitrationLimits:
    """Accept 5 days, award 45 (+15 with approval), appeal 15, by default (law)."""
    rule = policy.extensions.get(Track.labour_arbitration)
    award = time_limit(Track.labour_arbitration, policy=policy)
    extended = (
        time_limit(
            Track.labour_arbitration, Extension(length=rule.cap, approved=True), policy=policy
        )
        if rule is not None and rule.cap is not None and rule.needs == "approval"
        else award
    )
    return ArbitrationLimits(
        accept=Budget.parse(policy.arbitration_accept),
        award=award,
        award_extended=extended,
        appeal=Budget.parse(policy.arbitration_appeal),
    )


class ArbitrationDeadlines(BaseModel):
    """Labour arbitration's statutory windows, each from the step that opens it (None until
    that step happened). They run by law: a pause of the case does not stop them."""

    model_config = ConfigDict(frozen=True)

    #: The committee accepts or refuses, from the party's application (Art. 29).
    accept_by: datetime | None = None
    #: The award, from acceptance (Art. 43), and with the chair's approval.
    award_by: datetime | None = None
    award_by_extended: datetime | None = None
    #: A party may sue, from receiving the award (Arts. 48, 50); after it the award binds.
    sue_by: datetime | None = None


def arbitration_deadlines(
    policy: Policy,
    *,
    applied_at: datetime | None = None,
    accepted_at: datetime | None = None,
    award_received_at: datetime | None = None,
) -> ArbitrationDeadlines:
    """The windows of labour arbitration for a case on `policy` (its `[mediation]` table gives
    the lengths: `arbitration_accept`, the track's limit and extension, `arbitration_appeal`),
    counted as the law counts days: to 24:00 of the last day, past days off (`Policy.after`)."""
    limits = arbitration_limits(policy.mediation)

    def end(start: datetime | None, budget: Budget) -> datetime | None:
        return None if start is None else policy.after(start, budget).due

    return ArbitrationDeadlines(
        accept_by=end(applied_at, limits.accept),
        award_by=end(accepted_at, limits.award),
        award_by_extended=end(accepted_at, limits.award_extended),
        sue_by=end(award_received_at, limits.appeal),
    )
