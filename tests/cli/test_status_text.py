"""`status` for a person (a short view in their language, local time) and for scripts (JSON with
one offset and whole seconds)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from cli.status_text import LAST_EVENTS, holder, related_lines, status_lines
from domain import time_left
from domain.case_models import CaseView
from service.case_json import status_json

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)  # 14:00 in the county
LOCAL = timezone(timedelta(hours=8))


def view(**overrides: Any) -> CaseView:
    """A case at the village, a mediator holding it, 3 days 4 hours left as of NOW."""
    data: dict[str, Any] = {
        "case_id": "HB-1",
        "workflow_id": "case-HB-1",
        "title": "宅基地边界纠纷",
        "dispute_type": "land",
        "complexity": "general",
        "risk": "yellow",
        "location": {"county": "海湾区", "township": "海北街道", "village": "钻石广场社区",
                     "grid": "G-07"},
        "status": "open",
        "level": "village",
        "assignee": {"name": "周调解员", "unit": "钻石广场社区", "role": "mediation_committee"},
        "lead": {"name": "孙委员", "unit": "海北街道", "role": "leader"},
        "due_at": NOW + timedelta(days=3, hours=4),
        "remaining_seconds": 1234.5,
        "budget": "5d",
        "deadline_moved_by": [],
        "extended_seconds": 43200.0,
        "paused_since": None,
        "pause_reason": None,
        "paused_total_seconds": 0.25,
        "warnings_raised": ["yellow"],
        "transfer": None,
        "visits": [],
        "mediation": {"track": "peoples", "department": "人民调解委员会",
                      "started_at": NOW - timedelta(days=1), "due_at": NOW + timedelta(days=14),
                      "why": "default"},
        "opened_at": (NOW - timedelta(days=2)).astimezone(LOCAL),
        "closed_at": None,
        "policy": "demo",
        "runs": 1,
        "events": [
            {"seq": n, "at": NOW - timedelta(hours=10 - n), "kind": "note",
             "level": "grid" if n < 4 else "village", "summary": f"事件{n}",
             "data": {"due_at": "2026-11-28T00:00:00+00:00", "paused_seconds": 7.0}}
            for n in range(1, 8)
        ],
    }  # fmt: skip
    data.update(overrides)
    return time_left.as_of(CaseView.model_validate(data), NOW)


def fields(lines: list[str]) -> dict[str, str]:
    """The view's 'name  value' lines, by name."""
    out = {}
    for line in lines[1:]:
        if line.startswith("  ") and not line[2].isdigit():
            name, _, value = line.strip().partition("  ")
            out[name] = value.strip()
    return out


def test_a_person_reads_where_the_case_is_who_has_it_and_the_time_left_in_chinese():
    lines = status_lines(view(), "zh")
    assert lines[0] == "HB-1  宅基地边界纠纷"
    got = fields(lines)
    assert got["所在"] == "村(社区) 钻石广场社区 (海北街道 钻石广场社区, G-07)"
    assert got["状态"].startswith("办理中") and got["状态"].endswith("风险 黄色")
    assert got["承办人"] == "周调解员 (钻石广场社区)"
    assert got["包案领导"] == "孙委员 (海北街道)"
    assert got["时限"] == "剩余3天4小时 (到期 2026-11-28 18:00)"
    assert got["预警"] == "黄色"
    assert got["调解"] == "人民调解 (人民调解委员会); 到期 2026-12-09 14:00"


def test_the_last_events_in_local_time_newest_last():
    lines = status_lines(view(), "zh")
    at = lines.index(f"最近事件（{LAST_EVENTS}/7）：")
    events = lines[at + 1 :]
    assert len(events) == LAST_EVENTS
    assert events[0].split() == ["2026-11-25", "07:00", "网格", "事件3"]  # 23:00 UTC
    assert events[-1].split() == ["2026-11-25", "11:00", "村(社区)", "事件7"]


def test_english_on_request():
    got = fields(status_lines(view(), "en"))
    assert got["Where"].startswith("village 钻石广场社区")
    assert got["Time"] == "3d 4h left (due 2026-11-28 18:00)"
    assert got["Warnings"] == "yellow"


@pytest.mark.parametrize(
    ("overrides", "name", "text"),
    [
        ({"status": "paused", "paused_since": NOW - timedelta(hours=1)}, "时限",
         "计时已暂停 (到期 2026-11-28 18:00)"),
        ({"due_at": None}, "时限", "无时限"),
        ({"status": "supervised", "level": "county", "overdue_since": NOW - timedelta(hours=26)},
         "时限", "已超期1天2小时"),
        ({"status": "closed", "closed_at": NOW}, "时限", "已结束 2026-11-25 14:00"),
        ({"level": "grid"}, "所在", "网格 G-07 (海北街道 钻石广场社区, G-07)"),
        ({"level": "county"}, "所在", "县(区) 海湾区 (海北街道 钻石广场社区, G-07)"),
        ({"assignee": None}, "承办人", "-"),
    ],
)  # fmt: skip
def test_each_state_of_the_clock_and_the_ladder(overrides, name, text):
    assert fields(status_lines(view(**overrides), "zh"))[name] == text


@pytest.mark.parametrize(
    ("overrides", "absent"),
    [({"lead": None}, "包案领导"), ({"warnings_raised": []}, "预警"),
     ({"mediation": None}, "调解")],
)  # fmt: skip
def test_what_a_case_does_not_have_is_not_shown(overrides, absent):
    assert absent not in fields(status_lines(view(**overrides), "zh"))


def test_a_settled_case_waiting_for_its_visits_has_no_clock_line():
    assert "时限" not in fields(status_lines(view(status="resolved", closed_at=None), "zh"))


def test_the_latest_whistle_and_its_departments():
    whistle = {"seq": 3, "kind": "hard_case", "blown_at": NOW, "reason": "road blocked",
               "duties": {"police_station": "reported", "natural_resources": "checked_in",
                          "comprehensive_enforcement": "summoned"}}  # fmt: skip
    got = fields(status_lines(view(whistles=[whistle]), "zh"))
    assert got["吹哨"] == "2026-11-25 14:00：召集 3 个部门，已报到 2 个，已反馈 1 个"
    two = fields(status_lines(view(whistles=[whistle, {**whistle, "seq": 5}]), "en"))
    assert two["Whistle"].endswith("; 2 whistles in all")
    assert "吹哨" not in fields(status_lines(view(), "zh"))


def test_no_events_no_event_list():
    assert not any(line.startswith("最近事件") for line in status_lines(view(events=[]), "zh"))


def test_the_json_keeps_the_views_keys_with_one_offset_and_whole_seconds():
    data = status_json(view())
    assert set(data) == set(CaseView.model_fields)
    text = json.dumps(data, ensure_ascii=False)
    stamps = [v for v in _strings(data) if v[:4] == "2026" and "T" in v]
    assert stamps and all(v.endswith("+08:00") for v in stamps), stamps
    assert "+00:00" not in text
    assert data["due_at"] == "2026-11-28T18:00:00+08:00"
    assert data["events"][0]["data"] == {"due_at": "2026-11-28T08:00:00+08:00",
                                         "paused_seconds": 7}  # fmt: skip
    for key in ("remaining_seconds", "extended_seconds", "paused_total_seconds"):
        assert type(data[key]) is int, key
    assert (data["extended_seconds"], data["paused_total_seconds"]) == (43200, 0)
    assert data["level"] == "village" and data["risk"] == "yellow"  # machine values stay


def _strings(value: Any):
    if isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, str):
        yield value


def test_the_holding_unit_is_the_unit_of_the_level():
    assert holder(view(level="township")) == "海北街道"


def test_a_matter_on_a_procedure_shows_its_state_and_each_window_with_its_article():
    from datetime import UTC, datetime

    from domain.procedure import ProcedureView, WindowView

    due = datetime(2026, 3, 17, 16, 0, tzinfo=UTC)
    window = WindowView(
        name="register", starts_at=due, due_at=due, law="信访工作条例 第二十二条",
        length="15d", expired=True, paused=False,
    )  # fmt: skip
    procedure = ProcedureView(
        name="petition", state="registered", final=False, routes=[], flags=[], windows=[window]
    )
    lines = status_lines(view(procedure=procedure), "zh")
    [line] = [line for line in lines if "法定程序" in line]
    # The table's machine names as people read them: 信访事项 · 已登记, 登记转送交办期限.
    assert "信访事项 · 已登记" in line and "登记转送交办期限 2026-03-18 00:00" in line
    assert "信访工作条例 第二十二条" in line and "（已届满）" in line
    assert "registered" not in line and "register " not in line
    english = [line for line in status_lines(view(procedure=procedure), "en") if "register" in line]
    assert "petition · registered" in english[0] and "register 2026-03-18" in english[0]


def test_an_event_of_a_merged_case_is_marked_and_the_merged_cases_parties_listed():
    events = view().model_dump()["events"]
    events[-1] = {**events[-1], "from_case": "HB-2"}
    lines = status_lines(view(events=events), "zh")
    assert lines[-1].endswith("［来自已合并案件HB-2］事件7")
    assert lines[-2].endswith("  事件6")
    merged = [{"case_id": "HB-2", "parties": [{"name": "张某", "role": "applicant"}]}]
    assert related_lines([], [], "zh", merged) == ["已合并案件HB-2的当事人：张某 (申请人)"]
    # The mark is not part of a workflow's own events' JSON.
    assert "from_case" not in status_json(view())["events"][0]
    assert status_json(view(events=events))["events"][-1]["from_case"] == "HB-2"
