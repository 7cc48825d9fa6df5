"""The roster file's parsing: what a clerk's CSV must hold, and what each error says."""

from __future__ import annotations

import pytest

from cli.reference_files import RosterFileError, parse_roster
from runtime.config import ROOT
from tests.lang import speaking
from texts import Lang

pytestmark = pytest.mark.usefixtures("english")

HEADER = "level,unit,name,role\n"


def test_sample_roster_parses_with_every_level():
    rows = parse_roster((ROOT / "samples" / "roster.csv").read_text(encoding="utf-8"))
    # The county's 23 handlers and leads (包案), and the 信访 office and the two bodies that act
    # on samples/procedures.jsonl
    assert len(rows) == 26
    assert {r[0] for r in rows} == {"grid", "village", "township", "county"}
    assert rows[0] == ("grid", "钻石广场社区第七网格", "赵网格员", "grid_worker", True)


@pytest.mark.parametrize(
    ("active", "expected"),
    [("", True), ("true", True), ("yes", True), ("false", False), ("No", False), ("0", False)],
)
def test_active_column_reads_true_or_false(active: str, expected: bool):
    rows = parse_roster(f"level,unit,name,role,active\ngrid,G-07,赵,grid_worker,{active}\n")
    assert rows[0][4] is expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("level,unit,name\ngrid,G-1,x\n", "line 1: missing column(s) role"),
        (HEADER, "no roster rows after the header"),
        (HEADER + "grid,G-07,,grid_worker\n", "line 2, column name: empty"),
        (HEADER + "street,G-07,赵,grid_worker\n", "line 2, column level: 'street' must be one of"),
        (HEADER + "grid,G-07,赵,grid_worker,extra\n", "line 2: more fields than the header"),
        ("level,unit,name,role,active\ngrid,G-07,赵,x,maybe\n", "column active: 'maybe'"),
    ],
)
def test_bad_roster_is_refused_naming_the_line_and_column(text: str, message: str):
    with pytest.raises(RosterFileError) as caught:
        parse_roster(text)
    assert message in str(caught.value)


def test_byte_order_mark_is_accepted():
    assert parse_roster("\ufeff" + HEADER + "county,Haibowan District,严主任,county_centre\n")


def test_a_clerk_reads_the_roster_errors_in_chinese():
    with speaking(Lang.zh), pytest.raises(RosterFileError) as caught:
        parse_roster(HEADER + "street,G-07,赵,grid_worker\n")
    assert str(caught.value) == (
        "第 2 行 level 列：'street' 必须是 county, grid, township, village 之一"
    )
    with speaking(Lang.zh), pytest.raises(RosterFileError, match="表头之后没有花名册数据行"):
        parse_roster(HEADER)
