"""Campaign windows on the time-skipping server: a wage case opened inside the winter window
is yellow at least and due by the milestone; still open at the milestone, the county
supervises it; a running case enters a window when it begins; a group case is red at once."""

from __future__ import annotations

from datetime import timedelta

from domain.actions import OutcomeInput, PauseInput
from domain.campaign import Campaign, Milestone
from domain.case_models import CaseStatus
from domain.policy import Policy
from tests import factories
from tests.factories import GRID
from tests.workflows.test_case import settled, start, view_when
from tests.workflows.test_case_rules import outbox
from workflows.case import CaseWorkflow

COUNTY_SUPERVISOR = ("supervisor", "Haibowan District")


def winter(now, *, starts=timedelta(hours=-1), milestone=timedelta(days=1)) -> Policy:
    """The default policy with a wage campaign placed around `now` (never today's date)."""
    campaign = Campaign(
        name="winter-wages-test",
        title="根治欠薪冬季专项行动",
        starts=now + starts,
        ends=now + timedelta(days=30),
        dispute_types=["wages"],
        risk_flags=["wage_arrears"],
        risk_floor="yellow",
        milestones=[Milestone(name="元旦前清零", at=now + milestone)],
    )
    policy = factories.DEFAULT_POLICY.model_copy(update={"campaigns": [campaign]})
    return Policy.model_validate(policy.model_dump())


def event(view, kind):
    return next(e for e in view.events if e.kind == kind)


async def open_wage_case(time_env, case_worker, pool, **window):
    """A complex wage case opened under `winter` (placed around the server's now, `window`
    its offsets) with the roster loaded; its handle and its first step's view."""
    await factories.load_roster(pool)
    policy = winter(await time_env.get_current_time(), **window)
    handle = await start(
        time_env, case_worker, policy=policy, dispute_type="wages", complexity="complex"
    )
    return handle, await view_when(handle, settled), policy


async def test_a_wage_case_opened_in_the_window_is_yellow_and_due_by_the_milestone(
    time_env, case_worker, clean_pool
):
    _, view, policy = await open_wage_case(time_env, case_worker, clean_pool)

    milestone = policy.campaigns[0].milestones[0].at
    assert view.risk.value == "yellow"  # a wage case with no flag would be green
    assert view.due_at == milestone  # the grid's two days end after the milestone
    entered = event(view, "campaign_entered")
    assert entered.data["campaign"] == "winter-wages-test"
    assert (entered.data["from"], entered.data["to"]) == ("green", "yellow")
    assert "根治欠薪冬季专项行动" in entered.summary
    assert event(view, "campaign_capped").data["due_at"] == milestone.isoformat()
    assert "lead_assigned" in [e.kind for e in view.events]  # yellow: a leader takes it


async def test_a_case_still_open_at_the_milestone_goes_under_county_supervision(
    time_env, case_worker, clean_pool
):
    handle, _, _ = await open_wage_case(time_env, case_worker, clean_pool)

    await time_env.sleep(timedelta(days=1, minutes=1))
    view = await view_when(handle, lambda v: v.status is CaseStatus.supervised)

    supervised = event(view, "supervised")
    assert supervised.data["campaign"] == "winter-wages-test"
    assert supervised.data["milestone"] == "元旦前清零"
    assert view.level.value == "grid"  # supervised where it stood, not climbed
    assert "escalated" not in [e.kind for e in view.events]
    assert COUNTY_SUPERVISOR in await outbox(clean_pool, view.case_id, supervised.seq)


async def test_a_running_case_enters_the_window_when_it_begins(time_env, case_worker, clean_pool):
    handle, before, policy = await open_wage_case(
        time_env, case_worker, clean_pool, starts=timedelta(hours=1), milestone=timedelta(days=1)
    )
    assert before.risk.value == "green" and "campaign_entered" not in [
        e.kind for e in before.events
    ]

    await time_env.sleep(timedelta(hours=2))
    view = await view_when(handle, lambda v: v.risk.value == "yellow")

    assert event(view, "campaign_entered").data["campaign"] == "winter-wages-test"
    assert view.due_at == policy.campaigns[0].milestones[0].at
    assert view.status is CaseStatus.open


async def test_a_case_the_campaign_does_not_cover_is_left_alone(time_env, case_worker, clean_pool):
    now = await time_env.get_current_time()
    handle = await start(time_env, case_worker, policy=winter(now), complexity="complex")
    view = await view_when(handle, settled)

    assert view.risk.value == "green"  # a neighbour dispute
    assert not {"campaign_entered", "campaign_capped"} & {e.kind for e in view.events}


async def test_a_group_wage_case_is_red_and_the_county_and_police_are_told_at_once(
    time_env, case_worker, clean_pool
):
    # 保障农民工工资支付条例 Art. 41: ten workers unpaid is a group dispute (risk.py's red).
    await factories.load_roster(clean_pool)
    now = await time_env.get_current_time()
    handle = await start(
        time_env, case_worker, policy=winter(now), dispute_type="wages",
        risk_flags=["group_dispute", "wage_arrears"],
    )  # fmt: skip
    view = await view_when(handle, settled)

    opened = event(view, "opened")
    assert view.risk.value == "red" and view.level.value == "township"
    assert {COUNTY_SUPERVISOR, ("police_station", "Haibei Street")} <= await outbox(
        clean_pool, view.case_id, opened.seq
    )
    assert event(view, "campaign_entered").data["to"] == "red"  # the floor never lowers


async def test_a_case_resolved_before_the_milestone_is_not_supervised(
    time_env, case_worker, clean_pool
):
    handle, _, _ = await open_wage_case(time_env, case_worker, clean_pool)
    await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID, agreement="付清工资")
    )

    await time_env.sleep(timedelta(days=1, minutes=1))
    view = await handle.query(CaseWorkflow.view)

    assert view.status is not CaseStatus.supervised
    assert "supervised" not in [e.kind for e in view.events]


async def test_a_case_paused_at_the_milestone_is_supervised_and_its_pause_ends(
    time_env, case_worker, clean_pool
):
    handle, _, _ = await open_wage_case(time_env, case_worker, clean_pool)
    await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="appraisal"))

    await time_env.sleep(timedelta(days=1, minutes=1))
    view = await view_when(handle, lambda v: v.status is CaseStatus.supervised)

    assert view.paused_since is None
    assert event(view, "supervised").data["milestone"] == "元旦前清零"
