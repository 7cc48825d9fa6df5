"""A case taken onto the court road: a matter of its own with the case's parties, linked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from temporalio.testing import ActivityEnvironment

from activities.ledger import LedgerActivities
from domain.ladder import Level
from domain.naming import workflow_id_for
from domain.risk import RiskColour
from ledger.cases import case_intake
from ledger.rows import CaseRegistration
from service.roads import road_intake
from tests import factories


async def test_the_road_keeps_the_cases_parties_and_place_and_links_to_it(clean_pool):
    intake = factories.intake("HB-9", amount_cny=8000)
    registration = CaseRegistration(
        case_id="HB-9", workflow_id=workflow_id_for("HB-9"), intake=intake,
        risk=RiskColour.green, level=Level.grid, policy_name="test",
        opened_at=datetime(2026, 11, 20, 2, tzinfo=UTC),
    )  # fmt: skip
    await ActivityEnvironment().run(
        LedgerActivities(clean_pool).write_step, factories.registration_step(registration)
    )
    stored = await case_intake(clean_pool, "HB-9")
    assert stored == intake and await case_intake(clean_pool, "HB-404") is None

    matter = road_intake("HB-9", stored, "court", "pre_filing_mediation")
    assert matter.case_id == "HB-9-court" and matter.procedure == "court"
    assert (matter.road.start, matter.road.from_case) == ("pre_filing_mediation", "HB-9")
    assert (matter.parties, matter.location, matter.amount_cny) == (
        intake.parties, intake.location, 8000,
    )  # fmt: skip


def test_a_petition_routed_away_goes_to_court_without_its_petition_block():
    petition = factories.intake(
        "XF-9", procedure="petition",
        petition={"channel": "visit", "addressed_to": {"kind": "office", "name": "区信访局"}},
    )  # fmt: skip
    matter = road_intake("XF-9", petition, "court", "filed")
    assert matter.petition is None and matter.road.from_case == "XF-9"
    with pytest.raises(ValueError):
        road_intake("XF-9", petition, "petition", "filed")  # a road is no petition


async def test_a_petition_is_read_by_the_body_it_is_addressed_to_and_no_other(clean_pool):
    from ledger.worklist import may_read

    petition = factories.intake(
        "XF-8", procedure="petition",
        petition={"channel": "letter", "addressed_to": {"kind": "body", "name": "区住建局"}},
    )  # fmt: skip
    registration = CaseRegistration(
        case_id="XF-8", workflow_id=workflow_id_for("XF-8"), intake=petition,
        risk=RiskColour.green, level=Level.county, policy_name="test",
        opened_at=datetime(2026, 11, 20, 2, tzinfo=UTC),
    )  # fmt: skip
    await ActivityEnvironment().run(
        LedgerActivities(clean_pool).write_step, factories.registration_step(registration)
    )
    assert await may_read(clean_pool, "XF-8", "住建局乙", "区住建局", "handling_body")
    assert not await may_read(clean_pool, "XF-8", "水务局丙", "区水务局", "handling_body")
