"""Who may act on a case: pure rules, so validators can refuse before anything is recorded.

A case is the responsibility of the handlers of the unit that holds it at its current level
(the grid, the village, the township or the county; which roles handle at which level is
`domain/roles.py`'s table); a supervisor of a unit above may act for it, and only a
supervisor of the level above may extend its deadline or pull it up. Parties act for
themselves: only an applicant withdraws or asks to go up a level.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.actions import Actor
from domain.ladder import LADDER, Level, next_level
from domain.roles import PARTY_ROLES, SUPERVISOR, handles_at
from texts import Lang, Texts, texts
from texts.terms import label


@dataclass(frozen=True)
class Holder:
    """Who holds a case now: its level, the unit at each level, its parties, a transfer."""

    case_id: str
    level: Level
    units: dict[Level, str]
    parties: tuple[tuple[str, str], ...]  # (name, role)
    transfer_to: str | None = None
    #: The case's language: a refusal reads like its events.
    lang: Lang = Lang.en

    @property
    def unit(self) -> str:
        return self.units[self.level]

    @property
    def _(self) -> Texts:
        return texts("case", self.lang)

    def level_name(self, level: Level | None = None) -> str:
        return label("level", level or self.level, self.lang)


class NotAllowed(ValueError):
    """The actor may not take this action on this case; the message says why."""


def _who(actor: Actor) -> str:
    return f"{actor.name} ({actor.role}{', ' + actor.unit if actor.unit else ''})"


def _supervises(actor: Actor, holder: Holder) -> Level | None:
    """The level above the case's at which `actor` is a supervisor, if any."""
    if actor.role != SUPERVISOR:
        return None
    above = LADDER[LADDER.index(holder.level) + 1 :]
    return next((lv for lv in above if holder.units[lv] == actor.unit), None)


def check_responsible(actor: Actor, holder: Holder) -> None:
    """The holding unit's handlers, or a supervisor above them."""
    if handles_at(actor.role, holder.level) and actor.unit == holder.unit:
        return
    if _supervises(actor, holder) is not None:
        return
    raise NotAllowed(
        holder._(
            "{who} is not responsible for case {case_id}: it is at the {level} level with "
            "{unit}; act as a handler of {unit} or a supervisor of a unit above it"
        ).format(
            who=_who(actor), case_id=holder.case_id, level=holder.level_name(), unit=holder.unit
        )
    )


def check_supervisor_above(actor: Actor, holder: Holder) -> None:
    """Extensions: a supervisor of the level directly above (the county's own at the top)."""
    approver_level = next_level(holder.level) or holder.level
    if actor.role == SUPERVISOR and actor.unit == holder.units[approver_level]:
        return
    raise NotAllowed(
        holder._(
            "{who} may not approve this for case {case_id}: only a supervisor of {unit} "
            "({level}) may"
        ).format(
            who=_who(actor),
            case_id=holder.case_id,
            unit=holder.units[approver_level],
            level=holder.level_name(approver_level),
        )
    )


def pull_up_level(actor: Actor, holder: Holder, wanted: Level | None) -> Level:
    """The level a supervisor above may pull the case up to (their own, by default)."""
    own = _supervises(actor, holder)
    if own is None:
        raise NotAllowed(
            holder._(
                "{who} may not pull case {case_id} up: only a supervisor of a unit above {unit} "
                "({level}) may"
            ).format(
                who=_who(actor),
                case_id=holder.case_id,
                unit=holder.unit,
                level=holder.level_name(),
            )
        )
    target = wanted or own
    if LADDER.index(target) <= LADDER.index(holder.level) or LADDER.index(target) > LADDER.index(
        own
    ):
        raise NotAllowed(
            holder._(
                "case {case_id} can be pulled from {level} up to at most {own} by {who}, not to "
                "{target}"
            ).format(
                case_id=holder.case_id,
                level=holder.level_name(),
                own=holder.level_name(own),
                who=_who(actor),
                target=holder.level_name(target),
            )
        )
    return target


def check_party(actor: Actor, holder: Holder, *, roles: frozenset[str] = PARTY_ROLES) -> None:
    """A party of the case, acting in a role the action allows."""
    if actor.role in roles and (actor.name, actor.role) in holder.parties:
        return
    wanted = holder._(" or ").join(label("party_role", r, holder.lang) for r in sorted(roles))
    raise NotAllowed(
        holder._(
            "{who} is not a party of case {case_id} in the role {roles}: only the parties named "
            "at intake may do this"
        ).format(who=_who(actor), case_id=holder.case_id, roles=wanted)
    )


def check_transfer_receiver(actor: Actor, holder: Holder) -> None:
    if holder.transfer_to is None:
        raise NotAllowed(
            holder._("case {case_id} has no transfer waiting for an answer").format(
                case_id=holder.case_id
            )
        )
    if actor.unit == holder.transfer_to and (
        handles_at(actor.role, holder.level) or actor.role == SUPERVISOR
    ):
        return
    raise NotAllowed(
        holder._(
            "{who} may not answer the transfer of case {case_id}: it was sent to {unit}"
        ).format(who=_who(actor), case_id=holder.case_id, unit=holder.transfer_to)
    )


def check_visitor(actor: Actor, holder: Holder) -> None:
    """Return visits belong to the grid worker of the case's grid (or a supervisor above)."""
    grid = holder.units[Level.grid]
    if handles_at(actor.role, Level.grid) and actor.unit == grid:
        return
    if actor.role == SUPERVISOR and actor.unit in holder.units.values():
        return
    raise NotAllowed(
        holder._(
            "{who} may not record a return visit for case {case_id}: visits belong to grid {grid}"
        ).format(who=_who(actor), case_id=holder.case_id, grid=grid)
    )
