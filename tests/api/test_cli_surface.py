"""Issue 19's "done when" from the command line, on a real worker, API and ledger: a supervised
case in `list --overdue` first, by how long; search by a party's phone with `list --json`;
`intake` refusing a bad phone in Chinese; a whistle by Chinese names; `report --period` of the
current month writing report.html."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.api.test_api import front, open_case  # noqa: F401  (the fixture)
from tests.api.test_browser_worklists import (
    PHONE,
    start_case,
    supervised_row,
    township_case,
)
from tests.api.test_cli import cli_env  # noqa: F401  (the fixture)
from tests.test_starter import GOOD, jsonl, live, starter  # noqa: F401  (the fixture)
from texts.terms import LOCAL_ZONE


async def test_list_overdue_search_and_json(front, cli_env, tmp_path):  # noqa: F811
    zh = {**cli_env, "DISPUTE_LANG": "zh"}
    await supervised_row(front["pool"], "CLI-SUPERVISED", overdue=timedelta(days=3, hours=2))
    await start_case(front, "CLI-PHONE", parties=[
        {"name": "张春梅", "role": "applicant", "phone": PHONE}])  # fmt: skip

    overdue = await starter(zh, "list", "--overdue", "--under", "Haibowan District")
    assert overdue.returncode == 0, overdue.stderr
    first = overdue.stdout.splitlines()[1]
    assert first.startswith("CLI-SUPERVISED") and first.endswith("已超期3天2小时")

    found = await starter(zh, "list", "--search", "138-1234-5678", "--json")
    rows = [json.loads(line) for line in found.stdout.splitlines()]
    assert [r["case_id"] for r in rows] == ["CLI-PHONE"]
    assert isinstance(rows[0]["seconds_left"], int) and rows[0]["overdue"] is False


async def test_intake_refuses_a_bad_phone_in_chinese_naming_the_field(live, tmp_path):  # noqa: F811
    bad = {**GOOD, "case_id": "CLI-BADPHONE",
           "parties": [{"name": "张某", "role": "applicant", "phone": "1381234"}]}  # fmt: skip
    path = tmp_path / "bad.jsonl"
    path.write_text(jsonl(bad), encoding="utf-8")
    result = await starter({**live, "DISPUTE_LANG": "zh"}, "intake", str(path))
    assert result.returncode == 1, result.stderr
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["status"] == "rejected"
    [error] = record["errors"]
    assert error["field"] == "parties.0.phone" and error["message"].startswith("不是有效的电话号码")


async def test_a_whistle_by_chinese_names_from_the_command_line(front, cli_env, tmp_path):  # noqa: F811
    handler = await township_case(front, "CLI-WHISTLE")
    env = {**cli_env, "DISPUTE_LANG": "zh", "DISPUTE_TOKEN": handler}
    say = ("--reason", "需要法律意见")
    unknown = await starter(env, "whistle", "CLI-WHISTLE", "routine", "--departments",
                            "司法所,水务站", *say)  # fmt: skip
    assert unknown.returncode == 1 and "水务站" in unknown.stderr and "派出所" in unknown.stderr
    blown = await starter(env, "whistle", "CLI-WHISTLE", "routine", "--departments",
                          "司法所,派出所", *say, "--json")  # fmt: skip
    assert blown.returncode == 0, blown.stderr
    duties = json.loads(blown.stdout)["whistles"][0]["duties"]
    assert duties == {"judicial_office": "summoned", "police_station": "summoned"}


async def test_report_of_the_current_month_writes_report_html(front, cli_env, tmp_path):  # noqa: F811
    await open_case(front, "CLI-REPORT")
    month = datetime.now(UTC).astimezone(LOCAL_ZONE).strftime("%Y-%m")
    env = {**cli_env, "DISPUTE_LANG": "zh", "DISPUTE_REPORTS_DIR": str(tmp_path / "reports")}
    result = await starter(env, "report", "--period", month)
    assert result.returncode == 0, result.stderr
    html = tmp_path / "reports" / "monthly" / month / "report.html"
    assert html.is_file() and str(html) in result.stderr
