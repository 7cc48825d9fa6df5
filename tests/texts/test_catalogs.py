"""The catalogs match the code: every message the code uses is translated, none is left over."""

from __future__ import annotations

import pytest

from texts import DOMAINS, Lang, parse_lang, texts
from texts.catalogs import problems


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_the_code_uses_has_a_chinese_translation(domain: str) -> None:
    found = problems(domain, Lang.zh)
    assert not found.missing, f"run `python -m texts.catalogs update`, then translate: {found}"
    assert not found.untranslated, f"untranslated in {domain}.po: {found.untranslated}"
    assert not found.unused, f"{domain}.po has entries no code uses: {found.unused}"


@pytest.mark.parametrize(
    ("value", "lang"),
    [(None, Lang.zh), ("", Lang.zh), ("zh", Lang.zh), ("zh_CN.UTF-8", Lang.zh),
     ("zh-CN", Lang.zh), ("en", Lang.en), ("en_US", Lang.en), ("EN", Lang.en)],
)  # fmt: skip
def test_language_names_are_read_loosely(value: str | None, lang: Lang) -> None:
    assert parse_lang(value) is lang


def test_an_unknown_language_is_refused_naming_the_supported_ones() -> None:
    with pytest.raises(ValueError, match=r"'fr'.*zh, en"):
        parse_lang("fr")


def test_english_is_the_source_language_and_chinese_comes_from_the_catalog() -> None:
    assert texts("terms", Lang.en).pgettext("level", "village") == "village"
    assert texts("terms", Lang.zh).pgettext("level", "village") == "村(社区)"
