"""The human text: which case, what happened, what to do by when, in local time; Chinese by
default, English when asked."""

from __future__ import annotations

import pytest

from notify import texts
from texts import Lang

DUE = "2026-11-25T06:00:00+00:00"
LATER = "2026-11-27T06:00:00+00:00"


@pytest.mark.parametrize(
    ("lang", "kind", "data", "line"),
    [
        ("zh", "warning", {"due_at": DUE}, "请于 2026-11-25 14:00 前化解或报告办理结果，否则"),
        ("en", "warning", {"due_at": DUE}, "Settle it or report the outcome by 2026-11-25 14:00,"),
        ("zh", "assigned", {"due_at": DUE}, "本案由您办理：请于 2026-11-25 14:00 前"),
        ("en", "assigned", {"due_at": DUE}, "You handle this case: settle it or report"),
        ("zh", "deadline_passed", {"due_at": DUE}, "办理期限 2026-11-25 14:00 已过，案件上交"),
        ("en", "deadline_passed", {"due_at": DUE}, "It was due 2026-11-25 14:00; the case"),
        ("zh", "supervised", {}, "县(区)已对本案督办：请立即报告进展。"),
        ("en", "supervised", {}, "The county supervises this case (督办): report progress now."),
        ("zh", "whistle_blown", {"check_in_by": DUE, "report_by": LATER},
         "请于 2026-11-25 14:00 前报到，2026-11-27 14:00 前报告处置情况。"),
        ("en", "whistle_blown", {"check_in_by": DUE, "report_by": LATER},
         "Check in by 2026-11-25 14:00 and report by 2026-11-27 14:00."),
        ("zh", "warning", {}, "详情请打开案件查看。"),  # no due time: no made-up one
        ("en", "warning", {}, "Open the case for the details."),
        ("zh", "whistle_blown", {"check_in_by": DUE}, "详情请打开案件查看。"),
        ("en", "opened", {"due_at": DUE}, "Open the case for the details."),
    ],
)  # fmt: skip
def test_action_line_says_what_to_do_by_when(lang: str, kind: str, data: dict, line: str):
    assert texts.action_line(kind, data, 8, lang).startswith(line)


def test_compose_in_chinese_names_the_case_and_its_place_and_links_it():
    text = texts.compose(
        case_id="C-1", title="夜间噪音", place="前里镇 前里村", summary="黄色预警",
        kind="warning", data={"due_at": DUE}, case_url="https://x/cases/C-1",
    )  # fmt: skip
    assert text.splitlines() == [
        "【C-1】夜间噪音（前里镇 前里村）",
        "黄色预警",  # the ledger's summary, as the case recorded it
        "请于 2026-11-25 14:00 前化解或报告办理结果，否则将上交上一级。",
        "查看：https://x/cases/C-1",
    ]


def test_compose_in_english_names_another_offset_after_the_time():
    text = texts.compose(
        case_id="C-1", title="Noise at night", place="Qianli Village, Qianli Township",
        summary="yellow warning", kind="warning", data={"due_at": DUE},
        case_url="https://x/cases/C-1", offset_hours=0, lang=Lang.en,
    )  # fmt: skip
    assert text.splitlines() == [
        "[C-1] Noise at night (Qianli Village, Qianli Township)",
        "yellow warning",
        "Settle it or report the outcome by 2026-11-25 06:00 (UTC+0), or it goes up a level.",
        "Open: https://x/cases/C-1",
    ]


def test_not_configured_is_read_in_the_language_asked():
    assert texts.not_configured(Lang.zh).startswith("未配置发送渠道")
    assert texts.not_configured(Lang.en).startswith("no channel is configured")
