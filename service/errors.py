"""pydantic's validation errors as one line, the same for the CLI and the API, in the reader's
language: `field: message; …`. The common kinds of error have their own words (必须填写, 须为以下
之一…); our own validators' messages come through as they were written (in the case's or the
request's language where they are translated)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic import ValidationError

from texts import Lang, process_lang, texts


def _words(e: dict[str, Any], lang: Lang) -> str:
    _ = texts("runtime", lang)
    kind, ctx = e["type"], e.get("ctx") or {}
    if kind == "missing":
        return _("is required")
    if kind == "extra_forbidden":
        return _("is not a field of this request")
    if kind in ("literal_error", "enum"):
        values = re.findall(r"'([^']*)'", str(ctx.get("expected", "")))
        return _("must be one of {values}").format(values=", ".join(values))
    if kind == "string_too_short":
        return _("must not be empty")
    if kind == "string_too_long":
        return _("must be at most {n} characters").format(n=ctx.get("max_length"))
    if kind == "too_short":
        return _("must have at least {n} item(s)").format(n=ctx.get("min_length"))
    if kind == "too_long":
        return _("must have at most {n} items").format(n=ctx.get("max_length"))
    if kind.startswith("int_"):
        return _("must be a whole number")
    if kind.startswith(("float_", "decimal_")):
        return _("must be a number")
    if kind.startswith("bool_"):
        return _("must be true or false")
    if kind in ("string_type",):
        return _("must be text")
    if kind in ("list_type",):
        return _("must be a list")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("must be an object {...}")
    if kind == "json_invalid":
        return _("is not valid JSON")
    if kind.startswith(("datetime_", "date_")):
        return _("must be a time such as 2026-12-01T09:30:00+08:00")
    if kind.startswith(("greater_than", "less_than")):
        limit = next(iter(ctx.values()), "")
        return _("is out of range ({limit})").format(limit=limit)
    return str(e["msg"]).removeprefix("Value error, ")


def problem_lines(
    errors: Iterable[dict[str, Any]], lang: Lang | str | None = None, *, skip=("body",)
) -> str:
    """Errors as `field: message; …`, in `lang` (the process's when None)."""
    lang = Lang(lang) if lang else process_lang()
    parts = []
    for e in errors:
        where = ".".join(str(p) for p in e["loc"] if p not in skip)
        parts.append(f"{where + ': ' if where else ''}{_words(e, lang)}")
    return "; ".join(parts)


def problems(err: ValidationError, lang: Lang | str | None = None) -> str:
    """pydantic's errors as one line (see `problem_lines`)."""
    return problem_lines(err.errors(), lang)
