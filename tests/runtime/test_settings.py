"""One settings object: every environment variable the code names is declared in
runtime/settings.py, and docs/settings.md is generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from runtime.settings import NAMES, Settings, settings, settings_of, table, value_of

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("api", "activities", "cli", "domain", "ledger", "notify", "runtime", "service",
               "texts", "workflows")  # fmt: skip
_NAME = re.compile(r"[\"'](DISPUTE_[A-Z_]+|DATABASE_URL|TEMPORAL_[A-Z_]+)[\"']")


def _sources() -> list[Path]:
    files = [ROOT / "worker.py", ROOT / "starter.py", ROOT / "stack.py"]
    for folder in SOURCE_DIRS:
        files += sorted((ROOT / folder).rglob("*.py"))
    return files


def test_every_variable_the_code_names_is_a_setting():
    named = {m for path in _sources() for m in _NAME.findall(path.read_text(encoding="utf-8"))}
    # DISPUTE_TEST_* are the test suite's own switches, never the engine's.
    undeclared = sorted(n for n in named - NAMES if not n.startswith("DISPUTE_TEST_"))
    assert undeclared == [], f"declare these in runtime/settings.py: {undeclared}"


def test_docs_settings_md_is_generated_from_the_settings():
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == table(), (
        "run: python -m runtime.settings > docs/settings.md"
    )


def test_the_environment_is_read_when_asked(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DISPUTE_API_PORT", "9090")
    monkeypatch.setenv("DISPUTE_WORKER_CACHE", "500")
    assert settings().api_port == 9090
    assert value_of("DISPUTE_WORKER_CACHE") == "500"


def test_a_mapping_is_read_alone_with_defaults_for_the_rest(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DISPUTE_NOTIFY_POLL", "9s")
    s = settings_of({"DISPUTE_WEB_URL": "https://x.example", "UNRELATED": "1"})
    assert s.web_url == "https://x.example"
    assert s.notify_poll == Settings.model_fields["notify_poll"].default == "1s"


def test_a_wrong_value_names_the_variable():
    with pytest.raises(ValueError, match="DISPUTE_API_PORT"):
        settings_of({"DISPUTE_API_PORT": "eighty"})
