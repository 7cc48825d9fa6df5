"""docs/procedures.md says what the running tables say."""

from __future__ import annotations

from domain.procedure_docs import render
from runtime.procedures import load_tables, procedures_doc


def test_docs_procedures_md_matches_the_tables():
    written = procedures_doc().read_text(encoding="utf-8")
    assert written == render(load_tables()), "run: .venv/bin/python -m cli.procedure_docs"


def test_every_window_of_every_table_is_listed_with_its_article():
    written = procedures_doc().read_text(encoding="utf-8")
    for table in load_tables().values():
        for name, window in table.windows.items():
            rows = [line for line in written.splitlines() if line.startswith(f"| `{name}` |")]
            assert any(window.law in row for row in rows), (table.name, name)
