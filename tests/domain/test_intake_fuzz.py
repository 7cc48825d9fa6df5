"""Property-based fuzzing of intake parsing (no servers): whatever the text, every record
gets exactly one verdict, every rejection names a field, and what is accepted is storable."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.intake import IntakeFileError, IntakeRecord, iter_intake
from service.intake import IntakeSourceError, open_intake
from tests.intake_strategies import csv_file, file_bytes, jsonl_file

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone(timedelta(hours=8)))
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
FUZZ = settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def expected_lines(text: str, fmt: str) -> list[int]:
    """The line each record starts on, counted independently of the parser."""
    if fmt == "jsonl":
        text = text.removeprefix("\ufeff")
        return [n for n, line in enumerate(text.split("\n"), 1) if line.strip()]
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    starts, last, header = [], 0, False
    for cells in reader:
        start, last = last + 1, reader.line_num
        if any(c.strip() for c in cells):
            if header:
                starts.append(start)
            header = True
    return starts


def check(records: list[IntakeRecord]) -> None:
    for record in records:
        for error in record.errors:
            assert error.field.strip(), record
            assert error.message.strip(), record
            assert not UNSTORABLE.search(error.field + error.message), record
        if record.intake is not None:
            # Accepted means storable: no NUL, no surrogate anywhere in what is stored.
            stored = json.dumps(record.intake.model_dump(mode="json"), ensure_ascii=False)
            assert not UNSTORABLE.search(stored), record
            assert record.case_id and re.fullmatch(r"[A-Za-z0-9._-]{1,64}", record.case_id)
        if record.repeat_of is not None:
            assert record.repeat_of < record.line


def verdicts(text: str, fmt: str) -> list[IntakeRecord] | None:
    lines = io.StringIO(text, newline="\n" if fmt == "jsonl" else "")
    try:
        return list(iter_intake(lines, fmt, now=NOW))
    except IntakeFileError as err:
        assert str(err).strip()
        return None


@FUZZ
@given(text=jsonl_file("F"))
def test_every_json_line_gets_exactly_one_verdict(text: str):
    records = verdicts(text, "jsonl")
    if records is None:  # a file-level refusal: only for an empty file or a JSON array
        assert not expected_lines(text, "jsonl") or text.lstrip().startswith("[")
        return
    assert [r.line for r in records] == expected_lines(text, "jsonl")
    check(records)


@FUZZ
@given(text=csv_file("F"))
def test_every_csv_row_gets_exactly_one_verdict(text: str):
    records = verdicts(text, "csv")
    if records is None:  # a quote left open, or no rows
        return
    assert [r.line for r in records] == expected_lines(text, "csv")
    check(records)


@FUZZ
@given(
    text=st.one_of(jsonl_file("F"), csv_file("F")), name=st.sampled_from(["x.jsonl", "x.csv", "-"])
)
def test_a_file_as_bytes_is_refused_whole_or_answered_record_by_record(text: str, name: str):
    data = file_bytes(text)
    try:
        fmt, lines = open_intake(name, io.BytesIO(data))
        records = list(iter_intake(lines, fmt, now=NOW))
    except (IntakeFileError, IntakeSourceError) as err:
        assert str(err).strip()
        return
    assert records
    check(records)


@settings(max_examples=200, deadline=None, database=None)
@given(data=st.binary(max_size=300), name=st.sampled_from(["x.jsonl", "x.csv", "-"]))
def test_random_bytes_never_crash_the_reader(data: bytes, name: str):
    try:
        fmt, lines = open_intake(name, io.BytesIO(data))
        records = list(iter_intake(lines, fmt, now=NOW))
    except (IntakeFileError, IntakeSourceError) as err:
        assert str(err).strip()
        return
    check(records)
