"""Every `workflow.patched` id is listed once in workflows/case/versions.py, and every listed
id is still used: the list is the one place that says which guards exist and when they go."""

from __future__ import annotations

import re
from pathlib import Path

from workflows.case import versions

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    p
    for folder in ("workflows", "activities", "domain", "runtime", "api", "notify")
    for p in (ROOT / folder).rglob("*.py")
    if p.name != "versions.py"  # its docstring shows how a guard is written
] + [ROOT / "worker.py", ROOT / "starter.py"]
CALL = re.compile(r"workflow\.(?:patched|deprecate_patch)\(\s*([^)\s]+)\s*\)")


def patch_calls() -> dict[str, list[str]]:
    """Each guard's argument as written, with where it is."""
    calls: dict[str, list[str]] = {}
    for path in SOURCES:
        for arg in CALL.findall(path.read_text(encoding="utf-8")):
            calls.setdefault(arg, []).append(str(path.relative_to(ROOT)))
    return calls


def test_every_guard_names_a_constant_from_versions():
    calls = patch_calls()
    constants = {
        name for name, value in vars(versions).items() if name.isupper() and isinstance(value, str)
    }

    assert calls, "the project guards at least one change"
    assert set(calls) <= constants, f"an id not declared in versions.py: {calls}"


def test_every_listed_patch_is_used_and_declared_once():
    ids = [p.id for p in versions.PATCHES]
    used = {getattr(versions, name) for name in patch_calls()}

    assert len(ids) == len(set(ids))
    assert set(ids) == used
    assert not set(ids) & versions.RETIRED, "a retired id is never reused"


def test_every_patch_says_when_it_may_go():
    for patch in versions.PATCHES:
        added = tuple(int(x) for x in patch.added.split("."))
        retire = tuple(int(x) for x in patch.retire_in.split("."))
        assert retire > added and patch.why
