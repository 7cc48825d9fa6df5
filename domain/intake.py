"""Parse an intake file (JSON Lines or CSV, INTAKE.md) into validated records.

Pure: takes lines of text and `now` from the caller, no file I/O, no clock, no Temporal.
`iter_intake` streams: it holds one record at a time (plus a small fingerprint per case id,
to tell a repeat of a case in the same file from a clash), so a file of any size is read in
flat memory. Every record gets a verdict of its own, so one bad line never hides the good
ones — a record nested too deeply, holding a NUL or a lone surrogate (text PostgreSQL cannot
store) is refused by itself; only a file that cannot be read as a whole (empty, wrong CSV
header) raises `IntakeFileError`. Messages are written
for a clerk fixing the file, not for a programmer: they name the field (or CSV column), say
what is allowed and echo the bad value.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import json
import re
import struct
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from typing import Any, Literal

from pydantic import BaseModel, ValidationError, model_validator

from domain.intake_models import ISO_TIME_HINT, CaseIntake, Location, Party, Reporter
from domain.phones import is_phone
from domain.storable import UNSTORABLE, printable
from texts import N_, Lang, Texts, texts
from texts.terms import TERMS, label

Format = Literal["jsonl", "csv"]

COLUMNS: tuple[str, ...] = (
    "case_id", "dispute_type", "complexity", "title", "description",
    "county", "township", "village", "grid",
    "applicant_name", "applicant_phone", "respondent_name", "respondent_phone",
    "reported_at", "reported_by_name", "reported_by_role", "risk_flags", "amount_cny",
)  # fmt: skip
#: Columns holding required fields; the others may be left out of the header.
REQUIRED_COLUMNS: frozenset[str] = frozenset(
    {"dispute_type", "title", "county", "township", "village", "grid"}
    | {"applicant_name", "reported_at", "reported_by_name", "reported_by_role"}
)
#: Field path in CaseIntake -> the CSV column a clerk must fix. Top-level fields keep their
#: name; every element of `risk_flags` maps to the one `risk_flags` column.
COLUMN_FOR_FIELD: dict[str, str] = {
    "location.county": "county", "location.township": "township",
    "location.village": "village", "location.grid": "grid",
    "parties": "applicant_name", "parties.0.name": "applicant_name",
    "parties.0.phone": "applicant_phone",
    "parties.1.name": "respondent_name", "parties.1.phone": "respondent_phone",
    "reported_by.name": "reported_by_name", "reported_by.role": "reported_by_role",
}  # fmt: skip
# The model found at a path (list indices dropped): names the allowed fields in messages.
_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): CaseIntake, ("location",): Location, ("parties",): Party, ("reported_by",): Reporter,
}  # fmt: skip


class FieldError(BaseModel):
    field: str
    message: str


class IntakeRecord(BaseModel):
    """The verdict on one input record: `intake` is set exactly when `errors` is empty and the
    record is not a repeat. `repeat_of` is the line of an identical earlier record of the same
    case in this file: the repeat is a `duplicate` (INTAKE.md: the same id is the same case)."""

    line: int
    case_id: str | None
    intake: CaseIntake | None
    errors: list[FieldError]
    repeat_of: int | None = None

    @model_validator(mode="after")
    def _intake_iff_no_errors(self) -> IntakeRecord:
        if self.repeat_of is not None:
            if self.intake is not None or self.errors:
                raise ValueError("a repeat carries neither an intake nor errors")
        elif (self.intake is None) == (not self.errors):
            raise ValueError("a record has an intake exactly when it has no errors")
        return self


class IntakeFileError(ValueError):
    """The file as a whole is unusable; str(err) is the message for the clerk."""


def detect_format(name: str, text: str) -> Format:
    """The format by file extension, or by the first character for stdin and odd names."""
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if lowered.endswith(".csv"):
        return "csv"
    # '[' counts as JSON too, so a JSON array gets the "not JSON Lines" message, not a CSV one.
    first = text.lstrip("\ufeff \t\r\n")[:1]
    return "jsonl" if first in ("{", "[") else "csv"


def generated_case_id(raw: dict[str, Any]) -> str:
    """A case id from the record's content, so resubmitting a file never opens a second case."""
    content = {key: value for key, value in raw.items() if key != "case_id"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "C-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def parse_intake(
    text: str, fmt: Format, *, now: datetime, lang: Lang | str = Lang.en
) -> list[IntakeRecord]:
    """One IntakeRecord per non-blank input record, in input order (the whole text at once);
    each record's errors in `lang`."""
    # newline="\n" for JSON Lines: U+2028 and a lone \r are legal inside JSON strings.
    lines = io.StringIO(text, newline="\n" if fmt == "jsonl" else "")
    return list(iter_intake(lines, fmt, now=now, lang=lang))


def iter_intake(
    lines: Iterable[str], fmt: Format, *, now: datetime, lang: Lang | str = Lang.en
) -> Iterator[IntakeRecord]:
    """One IntakeRecord per non-blank input record, in input order, as the lines come.

    `lines` keep their line ends: JSON Lines split on "\n" only; CSV as a file opened with
    newline="" gives them (a quoted cell may span lines). `IntakeFileError` is raised before
    the first record for a bad CSV header or a JSON array, and after the last line for a
    file without records (nothing was yielded then) or a CSV quote left open.
    """
    if now.tzinfo is None:
        raise ValueError("now must carry a time zone")
    t = texts("case", lang)
    if fmt == "jsonl":
        return _parse_jsonl(lines, now, t)
    if fmt == "csv":
        return _parse_csv(lines, now, t)
    raise ValueError(f"unknown intake format {fmt!r}")


#: Records nested deeper than this cannot be valid (the deepest field is parties.N.name) and
#: would exhaust the parser's recursion: refused as a record, never crashing the file.
MAX_DEPTH = 16


def _parse_jsonl(lines: Iterable[str], now: datetime, t: Texts) -> Iterator[IntakeRecord]:
    _ = t
    seen: dict[str, bytes] = {}
    any_record = False
    for number, line in enumerate(lines, start=1):
        line = line.removesuffix("\n")
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        if not any_record and line.lstrip().startswith("["):
            raise IntakeFileError(
                "this is a JSON array, not JSON Lines: put each case on its own line as {...}"
            )
        any_record = True
        try:
            raw = json.loads(line, object_pairs_hook=_no_repeated_keys, parse_constant=_no_nan)
        except json.JSONDecodeError as err:
            message = _("not valid JSON: {error} at column {column}")
            yield _line_error(number, message.format(error=err.msg, column=err.colno))
            continue
        except RecursionError:
            message = _("nested too deeply: at most {n} levels").format(n=MAX_DEPTH)
            yield _line_error(number, message)
            continue
        except ValueError as err:
            message = _("not valid JSON: {error}").format(error=printable(str(err)))
            yield _line_error(number, message)
            continue
        if not isinstance(raw, dict):
            yield _line_error(number, _("not a JSON object: each line must be {...}"))
            continue
        yield _validate(number, raw, raw, now, seen, csv_columns=False, t=t)
    if not any_record:
        raise IntakeFileError("the file is empty: it holds no cases")


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json.loads would keep the last of two equal keys silently; a clerk must see the clash.
    result = dict(pairs)
    if len(result) != len(pairs):
        keys = [key for key, _ in pairs]
        key = next(key for key in keys if keys.count(key) > 1)
        raise ValueError(f'field "{_key_name(key)}" is given twice')
    return result


def _no_nan(constant: str) -> Any:
    raise ValueError(f"{constant} is not a number JSON allows")


def _parse_csv(lines: Iterable[str], now: datetime, t: Texts) -> Iterator[IntakeRecord]:
    _ = t
    reader = csv.reader(_without_bom(lines), strict=True)
    header: list[str] | None = None
    any_record = False
    seen: dict[str, bytes] = {}
    last_line = 0
    try:
        for cells in reader:
            start, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue  # blank lines and spreadsheet rows of empty cells
            if header is None:
                header = _check_header([cell.strip() for cell in cells], start)
                continue
            any_record = True
            if len(cells) != len(header):
                message = _(
                    "has {cells} cells but the header has {columns} columns "
                    "(a value containing a comma must be in double quotes)"
                ).format(cells=len(cells), columns=len(header))
                yield _line_error(start, message)
            else:
                row = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
                yield _validate(start, _nest(row), row, now, seen, csv_columns=True, t=t)
    except csv.Error as err:
        hint = ' (is a double quote " left open?)' if "end of data" in str(err) else ""
        message = f"the CSV is malformed near line {reader.line_num}: {printable(str(err))}{hint}"
        raise IntakeFileError(message) from err
    if header is None:
        raise IntakeFileError("the file is empty: it holds no header and no cases")
    if not any_record:
        raise IntakeFileError("the file has a header but no cases")


def _without_bom(lines: Iterable[str]) -> Iterator[str]:
    iterator = iter(lines)
    for first in iterator:
        yield first.removeprefix("\ufeff")
        break
    yield from iterator


def _check_header(names: list[str], line: int) -> list[str]:
    expected = ", ".join(COLUMNS)
    if not set(names) & set(COLUMNS):
        shown = printable(", ".join(names)[:80])
        raise IntakeFileError(
            f"line {line} is not a header: none of its cells ({shown}) is a column name; "
            f"the first line must name the columns: {expected}"
        )
    repeated = sorted({_key_name(name) for name in names if names.count(name) > 1})
    if repeated:
        raise IntakeFileError(f"columns given twice in the header: {', '.join(repeated)}")
    problems = []
    unknown = [_key_name(name) for name in names if name not in COLUMNS]
    if unknown:
        problems.append("unknown columns: " + ", ".join(_with_hint(n, COLUMNS) for n in unknown))
    missing = [name for name in COLUMNS if name in REQUIRED_COLUMNS and name not in names]
    if missing:
        problems.append("missing required columns: " + ", ".join(missing))
    if problems:
        raise IntakeFileError("; ".join(problems) + f". Expected columns: {expected}")
    return names


def _nest(row: dict[str, str]) -> dict[str, Any]:
    """A CSV row as the nested record of the JSON form; empty cells are absent values."""
    cell = {name: value for name, value in row.items() if value}
    flat = ("case_id", "dispute_type", "complexity", "title", "description", "reported_at")
    raw: dict[str, Any] = {name: cell[name] for name in flat if name in cell}
    raw["location"] = {
        name: cell[name] for name in ("county", "township", "village", "grid") if name in cell
    }
    # The applicant is always party 0, so a missing name reads "applicant_name: is required".
    parties = [_party(cell, "applicant")]
    if "respondent_name" in cell or "respondent_phone" in cell:
        parties.append(_party(cell, "respondent"))
    raw["parties"] = parties
    raw["reported_by"] = {
        key: cell[f"reported_by_{key}"] for key in ("name", "role") if f"reported_by_{key}" in cell
    }
    if "risk_flags" in cell:
        raw["risk_flags"] = [flag.strip() for flag in cell["risk_flags"].split(";") if flag.strip()]
    if "amount_cny" in cell:
        raw["amount_cny"] = cell["amount_cny"]  # pydantic parses the text; "abc" is an error
    return raw


def _party(cell: dict[str, str], role: str) -> dict[str, str]:
    party = {"role": role}
    for key in ("name", "phone"):
        if f"{role}_{key}" in cell:
            party[key] = cell[f"{role}_{key}"]
    return party


def _validate(
    line: int,
    raw: dict[str, Any],
    flat: dict[str, Any],
    now: datetime,
    seen: dict[str, bytes],
    *,
    csv_columns: bool,
    t: Texts,
) -> IntakeRecord:
    _ = t
    """Validate one record. `flat` is what the clerk wrote (the JSON object, or the CSV row by
    column): repeats are compared on it. `seen` maps each case id met so far in the file to
    the line and fingerprint of its first record."""
    given = raw.get("case_id")
    given_id = given if isinstance(given, str) and not UNSTORABLE.search(given) else None
    errors = _unstorable(raw, csv_columns, t)
    if errors:
        return _verdict(line, given_id, None, errors)
    raw = _from_names(raw)
    intake: CaseIntake | None = None
    try:
        intake = CaseIntake.model_validate(raw, context={"now": now})
    except ValidationError as err:
        for error in err.errors():
            field = _field_name(error["loc"], csv_columns)
            errors.append(FieldError(field=field, message=_message(error, t)))
    if intake is not None:
        errors += _phone_errors(intake, csv_columns, t)
        if errors:
            intake = None
    case_id = given_id
    if intake is not None and intake.case_id is None:
        case_id = generated_case_id(raw)
        intake = intake.model_copy(update={"case_id": case_id})
    if case_id is None or not _CASE_ID.match(case_id):
        return _verdict(line, given_id, intake, errors)
    # Only a fingerprint per case id is kept (not the record): memory stays flat.
    print_now = _fingerprint(flat, csv_columns)
    first = seen.get(case_id)
    if first is None:
        seen[case_id] = _LINE.pack(line) + print_now
        return _verdict(line, case_id, intake, errors)
    first_line = _LINE.unpack_from(first)[0]
    differing = _differing(first[_LINE.size :], print_now, csv_columns)
    if differing:
        message = _(
            "appears again in this file (first on line {line}) with different {fields}: one "
            "case id is one case; give this one its own case_id"
        ).format(line=first_line, fields=", ".join(differing))
        errors.append(FieldError(field="case_id", message=message))
    if errors:
        return _verdict(line, case_id, None, errors)
    # The same case again, word for word: nothing new to start (INTAKE.md).
    return IntakeRecord(line=line, case_id=case_id, intake=None, errors=[], repeat_of=first_line)


def _verdict(
    line: int, case_id: str | None, intake: CaseIntake | None, errors: list[FieldError]
) -> IntakeRecord:
    if errors:
        return IntakeRecord(line=line, case_id=case_id, intake=None, errors=errors)
    return IntakeRecord(line=line, case_id=case_id, intake=intake, errors=[])


_CASE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LINE = struct.Struct(">I")
#: The fields (JSON) and columns (CSV) a repeat is compared on, each as a 4-byte digest;
#: anything else (an unknown field) shares one more digest.
_JSON_FIELDS: tuple[str, ...] = tuple(n for n in CaseIntake.model_fields if n != "case_id")
_CSV_FIELDS: tuple[str, ...] = tuple(n for n in COLUMNS if n != "case_id")
_DIGEST = 4


def _fingerprint(flat: dict[str, Any], csv_columns: bool) -> bytes:
    names = _CSV_FIELDS if csv_columns else _JSON_FIELDS
    parts = [_digest(flat.get(name)) for name in names]
    parts.append(_digest({k: v for k, v in flat.items() if k not in names and k != "case_id"}))
    return b"".join(parts)


def _digest(value: Any) -> bytes:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode("ascii"), digest_size=_DIGEST).digest()


def _differing(first: bytes, now: bytes, csv_columns: bool) -> list[str]:
    names = (*(_CSV_FIELDS if csv_columns else _JSON_FIELDS), "other fields")
    return [
        name
        for index, name in enumerate(names)
        if first[index * _DIGEST : (index + 1) * _DIGEST]
        != now[index * _DIGEST : (index + 1) * _DIGEST]
    ]


def _unstorable(raw: dict[str, Any], csv_columns: bool, t: Texts) -> list[FieldError]:
    """Text PostgreSQL cannot store, and nesting no record needs: one error per field.

    Walked with an explicit stack, so no depth of nesting can exhaust Python's recursion.
    """
    _ = t
    errors: dict[str, str] = {}
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), raw)]
    while stack:
        path, value = stack.pop()
        if len(path) > MAX_DEPTH:
            field = _field_name(path[:1], csv_columns)
            errors.setdefault(field, _("nested too deeply: at most {n} levels").format(n=MAX_DEPTH))
            continue
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and UNSTORABLE.search(key):
                    field = _field_name((*path, key), csv_columns)
                    why = _why_unstorable(key, t)
                    errors.setdefault(field, _("the field's name {why}").format(why=why))
                stack.append(((*path, key), item))
        elif isinstance(value, list):
            stack.extend(((*path, index), item) for index, item in enumerate(value))
        elif isinstance(value, str) and UNSTORABLE.search(value):
            errors.setdefault(_field_name(path, csv_columns), _why_unstorable(value, t))
    return [FieldError(field=field, message=message) for field, message in sorted(errors.items())]


def _why_unstorable(text: str, t: Texts) -> str:
    """Why `text` cannot be stored (domain/storable.py's reasons), in the clerk's language."""
    _ = t
    match = UNSTORABLE.search(text)
    if match is None:
        return ""
    at = match.start() + 1
    if match.group() == "\x00":
        return _("holds a NUL character (\\u0000, character {at}), which cannot be stored").format(
            at=at
        )
    return _(
        "holds a lone surrogate or a byte that is not UTF-8 (character {at}), which cannot be "
        "stored: save the file as UTF-8"
    ).format(at=at)


def _key_name(key: str) -> str:
    """A field name a clerk can find: never empty, never unprintable."""
    return printable(key) if key.strip() else f"(empty key{' ' + repr(key) if key else ''})"


def _line_error(line: int, message: str) -> IntakeRecord:
    return IntakeRecord(
        line=line, case_id=None, intake=None, errors=[FieldError(field="(line)", message=message)]
    )


def _field_name(loc: tuple[int | str, ...], csv_columns: bool) -> str:
    path = ".".join(_key_name(part) if isinstance(part, str) else str(part) for part in loc)
    if not path:
        return "(record)"
    if not csv_columns:
        return path
    if path.startswith("risk_flags"):
        return "risk_flags"
    return COLUMN_FOR_FIELD.get(path, path)


#: Our own validators' messages (domain/intake_models.py), for the catalog: they arrive as
#: pydantic's "Value error, <message>" and are translated by their English text.
_OWN_MESSAGES = (
    N_("at least one party must have role 'applicant'"),
    N_("must carry a time-zone offset, e.g. 2026-11-20T09:30:00+08:00"),
    N_("lies before 1900: check the year"),
    N_("must be a number ≥ 0"),
    N_("must be an ISO 8601 time with an offset, e.g. 2026-11-20T09:30:00+08:00"),
)


#: intake_models' "not in the future" message, which carries the time it was checked at.
_FUTURE = re.compile(r"^lies in the future \(now is (.+)\)$")


def _message(error: Any, t: Texts) -> str:
    """A pydantic error as a sentence a clerk can act on, in the clerk's language."""
    _ = t
    kind, loc, value = error["type"], error["loc"], error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("is required")
    if kind == "extra_forbidden":
        allowed = list(_model_at(loc[:-1]).model_fields)
        close = _closest(_key_name(str(loc[-1])), allowed)
        hint = _("; did you mean {name}?").format(name=close) if close else "."
        return _("unknown field (check the spelling){hint} Allowed: {allowed}").format(
            hint=hint, allowed=", ".join(allowed)
        )
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        fields = ", ".join(_model_at(loc).model_fields)
        return _("must be an object with {fields}").format(fields=fields)
    if value is None:
        return _("must have a value, not null")
    if kind == "string_too_short":
        return _("must not be empty")
    if kind == "string_too_long":
        return _("must be at most {n} characters (it has {got})").format(
            n=ctx["max_length"], got=len(value)
        )
    if kind == "enum":
        values = re.findall(r"'([^']*)'", ctx["expected"])
        message = _("must be one of {values}").format(values=", ".join(_named(loc, values, t)))
    elif kind == "string_pattern_mismatch":
        message = _("must be 1-64 letters, digits, '.', '_' or '-'")
    elif kind.startswith(("float", "int", "greater_than", "finite", "less_than")):
        message = _("must be a number ≥ 0")
    elif kind.startswith(("datetime", "date", "time")):
        message = _(ISO_TIME_HINT)
    elif kind == "string_type":
        message = _("must be text (in double quotes)")
    elif kind == "list_type":
        message = _("must be a list [...]")
    else:
        # Our own validators' ValueErrors arrive as "Value error, <our message>".
        own = str(error["msg"]).removeprefix("Value error, ")
        future = _FUTURE.match(own)
        if future:
            own = _("lies in the future (now is {now})").format(now=future.group(1))
        message = printable(_(own) if own in _OWN_MESSAGES else own)
    if isinstance(value, str | int | float):  # bool is an int: echoed as true/false
        shown = printable(json.dumps(value, ensure_ascii=False))
        message += _("; got {value}").format(
            value=shown if len(shown) <= 60 else shown[:57] + "..."
        )
    return message


#: The term kind (texts/terms.py) of each field whose values have names people write
#: (网格员, 债务纠纷, 涉及老年人): intake takes the names as well as the codes.
_NAMED_FIELDS = {
    "dispute_type": "dispute_type",
    "complexity": "complexity",
    "risk_flags": "risk_flag",
    "role": "party_role",
    "reported_by.role": "reporter",
}


def _kind_at(loc: tuple[int | str, ...]) -> str | None:
    path = [str(p) for p in loc if not isinstance(p, int)]
    if path[:1] == ["reported_by"]:
        return "reporter"
    if path[:1] == ["parties"]:
        return "party_role"
    return _NAMED_FIELDS.get(path[0]) if path else None


def _named(loc: tuple[int | str, ...], values: list[str], t: Texts) -> list[str]:
    """The allowed values, each with its name in the clerk's language when it has one."""
    kind = _kind_at(loc)
    if kind is None or t.lang == Lang.en:
        return values
    return [f"{label(kind, v, t.lang)} ({v})" for v in values]


@cache
def _codes_by_name(kind: str) -> dict[str, str]:
    """A term's names in every language -> its code: "网格员" -> "grid_worker"."""
    out: dict[str, str] = {}
    for term_kind, code in TERMS:
        if term_kind == kind:
            for lang in Lang:
                out.setdefault(label(kind, code, lang).casefold(), code)
    return out


def _code(kind: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    return _codes_by_name(kind).get(value.strip().casefold(), value)


def _from_names(raw: dict[str, Any]) -> dict[str, Any]:
    """The record with the names people write for roles, dispute types and risk factors
    (texts/terms.py: 网格员, 债务纠纷, 涉及老年人) as their codes; anything else unchanged."""
    out = dict(raw)
    for key in ("dispute_type", "complexity"):
        if key in out:
            out[key] = _code(key, out[key])
    if isinstance(out.get("risk_flags"), list):
        out["risk_flags"] = [_code("risk_flag", f) for f in out["risk_flags"]]
    if isinstance(out.get("reported_by"), dict) and "role" in out["reported_by"]:
        out["reported_by"] = {**out["reported_by"],
                              "role": _code("reporter", out["reported_by"]["role"])}  # fmt: skip
    if isinstance(out.get("parties"), list):
        out["parties"] = [
            {**p, "role": _code("party_role", p["role"])}
            if isinstance(p, dict) and "role" in p else p
            for p in out["parties"]
        ]  # fmt: skip
    return out


def _phone_errors(intake: CaseIntake, csv_columns: bool, t: Texts) -> list[FieldError]:
    """A party's phone number that is neither a mainland mobile nor a landline with its area
    code, named by its field (CSV: its column)."""
    _ = t
    errors = []
    for index, party in enumerate(intake.parties):
        if party.phone is not None and not is_phone(party.phone):
            message = _(
                "is not a phone number: a mobile is 11 digits starting 13-19, a landline has its "
                "area code (0755-88881234); got {value}"
            ).format(value=printable(json.dumps(party.phone, ensure_ascii=False)))
            field = _field_name(("parties", index, "phone"), csv_columns)
            errors.append(FieldError(field=field, message=message))
    return errors


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel]:
    return _MODEL_AT.get(tuple(str(p) for p in loc if not isinstance(p, int)), CaseIntake)


def _closest(name: str, allowed: list[str] | tuple[str, ...]) -> str | None:
    close = difflib.get_close_matches(name, allowed, n=1)
    return close[0] if close else None


def _with_hint(name: str, allowed: tuple[str, ...]) -> str:
    close = _closest(name, allowed)
    return f"{name} (did you mean {close}?)" if close else name
