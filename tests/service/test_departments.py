"""Departments by the names people type (service/departments.py)."""

from __future__ import annotations

import pytest

from service.departments import lookup, split_names

ROWS = [{"code": "judicial_office", "name": "千里司法所"}, {"code": "water", "name": "千里水务站"}]


@pytest.mark.parametrize(
    ("names", "codes"),
    [
        (["司法所", "派出所"], ["judicial_office", "police_station"]),
        (["千里司法所", "千里水务站"], ["judicial_office", "water"]),
        (["judicial_office", "Judicial Office"], ["judicial_office"]),
        (["水利局"], ["水利局"]),  # unknown: sent as typed, for the validator to refuse
    ],
)
def test_names_codes_and_common_names_become_codes(names, codes):
    assert lookup(ROWS, names) == codes


def test_names_are_separated_as_people_type_them():
    assert split_names("司法所,派出所；综合执法队、 法官工作站") == [
        "司法所", "派出所", "综合执法队", "法官工作站",
    ]  # fmt: skip
