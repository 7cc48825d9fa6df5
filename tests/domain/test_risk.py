"""Risk colour (三色): flags, dispute type and amount; the most severe signal wins."""

from __future__ import annotations

import pytest

from domain.intake_models import DisputeType, RiskFlag
from domain.risk import RED_FLAGS, YELLOW_FLAGS, YELLOW_TYPES, RiskColour, grade

YELLOW_AMOUNT = 50_000.0
RED_AMOUNT = 500_000.0


def colour(
    flags: list[RiskFlag] | None = None,
    dispute_type: DisputeType = DisputeType.neighbour,
    amount: float | None = None,
) -> RiskColour:
    return grade(
        flags or [], dispute_type, amount, yellow_amount=YELLOW_AMOUNT, red_amount=RED_AMOUNT
    )


def test_flag_sets_cover_every_flag_exactly_once():
    assert RED_FLAGS | YELLOW_FLAGS == set(RiskFlag)
    assert not RED_FLAGS & YELLOW_FLAGS


@pytest.mark.parametrize(
    "flag", [RiskFlag.violence_threat, RiskFlag.self_harm, RiskFlag.group_dispute]
)
def test_red_flag_grades_red_whatever_the_amount(flag: RiskFlag):
    assert colour([flag]) is RiskColour.red
    assert colour([flag], amount=0) is RiskColour.red
    assert colour([flag], amount=10) is RiskColour.red


@pytest.mark.parametrize(
    "flag", [RiskFlag.minors, RiskFlag.wage_arrears, RiskFlag.elderly, RiskFlag.repeat_petition]
)
def test_yellow_flag_grades_yellow(flag: RiskFlag):
    assert colour([flag]) is RiskColour.yellow
    assert colour([flag], amount=100) is RiskColour.yellow


@pytest.mark.parametrize("dispute_type", [DisputeType.land_acquisition, DisputeType.relocation])
def test_high_risk_dispute_type_grades_yellow_without_flags(dispute_type: DisputeType):
    assert colour(dispute_type=dispute_type) is RiskColour.yellow


def test_only_land_acquisition_and_relocation_are_yellow_types():
    assert YELLOW_TYPES == {DisputeType.land_acquisition, DisputeType.relocation}


@pytest.mark.parametrize(
    "dispute_type",
    sorted(set(DisputeType) - {DisputeType.land_acquisition, DisputeType.relocation}),
)
def test_ordinary_dispute_type_without_signals_grades_green(dispute_type: DisputeType):
    assert colour(dispute_type=dispute_type) is RiskColour.green


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (None, RiskColour.green),
        (0.0, RiskColour.green),
        (YELLOW_AMOUNT - 0.01, RiskColour.green),
        (YELLOW_AMOUNT, RiskColour.yellow),
        (YELLOW_AMOUNT + 0.01, RiskColour.yellow),
        (RED_AMOUNT - 0.01, RiskColour.yellow),
        (RED_AMOUNT, RiskColour.red),
        (RED_AMOUNT + 0.01, RiskColour.red),
        (10_000_000.0, RiskColour.red),
    ],
)
def test_amount_thresholds_are_inclusive(amount: float | None, expected: RiskColour):
    assert colour(amount=amount) is expected


def test_thresholds_come_from_the_caller_not_constants():
    assert grade([], DisputeType.debt, 1_000, yellow_amount=1_000, red_amount=2_000) is (
        RiskColour.yellow
    )
    assert grade([], DisputeType.debt, 2_000, yellow_amount=1_000, red_amount=2_000) is (
        RiskColour.red
    )
    assert grade([], DisputeType.debt, 999, yellow_amount=1_000, red_amount=2_000) is (
        RiskColour.green
    )


@pytest.mark.parametrize(
    ("flags", "dispute_type", "amount"),
    [
        ([RiskFlag.violence_threat], DisputeType.neighbour, 10.0),
        ([RiskFlag.self_harm, RiskFlag.minors], DisputeType.family, None),
        ([RiskFlag.group_dispute], DisputeType.land_acquisition, YELLOW_AMOUNT),
        ([RiskFlag.minors], DisputeType.debt, RED_AMOUNT),
        ([RiskFlag.elderly, RiskFlag.repeat_petition], DisputeType.relocation, RED_AMOUNT * 2),
        ([], DisputeType.relocation, RED_AMOUNT),
    ],
)
def test_most_severe_signal_wins_and_red_beats_yellow(
    flags: list[RiskFlag], dispute_type: DisputeType, amount: float | None
):
    assert colour(flags, dispute_type, amount) is RiskColour.red


@pytest.mark.parametrize(
    ("flags", "dispute_type", "amount"),
    [
        ([RiskFlag.wage_arrears], DisputeType.wages, 10.0),
        ([], DisputeType.land_acquisition, 10.0),
        ([], DisputeType.debt, YELLOW_AMOUNT),
        ([RiskFlag.minors], DisputeType.relocation, YELLOW_AMOUNT),
    ],
)
def test_yellow_signal_beats_green(
    flags: list[RiskFlag], dispute_type: DisputeType, amount: float | None
):
    assert colour(flags, dispute_type, amount) is RiskColour.yellow


def test_no_signals_grade_green():
    assert colour([], DisputeType.neighbour, None) is RiskColour.green
