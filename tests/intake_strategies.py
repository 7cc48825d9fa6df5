"""Hypothesis strategies for intake fuzzing: valid records, mutated ones, hostile text.

What a careless or malicious intake script sends: fields dropped, retyped or renamed, NUL
and lone surrogates in any text, empty and odd keys, deep nesting, huge numbers, repeated
case ids (identical or not), broken JSON lines, CSV rows with any cells, and raw bytes.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import strategies as st

from domain.intake import COLUMNS

GOOD: dict[str, Any] = {
    "dispute_type": "debt",
    "title": "Unpaid loan for a tractor",
    "location": {
        "county": "Haibowan District",
        "township": "Qianli Township",
        "village": "East Village",
        "grid": "G-01",
    },
    "parties": [{"name": "张某", "role": "applicant"}, {"name": "刘某", "role": "respondent"}],
    "reported_at": "2026-11-20T09:30:00+08:00",
    "reported_by": {"name": "周网格员", "role": "grid_worker"},
}
GOOD_ROW: dict[str, str] = {
    "dispute_type": "wages",
    "title": "Wages unpaid since August",
    "county": "Haibowan District",
    "township": "Qianli Township",
    "village": "East Village",
    "grid": "G-01",
    "applicant_name": "孙某",
    "reported_at": "2026-11-21T10:00:00+08:00",
    "reported_by_name": "周网格员",
    "reported_by_role": "grid_worker",
}

# Any code point, surrogates included (st.text() leaves them out by default).
HOSTILE_CHAR = st.one_of(
    st.sampled_from(["\x00", "\ud800", "\udfff", "\udc80", "\u2028", "\r", "\n", '"', ",", " "]),
    st.characters(codec=None, categories=None),
)
# Built from lists: st.text() drops surrogates even when its alphabet offers them.
hostile_text = st.lists(HOSTILE_CHAR, max_size=12).map("".join)
plain_text = st.text(max_size=12)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    hostile_text,
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(hostile_text, inner, max_size=3)
    ),
    max_leaves=8,
)


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@st.composite
def mutated_record(draw: st.DrawFn, case_ids: st.SearchStrategy[str]) -> dict[str, Any]:
    """A good record with a few mutations: often still valid, often subtly not."""
    record: dict[str, Any] = json.loads(json.dumps(GOOD))
    if draw(st.booleans()):
        record["case_id"] = draw(case_ids)
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(
            st.sampled_from(["set", "drop", "add", "text", "deep", "nested", "amount", "when"])
        )
        key = draw(st.sampled_from([*GOOD, "case_id", "description", "risk_flags"]))
        if kind == "set":
            record[key] = draw(json_values)
        elif kind == "drop":
            record.pop(key, None)
        elif kind == "add":
            record[draw(hostile_text)] = draw(json_values)
        elif kind == "text":
            field = draw(st.sampled_from(["title", "description", "party", "grid", "reporter"]))
            text = draw(hostile_text)
            if field == "party":
                record["parties"] = [{"name": text, "role": "applicant"}]
            elif field == "grid":
                record["location"] = {**GOOD["location"], "grid": text}
            elif field == "reporter":
                record["reported_by"] = {"name": text, "role": "resident"}
            else:
                record[field] = text
        elif kind == "deep":
            record[key] = _nested(draw(st.sampled_from([15, 17, 200, 900])))
        elif kind == "when":
            record["reported_at"] = draw(
                st.one_of(
                    st.sampled_from(
                        [
                            "0001-01-01T00:00:00+14:00",
                            "0001-01-01T00:00:00-23:59",
                            "9999-12-31T23:59:59-23:59",
                            "2026-11-20T09:30:00+23:59",
                            "2026-02-30T09:30:00+08:00",
                            "2026-11-20 09:30:00Z",
                        ]
                    ),
                    st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
                )
            )
        elif kind == "nested":
            record["location"] = {**GOOD["location"], draw(hostile_text): draw(json_values)}
        else:
            record["amount_cny"] = draw(
                st.one_of(st.integers(-(10**40), 10**40), st.floats(), st.text(max_size=5))
            )
    return record


def json_line(record: dict[str, Any], ascii_only: bool) -> str:
    # ensure_ascii=True writes a lone surrogate as \ud800 (the JSON escape a script would
    # send); False writes the character itself (as bytes: see `file_bytes`).
    return json.dumps(record, ensure_ascii=ascii_only)


def file_bytes(text: str) -> bytes:
    """The text as a file would hold it: U+DC80..U+DCFF become the raw (non-UTF-8) bytes
    they stand for, other lone surrogates U+FFFD."""
    text = "".join(
        "\ufffd" if "\ud800" <= c <= "\udfff" and not "\udc80" <= c <= "\udcff" else c for c in text
    )
    return text.encode("utf-8", "surrogateescape")


@st.composite
def jsonl_file(draw: st.DrawFn, prefix: str) -> str:
    """A JSON Lines text: mutated records, repeats, broken lines, blank lines, deep arrays."""
    case_ids = st.one_of(
        st.sampled_from([f"{prefix}-{n}" for n in range(4)]),  # collisions on purpose
        hostile_text,
    )
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["record", "record", "record", "repeat", "broken", "blank"]))
        if kind == "repeat" and lines:
            lines.append(draw(st.sampled_from(lines)))
        elif kind == "broken":
            good = json_line(draw(mutated_record(case_ids)), True)
            cut = draw(st.integers(0, len(good)))
            lines.append(draw(st.sampled_from([good[:cut], "[" * 1000, "{" + good, "null"])))
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", "  ", "\r"])))
        else:
            lines.append(json_line(draw(mutated_record(case_ids)), draw(st.booleans())))
    return "\n".join(line.replace("\n", " ") for line in lines) + "\n"


@st.composite
def csv_file(draw: st.DrawFn, prefix: str) -> str:
    """A CSV text with the full header and rows of mostly good, sometimes hostile cells."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for _ in range(draw(st.integers(1, 5))):
        row = dict(GOOD_ROW)
        if draw(st.booleans()):
            row["case_id"] = draw(st.sampled_from([f"{prefix}-{n}" for n in range(4)]))
        for _ in range(draw(st.integers(0, 3))):
            row[draw(st.sampled_from(COLUMNS))] = draw(hostile_text)
        cells = [row.get(name, "") for name in COLUMNS]
        if draw(st.integers(0, 9)) == 0:
            cells = cells[: draw(st.integers(0, len(cells)))]
        writer.writerow(cells)
    return out.getvalue()
