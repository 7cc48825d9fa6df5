"""Who may act on a case: pure rules, so validators can refuse before anything is recorded.

A case is the responsibility of the unit that holds it at its current level (the grid, the
village, the township or the county); a supervisor of a unit above may act for it, and only
a supervisor of the level above may extend its deadline or pull it up. Parties act for
themselves: only an applicant withdraws or asks to go up a level.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.actions import HANDLER_ROLES, PARTY_ROLES, SUPERVISOR, Actor
from domain.ladder import LADDER, Level, next_level


@dataclass(frozen=True)
class Holder:
    """Who holds a case now: its level, the unit at each level, its parties, a transfer."""

    case_id: str
    level: Level
    units: dict[Level, str]
    parties: tuple[tuple[str, str], ...]  # (name, role)
    transfer_to: str | None = None

    @property
    def unit(self) -> str:
        return self.units[self.level]


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
    if actor.role in HANDLER_ROLES and actor.unit == holder.unit:
        return
    if _supervises(actor, holder) is not None:
        return
    raise NotAllowed(
        f"{_who(actor)} is not responsible for case {holder.case_id}: it is at the "
        f"{holder.level.value} level with {holder.unit}; act as a handler of {holder.unit} "
        "or a supervisor of a unit above it"
    )


def check_supervisor_above(actor: Actor, holder: Holder) -> None:
    """Extensions: a supervisor of the level directly above (the county's own at the top)."""
    approver_level = next_level(holder.level) or holder.level
    if actor.role == SUPERVISOR and actor.unit == holder.units[approver_level]:
        return
    raise NotAllowed(
        f"{_who(actor)} may not approve this for case {holder.case_id}: only a supervisor of "
        f"{holder.units[approver_level]} ({approver_level.value}) may"
    )


def pull_up_level(actor: Actor, holder: Holder, wanted: Level | None) -> Level:
    """The level a supervisor above may pull the case up to (their own, by default)."""
    own = _supervises(actor, holder)
    if own is None:
        raise NotAllowed(
            f"{_who(actor)} may not pull case {holder.case_id} up: only a supervisor of a unit "
            f"above {holder.unit} ({holder.level.value}) may"
        )
    target = wanted or own
    if LADDER.index(target) <= LADDER.index(holder.level) or LADDER.index(target) > LADDER.index(
        own
    ):
        raise NotAllowed(
            f"case {holder.case_id} can be pulled from {holder.level.value} up to at most "
            f"{own.value} by {_who(actor)}, not to {target.value}"
        )
    return target


def check_party(actor: Actor, holder: Holder, *, roles: frozenset[str] = PARTY_ROLES) -> None:
    """A party of the case, acting in a role the action allows."""
    if actor.role in roles and (actor.name, actor.role) in holder.parties:
        return
    wanted = " or ".join(sorted(roles))
    raise NotAllowed(
        f"{_who(actor)} is not a party of case {holder.case_id} in the role {wanted}: "
        "only the parties named at intake may do this"
    )


def check_transfer_receiver(actor: Actor, holder: Holder) -> None:
    if holder.transfer_to is None:
        raise NotAllowed(f"case {holder.case_id} has no transfer waiting for an answer")
    if actor.unit == holder.transfer_to and (
        actor.role in HANDLER_ROLES or actor.role == SUPERVISOR
    ):
        return
    raise NotAllowed(
        f"{_who(actor)} may not answer the transfer of case {holder.case_id}: "
        f"it was sent to {holder.transfer_to}"
    )


def check_visitor(actor: Actor, holder: Holder) -> None:
    """Return visits belong to the grid worker of the case's grid (or a supervisor above)."""
    grid = holder.units[Level.grid]
    if actor.role in HANDLER_ROLES and actor.unit == grid:
        return
    if actor.role == SUPERVISOR and actor.unit in holder.units.values():
        return
    raise NotAllowed(
        f"{_who(actor)} may not record a return visit for case {holder.case_id}: "
        f"visits belong to grid {grid}"
    )
