"""Risk colour (三色): a pure grading of a case from its intake flags, type and amount.

Red: the party secretary leads, the case goes straight to the township and is reported up
at once. Yellow: a leadership-team member takes it. Green: the grid worker follows up.
The thresholds are local practice, so the amount cut-offs come from the policy.
"""

from __future__ import annotations

from enum import StrEnum

from domain.intake_models import DisputeType, RiskFlag


class RiskColour(StrEnum):
    green = "green"
    yellow = "yellow"
    red = "red"


# Threats to life and group disputes are the signals DOMAIN.md lists for direct reporting.
RED_FLAGS = frozenset({RiskFlag.violence_threat, RiskFlag.self_harm, RiskFlag.group_dispute})
YELLOW_FLAGS = frozenset(
    {RiskFlag.minors, RiskFlag.wage_arrears, RiskFlag.elderly, RiskFlag.repeat_petition}
)
# Land acquisition and relocation are named high-risk matters in the sources.
YELLOW_TYPES = frozenset({DisputeType.land_acquisition, DisputeType.relocation})


def grade(
    flags: list[RiskFlag],
    dispute_type: DisputeType,
    amount_cny: float | None,
    *,
    yellow_amount: float,
    red_amount: float,
) -> RiskColour:
    """Grade a case red, yellow or green; the most severe signal wins."""
    amount = amount_cny or 0.0
    if RED_FLAGS.intersection(flags) or amount >= red_amount:
        return RiskColour.red
    if YELLOW_FLAGS.intersection(flags) or dispute_type in YELLOW_TYPES or amount >= yellow_amount:
        return RiskColour.yellow
    return RiskColour.green
