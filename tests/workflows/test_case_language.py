"""A case speaks the language it started with: its ledger summaries, the Web UI's details and
timer summaries; a case from before languages keeps English; the machine contract stays."""

from __future__ import annotations

import pytest
from temporalio.api.enums.v1 import EventType

from domain.actions import OutcomeInput, PauseInput
from domain.case_models import CaseStatus
from domain.case_summary import start_summary
from tests import factories
from tests.factories import GRID
from tests.workflows.test_case import settled, start, view_when
from tests.workflows.test_privacy import current_details, text_of
from texts import Lang
from workflows.case import CaseWorkflow


async def summaries(pool, case_id: str) -> dict[str, str]:
    rows = await pool.fetch(
        "SELECT kind, summary FROM case_events WHERE case_id = $1 ORDER BY seq", case_id
    )
    return {r["kind"]: r["summary"] for r in rows}


async def timer_summaries(handle, ring) -> list[str]:
    out = []
    async for event in handle.fetch_history_events():
        if event.event_type == EventType.EVENT_TYPE_TIMER_STARTED:
            meta = event.user_metadata
            if meta.HasField("summary"):
                out.append(text_of(ring, meta.summary))
    return out


@pytest.mark.parametrize(
    ("lang", "assigned", "paused", "details", "timer"),
    [
        (Lang.zh, "在网格级办理（受理）；承办人：赵网格员（G-07）", "赵网格员暂停计时：等待鉴定",
         "**已暂停计时** · **网格**（G-07）", "黄色预警"),
        (Lang.en, "at the grid level (opened); assigned to 赵网格员 (G-07)",
         "clock stopped by 赵网格员: appraisal", "**paused** at **grid** (G-07)", "yellow warning"),
        (None, "at the grid level (opened); assigned to 赵网格员 (G-07)",
         "clock stopped by 赵网格员: appraisal", "**paused** at **grid** (G-07)", "yellow warning"),
    ],
)  # fmt: skip
async def test_a_case_records_and_shows_its_texts_in_the_language_it_started_with(
    time_env, case_worker, clean_pool, payload_keys, lang, assigned, paused, details, timer
):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker, lang=lang)
    await view_when(handle, settled)
    await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="appraisal"))

    written = await summaries(clean_pool, handle.id.removeprefix("case-"))
    assert written["assigned"].startswith(assigned)
    assert written["paused"] == paused
    assert (await current_details(handle)).startswith(details)
    timers = await timer_summaries(handle, payload_keys)
    assert any(s.startswith(timer) for s in timers), timers


async def test_the_machine_contract_stays_english_in_a_chinese_case(
    time_env, case_worker, clean_pool
):
    await factories.load_roster(clean_pool)
    handle = await start(time_env, case_worker, policy=factories.NO_VISITS, lang=Lang.zh)
    await view_when(handle, settled)
    view = await handle.execute_update(
        CaseWorkflow.outcome, OutcomeInput(outcome="resolved", actor=GRID, level="grid")
    )

    assert view.status is CaseStatus.closed
    assert [e.kind for e in view.events][-2:] == ["resolved", "closed"]
    closed = view.events[-1]
    assert closed.data == {"outcome": "resolved"}
    assert closed.summary == "回访完成，案件办结"


@pytest.mark.parametrize(
    ("grid", "lang", "summary"),
    [("钻石广场社区第七网格", Lang.zh,
      "[邻里纠纷/一般] 楼上漏水 — 海北街道 · 钻石广场社区第七网格"),
     ("G-07", Lang.zh, "[邻里纠纷/一般] 楼上漏水 — 海北街道 · 钻石广场社区 · G-07"),
     ("G-07", Lang.en, "[neighbour/general] 楼上漏水 — 海北街道 · 钻石广场社区 · G-07")],
)  # fmt: skip
def test_the_web_ui_summary_names_the_place_once(grid, lang, summary) -> None:
    location = {"county": "海博湾区", "township": "海北街道", "village": "钻石广场社区",
                "grid": grid}  # fmt: skip
    intake = factories.intake(
        "T-1", title="楼上漏水", location=location, dispute_type="neighbour", complexity="general"
    )
    assert start_summary(intake, lang) == summary
