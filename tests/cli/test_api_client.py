"""The CLI's token: read from --token-file or DISPUTE_TOKEN, refused with a clear message
when the file holds anything but one token."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from cli.api_client import CliError, read_token


def _args(path: Path) -> argparse.Namespace:
    return argparse.Namespace(command="pause", token_file=str(path))


def test_a_token_file_with_one_token_is_read(tmp_path: Path):
    path = tmp_path / "zhao.token"
    path.write_text("dt_abc123\n", encoding="utf-8")
    assert read_token(_args(path)) == "dt_abc123"


@pytest.mark.parametrize(
    "content",
    ["dt_abc123\ntokens：已向 张所长 发放令牌", "dt_one dt_two", "令牌"],
    ids=["message saved with it", "two tokens", "not ascii"],
)
def test_a_token_file_holding_more_is_refused_naming_the_file(tmp_path: Path, content: str):
    path = tmp_path / "bad.token"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CliError) as err:
        read_token(_args(path))
    assert str(path) in str(err.value)
