"""Columns on a terminal, where a Chinese character takes two cells."""

from __future__ import annotations

import pytest

from texts.terminal import clip, pad, table, width


@pytest.mark.parametrize(
    ("text", "cells"),
    [("", 0), ("G-07", 4), ("网格", 4), ("村(社区)", 8), ("已超期3天", 9), ("ｆｕｌｌ", 8)],
)
def test_width_counts_wide_characters_twice(text, cells):
    assert width(text) == cells


@pytest.mark.parametrize(
    ("text", "cells", "out"),
    [
        ("short", 10, "short"),
        ("exactly10!", 10, "exactly10!"),
        ("a longer title", 10, "a longer …"),
        ("宅基地边界纠纷", 8, "宅基地…"),  # 3 x 2 + 1: a fourth 汉字 would not fit
        ("宅基地边界纠纷", 14, "宅基地边界纠纷"),
    ],
)
def test_clip_fits_the_cells_and_marks_the_cut(text, cells, out):
    assert clip(text, cells) == out
    assert width(clip(text, cells)) <= cells


@pytest.mark.parametrize(
    ("text", "cells", "right", "out"),
    [("网格", 6, False, "网格  "), ("网格", 6, True, "  网格"), ("toolong", 3, False, "toolong")],
)
def test_pad(text, cells, right, out):
    assert pad(text, cells, right=right) == out


def test_table_aligns_every_column_by_cells_and_leaves_no_trailing_space():
    lines = table(["id", "层级", "时限"], [["A-1", "网格", "剩余1天"], ["B-22", "county", "-"]])
    assert lines == [
        "id    层级    时限",
        "A-1   网格    剩余1天",
        "B-22  county  -",
    ]
