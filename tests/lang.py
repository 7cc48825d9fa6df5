"""Fixtures that fix the test process's language for a test, then put it back.

Messages are Chinese by default (`texts.use_lang`); a test that checks the wording of an
English message asks for `english` (`pytestmark = pytest.mark.usefixtures("english")`; the
fixtures are registered by tests/conftest.py), a block that checks the Chinese runs
`with speaking(Lang.zh)`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

import texts
from texts import Lang, use_lang


@contextmanager
def speaking(lang: Lang) -> Iterator[Lang]:
    """The process speaks `lang` inside the block."""
    before = texts._process_lang
    use_lang(lang)
    try:
        yield lang
    finally:
        texts._process_lang = before


@pytest.fixture
def english() -> Iterator[Lang]:
    with speaking(Lang.en) as lang:
        yield lang


@pytest.fixture
def chinese() -> Iterator[Lang]:
    with speaking(Lang.zh) as lang:
        yield lang
