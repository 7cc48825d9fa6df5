"""Rewrite docs/procedures.md from procedures/*.toml: `python -m cli.procedure_docs`."""

from __future__ import annotations

from domain.procedure_docs import render
from runtime.procedures import load_tables, procedures_doc


def main() -> None:
    doc = procedures_doc()
    doc.write_text(render(load_tables()), encoding="utf-8")
    print(f"wrote {doc}")


if __name__ == "__main__":
    main()
