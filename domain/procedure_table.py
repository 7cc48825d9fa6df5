"""A statutory procedure as data: its states, the windows they open, its actions and pauses.

A table (`procedures/*.toml`) cites the law on every line: each window's length ("15d" calendar
days, "5wd" working days, "2mo" months), the event that starts it, who may extend it, by how
much and how often, the reasons that stop it (periods that do not count) and what its expiry
does (flag it to the supervisor, open a route such as "may sue", move to a state). A county
adds a local procedure by writing a table; `domain.procedure` runs any table.
Pure: text in, frozen models out.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from domain.policy_files import PolicyError, load_toml, problems

_LENGTH = re.compile(r"^\s*(\d+)\s*(d|wd|mo)\s*$")
#: The longest statutory window the engine counts: ten years, in any unit.
_MAX = {"d": 3653, "wd": 2500, "mo": 120}
#: Who starts a window when the table names no event: the action that opened it.
ENTRY = "entry"


class Length(BaseModel):
    """A statutory length: whole calendar days, working days or months (民法典 Art. 200)."""

    model_config = ConfigDict(frozen=True)

    amount: int
    unit: Literal["d", "wd", "mo"]

    @classmethod
    def parse(cls, text: str) -> Length:
        match = _LENGTH.match(text)
        if not match:
            raise ValueError(f"{text!r} is not a length like '15d', '5wd' or '2mo'")
        amount, unit = int(match.group(1)), match.group(2)
        if not 1 <= amount <= _MAX[unit]:
            raise ValueError(f"{text!r}: between 1 and {_MAX[unit]}{unit}")
        return cls(amount=amount, unit=unit)

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


class Extension(BaseModel):
    """Who may extend a window, by how much, how many times, under which article."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    by: str
    times: int = Field(default=1, ge=1)
    who: str
    #: Facts the extension must carry (both parties' `consent` for court-referred mediation).
    needs: list[str] = Field(default_factory=list)
    #: Roster roles that may grant it (`by` is its length); empty: the table's `by`.
    roles: list[str] = Field(default_factory=list)
    law: str = Field(min_length=1)


class Expiry(BaseModel):
    """What a window passing its due time does: all that are given happen."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Tell the supervisor: the window is overdue (督办).
    flag: bool = True
    #: A route the expiry opens for a party, e.g. "may_sue".
    route: str | None = None
    #: The state the procedure moves to on its own.
    to: str | None = None
    law: str = Field(min_length=1)


class WindowDef(BaseModel):
    """One statutory window."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    length: str
    law: str = Field(min_length=1)
    #: The event that starts the window (an action records it); `entry` is the opening action.
    starts: str = ENTRY
    #: Windows sharing a clock share its paused periods (a converted trial keeps them).
    clock: str | None = None
    #: Pause reasons (from the table's `pauses`) that stop this window.
    paused_by: list[str] = Field(default_factory=list)
    extension: Extension | None = None
    expiry: Expiry
    #: Who must act in the window (documentation and the worklist).
    who: str = ""

    @model_validator(mode="after")
    def _lengths(self) -> WindowDef:
        length = Length.parse(self.length)
        if self.extension is not None:
            extra = Length.parse(self.extension.by)
            if extra.unit != length.unit:
                raise ValueError(f"extension {extra} must count in {length.unit} like {length}")
        return self

    @property
    def parsed(self) -> Length:
        return Length.parse(self.length)

    def clock_name(self, name: str) -> str:
        return self.clock or name


class StateDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    law: str = Field(min_length=1)
    #: Windows opened on entering the state (one already open keeps running).
    opens: list[str] = Field(default_factory=list)
    final: bool = False


class Branch(BaseModel):
    """A transition taken when a fact of the action is at most / above a figure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact: str
    at_most: float | None = None
    above: float | None = None
    to: str
    law: str = Field(min_length=1)

    def holds(self, facts: dict[str, Any]) -> bool:
        value = facts.get(self.fact)
        if not isinstance(value, int | float) or isinstance(value, bool):
            return False
        if self.at_most is not None and value > self.at_most:
            return False
        return not (self.above is not None and value <= self.above)


class ActionDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    law: str = Field(min_length=1)
    #: States the action is allowed in.
    allowed_in: list[str] = Field(alias="from", min_length=1)
    #: The state it moves to; None stays (a rating, a report up).
    to: str | None = None
    #: Taken in order, the first that holds wins over `to`.
    branches: list[Branch] = Field(default_factory=list)
    #: Refused once this window's due time has passed (a party's late step).
    within: str | None = None
    #: Windows the action closes ("*": every open window).
    closes: list[str] = Field(default_factory=list)
    #: An event the action records, at its `happened_at` (a receipt date) or its time.
    records: str | None = None
    #: Facts the action must carry (a consent, an amount).
    needs: list[str] = Field(default_factory=list)
    #: Roster roles that may take the action; empty: the table's `by`.
    by: list[str] = Field(default_factory=list)
    #: A route the action opens (e.g. the Art. 16 payment order).
    route: str | None = None
    #: Taken only once a window's expiry opened this route (the worker may sue).
    requires_route: str | None = None
    #: Tell the supervisor at once (重大事项直报).
    flag: bool = False


class PauseDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    law: str = Field(min_length=1)
    #: Roster roles that may stop and restart the clock for this reason; empty: the table's.
    by: list[str] = Field(default_factory=list)


class ProcedureTable(BaseModel):
    """One procedure, as written in its TOML file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    title: str
    law: str = Field(min_length=1)
    #: States a matter may start in (the first is the default).
    starts_in: list[str] = Field(min_length=1)
    states: dict[str, StateDef]
    windows: dict[str, WindowDef] = Field(default_factory=dict)
    actions: dict[str, ActionDef] = Field(default_factory=dict)
    pauses: dict[str, PauseDef] = Field(default_factory=dict)
    #: Who takes a step whose line names no one (an action's, an extension's or a pause's
    #: `by`); empty too: anyone the matter is shown to.
    by: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self) -> ProcedureTable:
        # A name the engine would look up and not find must fail here, not in a workflow task.
        states, windows = set(self.states), set(self.windows)
        for name in self.starts_in:
            _known(name, states, "starts_in", "state")
        for name, state in self.states.items():
            for window in state.opens:
                _known(window, windows, f"states.{name}.opens", "window")
        for name, window in self.windows.items():
            if window.expiry.to is not None:
                _known(window.expiry.to, states, f"windows.{name}.expiry.to", "state")
            for reason in window.paused_by:
                _known(reason, set(self.pauses), f"windows.{name}.paused_by", "pause")
        for name, action in self.actions.items():
            where = f"actions.{name}"
            for state in action.allowed_in:
                _known(state, states, f"{where}.from", "state")
            for target in [action.to, *(b.to for b in action.branches)]:
                if target is not None:
                    _known(target, states, f"{where}.to", "state")
            for window in [action.within, *(w for w in action.closes if w != "*")]:
                if window is not None:
                    _known(window, windows, where, "window")
            if name in RESERVED:
                raise ValueError(f"{where}: {name!r} is an engine action, not a table's")
        return self

    def window(self, name: str) -> WindowDef:
        return self.windows[name]

    def takers(
        self, action: str, *, window: str | None = None, reason: str | None = None
    ) -> list[str]:
        """The roles that may take `action` (`extend` of `window`, `pause` / `resume` for
        `reason`): its line's `by`, else the table's; empty: anyone."""
        line: list[str] = []
        if action == "extend" and window in self.windows:
            extension = self.windows[window].extension
            line = extension.roles if extension is not None else []
        elif action in ("pause", "resume") and reason in self.pauses:
            line = self.pauses[reason].by
        elif action in self.actions:
            line = self.actions[action].by
        return line or self.by


#: Actions every table has, run by the engine itself: extend a window, pause and resume it.
RESERVED = frozenset({"extend", "pause", "resume"})


def _known(name: str, names: set[str], where: str, kind: str) -> None:
    if name not in names:
        raise ValueError(f"{where}: no {kind} {name!r}")


def parse_procedure(text: str, *, source: str) -> ProcedureTable:
    """A procedure table from its TOML; PolicyError naming the file and the key."""
    data = load_toml(text, source=source)
    try:
        return ProcedureTable.model_validate(data)
    except ValidationError as err:
        raise PolicyError(f"{source}: {problems(err)}") from None


def parse_procedures(files: dict[str, str]) -> dict[str, ProcedureTable]:
    """Every table of a folder (file name -> text), by procedure name; one name per table."""
    tables: dict[str, ProcedureTable] = {}
    for source, text in sorted(files.items()):
        table = parse_procedure(text, source=source)
        if table.name in tables:
            raise PolicyError(f"{source}: procedure {table.name!r} is defined twice")
        tables[table.name] = table
    return tables
