"""Intake where clerks type Chinese: per-record errors in the clerk's language, the names of
roles, dispute types and risk factors (texts/terms.py) taken for their codes, and phone
numbers checked (domain/phones.py)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from domain.intake import parse_intake
from domain.phones import is_phone

NOW = datetime(2026, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=8)))
RECORD = {
    "case_id": "ZH-1",
    "dispute_type": "debt",
    "title": "借款纠纷",
    "location": {"county": "海博湾区", "township": "千里镇", "village": "东村", "grid": "G-01"},
    "parties": [{"name": "张某", "role": "applicant", "phone": "13812345678"}],
    "reported_at": "2026-12-30T09:30:00+08:00",
    "reported_by": {"name": "周网格员", "role": "grid_worker"},
}
HEADER = ("case_id,dispute_type,title,county,township,village,grid,applicant_name,"
          "applicant_phone,reported_at,reported_by_name,reported_by_role,risk_flags\n")  # fmt: skip


def one(record: dict, lang: str = "zh"):
    [verdict] = parse_intake(json.dumps(record, ensure_ascii=False), "jsonl", now=NOW, lang=lang)
    return verdict


@pytest.mark.parametrize(
    ("phone", "ok"),
    [
        ("13812345678", True), ("138 1234 5678", True), ("+86 138-1234-5678", True),
        ("0755-88881234", True), ("(010) 8888 1234", True), ("021-88881234转12", True),
        ("1381234", False), ("12ab", False), ("12812345678", False), ("88881234", False),
        ("138123456789", False), ("", False),
    ],
)  # fmt: skip
def test_mobile_or_landline_with_area_code(phone, ok):
    assert is_phone(phone) is ok


def test_a_bad_phone_is_refused_in_chinese_naming_the_field():
    bad = one({**RECORD, "parties": [{"name": "张某", "role": "applicant", "phone": "1381234"}]})
    assert bad.intake is None
    [error] = bad.errors
    assert error.field == "parties.0.phone"
    assert error.message.startswith("不是有效的电话号码：手机号为13–19开头的11位数字")
    assert error.message.endswith('收到的是 "1381234"')


def test_a_bad_phone_in_csv_names_its_column():
    row = (
        "ZH-2,debt,借款,海博湾区,千里镇,东村,G-01,张某,12ab,2026-12-30T09:30:00+08:00,周,网格员,\n"
    )
    [bad] = parse_intake(HEADER + row, "csv", now=NOW, lang="zh")
    assert [(e.field, e.message[:9]) for e in bad.errors] == [
        ("applicant_phone", "不是有效的电话号码")
    ]


def test_csv_takes_the_chinese_names_of_roles_types_and_risk_factors():
    row = ("ZH-3,债务纠纷,借款,海博湾区,千里镇,东村,G-01,张某,0755-88881234,"
           "2026-12-30T09:30:00+08:00,周,网格员,涉及老年人;wage_arrears\n")  # fmt: skip
    [good] = parse_intake(HEADER + row, "csv", now=NOW, lang="zh")
    assert good.errors == []
    assert good.intake.dispute_type == "debt"
    assert good.intake.reported_by.role == "grid_worker"
    assert good.intake.risk_flags == ["elderly", "wage_arrears"]


@pytest.mark.parametrize(
    ("record", "field", "message"),
    [
        ({k: v for k, v in RECORD.items() if k != "title"}, "title", "必须填写"),
        ({**RECORD, "reported_by": {"name": "周", "role": "村长"}}, "reported_by.role",
         "须为以下之一：网格员 (grid_worker), "),
        ({**RECORD, "titel": "x"}, "titel", "未知字段（请检查拼写）；是否应为 title？"),
    ],
)  # fmt: skip
def test_per_record_errors_in_chinese(record, field, message):
    [error] = one(record).errors
    assert error.field == field and error.message.startswith(message)


def test_a_line_that_is_not_json_says_so_in_chinese():
    [bad] = parse_intake('{"case_id": \n', "jsonl", now=NOW, lang="zh")
    assert bad.errors[0].message.startswith("不是有效的 JSON：第")


def test_english_on_request():
    bad = one({**RECORD, "parties": [{"name": "张某", "role": "applicant", "phone": "12ab"}]}, "en")
    assert bad.errors[0].message.startswith("is not a phone number")


def test_unstorable_text_and_a_future_time_are_refused_in_chinese():
    bad = one({**RECORD, "title": "a\u0000b", "reported_at": "2027-06-01T09:00:00+08:00"})
    messages = {e.field: e.message for e in bad.errors}
    assert messages == {"title": "含有 NUL 字符（\\u0000，第2个字符），无法保存"}
    late = one({**RECORD, "reported_at": "2027-06-01T09:00:00+08:00"})
    assert late.errors[0].message.startswith("晚于当前时间（现在是 2026-12-31T23:00:00+08:00）")
