"""Who is who on a case, as data: the roles that handle a case at each level, and the rest.

`domain/authority.py` reads these tables to decide whether a person may act; the action
catalogue (`domain/catalogue.py`) names, for each action, which of these groups takes it.
A department's duty officer acts in the role of the department's code (`police_station`,
`judicial_office`…) and only on its own duty (`domain/duty_checks.py`): no department code
is a handler role, so a township's judicial office (司法所) cannot act as a case's handler.
Pure: no Temporal, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.ladder import Level

#: The roles that may act as a case's handler, by the level the case is at. A `handler` is
#: anyone the county names so; a `mediator` serves the village mediation committee upwards.
HANDLERS_AT: Mapping[Level, frozenset[str]] = {
    Level.grid: frozenset({"handler", "grid_worker"}),
    Level.village: frozenset({"handler", "mediator", "mediation_committee"}),
    Level.township: frozenset({"handler", "mediator", "governance_centre"}),
    Level.county: frozenset({"handler", "mediator", "county_centre"}),
}
#: Every handler role, at some level.
HANDLER_ROLES = frozenset(role for roles in HANDLERS_AT.values() for role in roles)
#: A supervisor of a unit: acts for the levels below, extends, pulls up, rules on declines.
SUPERVISOR = "supervisor"
#: The parties of a case (named at intake).
PARTY_ROLES = frozenset({"applicant", "respondent", "third_party"})
APPLICANT = frozenset({"applicant"})
#: The court in judicial confirmation.
COURT_ROLES = frozenset({"court", "judge"})
#: The labour arbitration committee's staff.
ARBITRATOR = "arbitrator"


def handles_at(role: str, level: Level) -> bool:
    """Whether `role` may act as the handler of a case at `level`."""
    return role in HANDLERS_AT[level]
