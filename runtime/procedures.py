"""The procedure tables in force: procedures/*.toml, read once per process."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from domain.procedure_table import ProcedureTable, parse_procedures
from runtime.config import ROOT

PROCEDURES_DIR = ROOT / "procedures"


@cache
def load_tables(folder: Path = PROCEDURES_DIR) -> dict[str, ProcedureTable]:
    """Every table of `folder` by name; PolicyError naming the file when one is wrong."""
    files = {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in folder.glob("*.toml")}
    return parse_procedures(files)


def procedures_doc() -> Path:
    return ROOT / "docs" / "procedures.md"
