"""Machine values, durations and times as people read them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from texts import Lang
from texts.terms import TERMS, duration, label, local_time, time_left


@pytest.mark.parametrize(
    ("kind", "value", "zh", "en"),
    [("level", "grid", "网格", "grid"), ("level", "township", "乡镇(街道)", "township"),
     ("level", "county", "县(区)", "county"), ("status", "supervised", "县级督办中", "supervised"),
     ("track", "peoples", "人民调解", "peoples"), ("risk", "red", "红色", "red")],
)  # fmt: skip
def test_a_machine_value_has_a_name_in_each_language(kind, value, zh, en) -> None:
    assert label(kind, value, Lang.zh) == zh
    assert label(kind, value, Lang.en) == en


def test_every_named_value_has_a_chinese_name_that_differs_from_the_code() -> None:
    same = [pair for pair in TERMS if label(*pair, Lang.zh) == pair[1]]
    assert not same


def test_a_value_without_a_name_is_shown_as_it_is() -> None:
    assert label("level", "planet", Lang.zh) == "planet"


@pytest.mark.parametrize(
    ("seconds", "zh", "en"),
    [(0, "0分", "0m"), (59, "0分", "0m"), (300, "5分", "5m"), (7_500, "2小时5分", "2h 5m"),
     (90_000, "1天1小时", "1d 1h"), (-7_500, "2小时5分", "2h 5m"),
     (86_400 * 3, "3天0小时", "3d 0h")],
)  # fmt: skip
def test_durations_show_their_two_largest_units(seconds, zh, en) -> None:
    assert duration(seconds, Lang.zh) == zh
    assert duration(seconds, Lang.en) == en


@pytest.mark.parametrize(
    ("seconds", "paused", "zh", "en"),
    [(7_500, False, "剩余2小时5分", "2h 5m left"), (-60, False, "已超期1分", "1m overdue"),
     (None, False, "无时限", "no clock"), (100, True, "计时已暂停", "clock paused")],
)  # fmt: skip
def test_time_left_says_left_overdue_or_why_there_is_none(seconds, paused, zh, en) -> None:
    assert time_left(seconds, Lang.zh, paused=paused) == zh
    assert time_left(seconds, Lang.en, paused=paused) == en


def test_times_are_shown_in_china_standard_time() -> None:
    assert local_time(datetime(2026, 11, 25, 16, 30, tzinfo=UTC), Lang.zh) == "2026-11-26 00:30"
    assert local_time(None, Lang.zh) == "-"
