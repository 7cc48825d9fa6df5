"""The command line's messages (`cli` catalog) in the process's language, looked up when said.

`starter.py` and `python stack.py` fix the language (`--lang`, else `DISPUTE_LANG`,
else Chinese) after their modules are imported, so the catalog is looked up at each call,
not bound at import. Machine output (JSON, CSV, exit statuses) and log events stay English.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from texts import LANG_ENV, Lang, process_lang, process_texts, use_lang


def _(message: str) -> str:
    """`message` (an English msgid of the `cli` catalog) in the process's language."""
    return process_texts("cli")(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return process_texts("cli").ngettext(singular, plural, count)


def add_lang_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=[lang.value for lang in Lang],
        help=f"language of the messages (default: ${LANG_ENV}, else zh)",
    )


def use_lang_of(argv: Sequence[str]) -> list[str]:
    """Fix the process's language from `--lang` anywhere in `argv` (before or after the
    command), else `DISPUTE_LANG`, else Chinese; returns `argv` without it. Read before the
    full parse, so the command's own messages are in that language from the start."""
    early = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    add_lang_option(early)
    known, rest = early.parse_known_args(list(argv))
    use_lang(known.lang)
    from cli.argparse_words import speak

    speak(process_lang())
    return rest
