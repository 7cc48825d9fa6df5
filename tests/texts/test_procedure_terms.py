"""Every machine name of every procedure table (procedures/*.toml) has a name for people in
the terms catalog: a state, window, step, pause or route a county adds is named before it ships."""

from __future__ import annotations

from typing import get_args

import pytest

from domain.actions import ArbitrationInput, ConfirmationInput
from domain.procedure_table import ProcedureTable
from runtime.procedures import load_tables
from texts import Lang
from texts.terms import TERMS, label

TABLES = load_tables()


def names(table: ProcedureTable) -> list[tuple[str, str]]:
    routes = {w.expiry.route for w in table.windows.values() if w.expiry.route}
    routes |= {a.route for a in table.actions.values() if a.route}
    return (
        [("procedure", table.name)]
        + [("procedure_state", n) for n in table.states]
        + [("procedure_window", n) for n in table.windows]
        + [("procedure_step", n) for n in table.actions]
        + [("procedure_pause", n) for n in table.pauses]
        + [("procedure_route", n) for n in sorted(routes)]
    )


@pytest.mark.parametrize("table", sorted(TABLES), ids=str)
def test_every_name_of_the_table_has_a_chinese_label(table):
    pairs = names(TABLES[table])
    assert [pair for pair in pairs if pair not in TERMS] == []
    untranslated = [(k, n) for k, n in pairs if label(k, n, Lang.zh) in (n, n.replace("_", " "))]
    assert untranslated == []


def test_a_name_of_no_table_reads_as_itself():
    assert label("procedure_state", "somewhere_new", Lang.zh) == "somewhere_new"


STEPS = [
    ("arbitration_step", s) for s in get_args(ArbitrationInput.model_fields["step"].annotation)
] + [("confirmation_step", s) for s in get_args(ConfirmationInput.model_fields["step"].annotation)]


@pytest.mark.parametrize(("kind", "step"), STEPS, ids=lambda v: v)
def test_every_arbitration_and_confirmation_step_has_a_chinese_label(kind, step):
    # A refused step's history line reads 「劳动仲裁：{who}的{step}未予登记」: never 的extended.
    assert (kind, step) in TERMS
    zh = label(kind, step, Lang.zh)
    assert zh != step and not zh.isascii()
