"""No personal data in any log line: names in person fields masked (王某 -> 王*), phones and
identity numbers masked anywhere, and a real case's worker log names nobody."""

from __future__ import annotations

import asyncio
import io
import json
import logging

import pytest

from domain.actions import PauseInput, WithdrawInput
from runtime import logging as logsetup
from runtime.logging import mask_personal, mask_text
from tests import factories
from tests.factories import APPLICANT, GRID
from tests.workflows.test_case import start
from workflows.case import CaseWorkflow


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("call 13812345678 now", "call 138****5678 now"),
        ("+86 13812345678", "+86 138****5678"),
        ("id 11010519491231002X ok", "id 11**************2X ok"),
        ("landline 0755-12345678", "landline 0755-****5678"),
        ("seq 12 of case HB-2026-000101", "seq 12 of case HB-2026-000101"),
    ],
)
def test_numbers_that_reach_a_person_are_masked_in_free_text(text, masked):
    assert mask_text(text) == masked


def test_person_fields_keep_only_their_first_character():
    line = mask_personal(None, "info", {
        "event": "x", "name": "王某", "to_name": "周网格员", "handler": "李四",
        "actor": {"name": "张三丰", "role": "applicant"}, "unit": "G-01",
    })  # fmt: skip
    assert (line["name"], line["to_name"], line["handler"]) == ("王*", "周***", "李*")
    assert line["actor"] == {"name": "张**", "role": "applicant"}
    assert line["unit"] == "G-01"


@pytest.fixture
def log_text():
    out = io.StringIO()
    logsetup.configure(json_output=True, stream=out, again=True)
    yield out
    logging.getLogger().handlers[:] = []


async def test_a_case_with_parties_and_phones_logs_no_name_and_no_phone(
    time_env, case_worker, clean_pool, log_text
):
    await factories.load_roster(clean_pool)
    parties = [
        {"name": "王某", "role": "applicant", "phone": "13812345678"},
        {"name": "李某", "role": "respondent", "phone": "13987654321"},
    ]
    handle = await start(time_env, case_worker, "LOG-1", parties=parties)
    await handle.execute_update(CaseWorkflow.pause, PauseInput(actor=GRID, reason="hearing"))
    await handle.execute_update(
        CaseWorkflow.withdraw, WithdrawInput(actor=APPLICANT, reason="settled between us")
    )
    await asyncio.sleep(0.5)
    text = log_text.getvalue()
    lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    assert any(line.get("kind") == "withdrawn" for line in lines)  # the story is logged
    assert "赵***" in text  # the handler assigned: named, masked
    for secret in ("王某", "李某", GRID.name, "13812345678", "13987654321"):
        assert secret not in text
