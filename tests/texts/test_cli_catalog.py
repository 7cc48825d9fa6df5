"""The command line's Chinese messages keep every placeholder of their English ids: a lost or
misspelt `{field}` would raise at the moment the message is said, often on an error path."""

from __future__ import annotations

import string

import pytest
from babel.messages.pofile import read_po

from texts import Lang
from texts.catalogs import po_path


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _messages() -> list[tuple[str, str]]:
    with po_path("cli", Lang.zh).open("rb") as fh:
        catalog = read_po(fh, locale="zh", domain="cli")
    return [(m.id, m.string) for m in catalog if m.id and isinstance(m.id, str)]


@pytest.mark.parametrize(("msgid", "msgstr"), _messages(), ids=lambda v: v[:40])
def test_each_translation_has_the_same_fields(msgid, msgstr):
    assert _fields(msgstr) == _fields(msgid)
