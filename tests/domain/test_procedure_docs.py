"""docs/procedures.md says what the running tables say."""

from __future__ import annotations

from domain.procedure_docs import render
from runtime.procedures import load_tables, procedures_doc
from texts import Lang
from texts.terms import label


def test_docs_procedures_md_matches_the_tables():
    written = procedures_doc().read_text(encoding="utf-8")
    assert written == render(load_tables()), "run: .venv/bin/python -m cli.procedure_docs"


def test_every_window_of_every_table_is_listed_with_its_article():
    written = procedures_doc().read_text(encoding="utf-8")
    for table in load_tables().values():
        for name, window in table.windows.items():
            # The window's row: its machine name, then its name for people (登记转送交办期限).
            zh = label("procedure_window", name, Lang.zh)
            row = f"| `{name}` {zh} |"
            rows = [line for line in written.splitlines() if line.startswith(row)]
            assert any(window.law in row for row in rows), (table.name, name)


def test_every_state_of_every_table_is_listed_with_its_chinese_name_and_article():
    written = procedures_doc().read_text(encoding="utf-8")
    for table in load_tables().values():
        for name, state in table.states.items():
            zh = label("procedure_state", name, Lang.zh)
            rows = [line for line in written.splitlines() if line.startswith(f"| `{name}`")]
            assert any(f" {zh} | {state.law} |" in row for row in rows), (table.name, name)
