"""One engine for every statutory procedure: a run of a table (`domain.procedure_table`).

A run is where a matter stands: its state, the windows open (each with its start, its due time
and the article it comes from), the events recorded (a docketing, a receipt), the paused
periods per clock, the routes opened for a party ("may_sue") and the flags raised for the
supervisor. `check` says why an action cannot be taken (the validator's answer), `act` takes
it, `expire` applies what passed due times do, `next_due` is when to look again. A workflow
holds a run and passes every time in (workflow.now(), a receipt date the clerk gives).
Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import WEEKENDS_ONLY, WorkCalendar
from domain.procedure_clock import Pause, window_due
from domain.procedure_table import ENTRY, Length, ProcedureTable
from texts import Lang, texts
from texts.terms import label, local_time

Fact = bool | int | float | str


class Counting(BaseModel):
    """How the run counts: the working-day calendar, the local offset, and for a demo policy
    how long one statutory day runs."""

    model_config = ConfigDict(frozen=True)

    calendar: WorkCalendar = WEEKENDS_ONLY
    utc_offset_hours: int = 8
    day: timedelta | None = None
    #: With `day`: a window in working days runs the calendar days it spans (a scaled day
    #: keeps its weekday). False for matters opened before: their replay must not change.
    scaled_calendar: bool = False


class Window(BaseModel):
    """One window as it runs."""

    model_config = ConfigDict(frozen=True)

    name: str
    law: str
    starts_at: datetime
    #: None while a period that does not count lasts.
    due_at: datetime | None
    #: Its length with the extensions granted, e.g. "90d".
    length: str
    extensions: int = 0
    expired: bool = False
    closed_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.closed_at is None


class Step(BaseModel):
    model_config = ConfigDict(frozen=True)

    action: str
    at: datetime
    before: str
    after: str
    law: str


class Run(BaseModel):
    """A procedure's run: everything `act` and `expire` need, and what status shows."""

    model_config = ConfigDict(frozen=True)

    procedure: str
    state: str
    windows: list[Window] = Field(default_factory=list)
    events: dict[str, datetime] = Field(default_factory=dict)
    #: clock name -> its periods that do not count.
    pauses: dict[str, list[Pause]] = Field(default_factory=dict)
    routes: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    facts: dict[str, Fact] = Field(default_factory=dict)
    final: bool = False
    steps: list[Step] = Field(default_factory=list)

    def window(self, name: str) -> Window | None:
        """The latest window of that name."""
        found = [w for w in self.windows if w.name == name]
        return found[-1] if found else None

    def open_windows(self) -> list[Window]:
        return [w for w in self.windows if w.open]

    def marks(self) -> dict[str, object]:
        """What an event of a run records of where it stands, as the figures read it
        (docs/metrics.md): the table, its state and whether that is final."""
        return {"procedure": self.procedure, "state": self.state, "final": self.final}


class Act(BaseModel):
    """An action on a run: a table's action, or `extend` / `pause` / `resume` a window."""

    model_config = ConfigDict(frozen=True)

    action: str
    at: datetime
    #: When it happened, if earlier than it is recorded (the petitioner's receipt of a reply).
    happened_at: datetime | None = None
    facts: dict[str, Fact] = Field(default_factory=dict)
    #: `extend`: the window; `pause` / `resume`: the reason.
    window: str | None = None
    reason: str | None = None
    #: The roster role of whoever acts; None is the engine itself or a trusted caller.
    role: str | None = None

    @property
    def when(self) -> datetime:
        return self.happened_at or self.at


class Effect(BaseModel):
    """Something the workflow must tell or record: a flag, a route opened, a move."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["flag", "route", "moved"]
    window: str | None = None
    what: str
    law: str
    at: datetime


class Outcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    run: Run
    effects: list[Effect] = Field(default_factory=list)


class Refusal(ValueError):
    """The action cannot be taken; the message names the law or the rule."""


def start(table: ProcedureTable, at: datetime, counting: Counting, state: str | None = None) -> Run:
    """A new run in `state` (the table's first starting state unless told), its windows open."""
    state = state or table.starts_in[0]
    if state not in table.starts_in:
        raise Refusal(f"{table.name} cannot start in {state!r}: only {table.starts_in}")
    run = Run(procedure=table.name, state=state, events={ENTRY: at})
    return _enter(table, run, state, at, counting)


def check(
    table: ProcedureTable, run: Run, act: Act, counting: Counting, lang: Lang = Lang.en
) -> str | None:
    """Why `act` cannot be taken now (in `lang`, naming the article), or None: the
    validator's answer, so an accepted action never fails in the workflow. Windows due by
    `act.at` are expired first, as `act` does."""
    return _check(table, expire(table, run, act.at, counting).run, act, lang)


def _step_name(act: Act, lang: Lang) -> str:
    """The step as people say it: 判决, 延长 (the window's name), 中止计算."""
    if act.action in ("extend", "pause", "resume"):
        what = label("procedure_step", act.action, lang)
        return f"{what}（{label('procedure_window', act.window, lang)}）" if act.window else what
    return label("procedure_step", act.action, lang)


def _check(table: ProcedureTable, run: Run, act: Act, lang: Lang) -> str | None:
    _ = texts("case", lang)
    if act.happened_at is not None and act.happened_at > act.at:
        return _("happened_at is after the time the action is recorded")
    takers = table.takers(act.action, window=act.window, reason=act.reason)
    if takers and act.role is not None and act.role not in takers:
        return _("{action} is taken by {roles}, not {role}").format(
            action=_step_name(act, lang),
            roles="、".join(label("role", r, lang) for r in takers),
            role=label("role", act.role, lang),
        )
    if act.action == "extend":
        return _check_extend(table, run, act, lang)
    if act.action in ("pause", "resume"):
        return _check_pause(table, run, act, lang)
    action = table.actions.get(act.action)
    if action is None:
        return _("{procedure} has no action {action!r}").format(
            procedure=table.name, action=act.action
        )
    # A party's late step is refused for its lateness first, whatever the expiry did since.
    if action.within is not None:
        window = run.window(action.within)
        if window is not None and window.due_at is not None and act.when > window.due_at:
            return _("too late: {window} ended {at} ({law})").format(
                window=action.within, at=local_time(window.due_at, lang), law=window.law
            )
    if run.state not in action.allowed_in:
        if run.final:
            return _("the matter is final ({state}): {action} is not accepted").format(
                state=run.state, action=act.action
            )
        return _("{action} is not allowed in state {state} (only in {states})").format(
            action=act.action, state=run.state, states=", ".join(action.allowed_in)
        )
    if action.requires_route is not None and action.requires_route not in run.routes:
        return _("{action} needs the route {route}, not open ({law})").format(
            action=act.action, route=action.requires_route, law=action.law
        )
    if action.within is not None and run.window(action.within) is None:
        return _("{action} needs the window {window}, which never opened").format(
            action=act.action, window=action.within
        )
    for need in action.needs:
        if need not in act.facts or act.facts[need] is False:
            return _("{action} needs {fact} ({law})").format(
                action=act.action, fact=need, law=action.law
            )
    return None


def act(
    table: ProcedureTable, run: Run, act: Act, counting: Counting, lang: Lang = Lang.en
) -> Outcome:
    """`act` taken (Refusal when `check` refuses it); windows passed before it are expired
    first, so a late action meets the state the law left the matter in."""
    outcome = expire(table, run, act.at, counting)
    run, effects = outcome.run, list(outcome.effects)
    why = _check(table, run, act, lang)
    if why is not None:
        raise Refusal(why)
    if act.action == "extend":
        return Outcome(run=_extend(table, run, act, counting), effects=effects)
    if act.action in ("pause", "resume"):
        return Outcome(run=_pause(table, run, act, counting), effects=effects)
    action = table.actions[act.action]
    facts = {**run.facts, **act.facts}
    events = dict(run.events)
    if action.records is not None:
        events[action.records] = act.when
    routes = (
        [*run.routes, action.route]
        if action.route and action.route not in run.routes
        else run.routes
    )
    flags = [*run.flags, f"reported:{act.action}"] if action.flag else run.flags
    run = run.model_copy(
        update={"facts": facts, "events": events, "routes": routes, "flags": flags}
    )
    if action.flag:
        effects.append(Effect(kind="flag", what=act.action, law=action.law, at=act.at))
    closes = set(action.closes)
    if closes:
        run = _close(run, None if "*" in closes else closes, act.at)
    target = next((b for b in action.branches if b.holds(facts)), None)
    to, law = (target.to, target.law) if target else (action.to, action.law)
    step = Step(action=act.action, at=act.at, before=run.state, after=to or run.state, law=law)
    run = run.model_copy(update={"steps": [*run.steps, step]})
    if to is not None:
        run = _enter(table, run, to, act.when, counting)
    return Outcome(run=run, effects=effects)


def expire(table: ProcedureTable, run: Run, now: datetime, counting: Counting) -> Outcome:
    """Every window due by `now` expired, in due order, with what its table says expiry does:
    flag it, open a route, move the matter (whose new windows may expire in turn)."""
    effects: list[Effect] = []
    while True:
        due = [w for w in run.windows if w.open and not w.expired and w.due_at is not None]
        due = [w for w in due if w.due_at <= now]
        if not due or run.final:
            return Outcome(run=run, effects=effects)
        window = min(due, key=lambda w: w.due_at)
        assert window.due_at is not None
        expiry = table.window(window.name).expiry
        run = _replace(run, window, window.model_copy(update={"expired": True}))
        if expiry.flag:
            run = run.model_copy(update={"flags": [*run.flags, f"overdue:{window.name}"]})
            effects.append(_effect("flag", window, window.name, expiry.law))
        if expiry.route is not None and expiry.route not in run.routes:
            run = run.model_copy(update={"routes": [*run.routes, expiry.route]})
            effects.append(_effect("route", window, expiry.route, expiry.law))
        if expiry.to is not None:
            run = _close(run, {window.name}, window.due_at)
            step = Step(
                action=f"expired:{window.name}", at=window.due_at, before=run.state,
                after=expiry.to, law=expiry.law,
            )  # fmt: skip
            run = run.model_copy(update={"steps": [*run.steps, step]})
            run = _enter(table, run, expiry.to, window.due_at, counting)
            effects.append(_effect("moved", window, expiry.to, expiry.law))


def step_takers(table: ProcedureTable, run: Run) -> set[str] | None:
    """The roles that may take some step of the table in the run's current state (an action
    allowed there, the extension of an open window, a pause or resume of one): what a matter
    offers whom. None: some such step is anyone's; empty: no step is left."""
    allowed = [name for name, action in table.actions.items() if run.state in action.allowed_in]
    lines = [table.takers(name) for name in allowed]
    for window in run.open_windows():
        wdef = table.window(window.name)
        if wdef.extension is not None and not window.expired:
            lines.append(table.takers("extend", window=window.name))
        lines += [table.takers("pause", reason=reason) for reason in wdef.paused_by]
    if any(not line for line in lines):
        return None
    return {role for line in lines for role in line}


def next_due(run: Run) -> datetime | None:
    """The earliest due time still to pass: when the workflow looks again."""
    dues = [w.due_at for w in run.windows if w.open and not w.expired and w.due_at is not None]
    return min(dues, default=None)


class WindowView(BaseModel):
    """A window as status shows it."""

    name: str
    starts_at: datetime
    #: None while a period that does not count lasts.
    due_at: datetime | None
    law: str
    length: str
    expired: bool
    paused: bool


class ProcedureView(BaseModel):
    """`procedure` in `status --json`: `{name, state, windows: [{name, starts_at, due_at,
    law}]}`, with whether it is final, the routes opened and the flags raised."""

    name: str
    state: str
    final: bool
    routes: list[str]
    flags: list[str]
    windows: list[WindowView]


def view(run: Run) -> ProcedureView:
    """The run as status shows it: its open windows, each with the article it comes from."""
    return ProcedureView(
        name=run.procedure,
        state=run.state,
        final=run.final,
        routes=list(run.routes),
        flags=list(run.flags),
        windows=[
            WindowView(
                name=w.name, starts_at=w.starts_at, due_at=w.due_at, law=w.law,
                length=w.length, expired=w.expired, paused=w.due_at is None,
            )
            for w in run.open_windows()
        ],
    )  # fmt: skip


# --- the engine's own steps ---------------------------------------------------------------


def _effect(kind: str, window: Window, what: str, law: str) -> Effect:
    assert window.due_at is not None
    return Effect(kind=kind, window=window.name, what=what, law=law, at=window.due_at)


def _replace(run: Run, old: Window, new: Window) -> Run:
    return run.model_copy(update={"windows": [new if w is old else w for w in run.windows]})


def ended(run: Run, at: datetime) -> Run:
    """The matter final where it stands, every window closed: a repeat no body accepts
    (信访工作条例 Art. 36 ¶3) leaves no clock running."""
    return _close(run, None, at).model_copy(update={"final": True})


def _close(run: Run, names: set[str] | None, at: datetime) -> Run:
    windows = [
        w.model_copy(update={"closed_at": at})
        if w.open and (names is None or w.name in names)
        else w
        for w in run.windows
    ]
    return run.model_copy(update={"windows": windows})


def _enter(table: ProcedureTable, run: Run, state: str, at: datetime, counting: Counting) -> Run:
    """Into `state`: its windows open (one already open keeps running: 访调对接's clock)."""
    definition = table.states[state]
    run = run.model_copy(update={"state": state, "final": definition.final})
    if definition.final:
        return _close(run, None, at)
    for name in definition.opens:
        if any(w.open and w.name == name for w in run.windows):
            continue
        wdef = table.window(name)
        starts_at = at if wdef.starts == ENTRY else run.events.get(wdef.starts, at)
        window = Window(
            name=name, law=wdef.law, starts_at=starts_at, due_at=None, length=wdef.length
        )
        run = run.model_copy(update={"windows": [*run.windows, _due(table, run, window, counting)]})
    return run


def _due(table: ProcedureTable, run: Run, window: Window, counting: Counting) -> Window:
    wdef = table.window(window.name)
    due = window_due(
        window.starts_at, Length.parse(window.length),
        run.pauses.get(wdef.clock_name(window.name), []), counting.calendar,
        utc_offset_hours=counting.utc_offset_hours, day=counting.day,
        scaled_calendar=counting.scaled_calendar,
    )  # fmt: skip
    return window.model_copy(update={"due_at": due})


def _check_extend(table: ProcedureTable, run: Run, act: Act, lang: Lang) -> str | None:
    _ = texts("case", lang)
    if act.window is None:
        return _("extend needs the window to extend")
    window = run.window(act.window)
    if window is None or not window.open:
        return _("no open window {window} to extend").format(window=act.window)
    extension = table.window(act.window).extension
    if extension is None:
        return _("{window} cannot be extended ({law})").format(
            window=act.window, law=table.window(act.window).law
        )
    for need in extension.needs:
        if need not in act.facts or act.facts[need] is False:
            return _("extending {window} needs {fact} ({law})").format(
                window=act.window, fact=need, law=extension.law
            )
    if window.extensions >= extension.times:
        return _("{window} may be extended {times} time(s) only ({law})").format(
            window=act.window, times=extension.times, law=extension.law
        )
    if window.due_at is not None and act.at > window.due_at:
        return _("{window} ended {at}: too late to extend it").format(
            window=act.window, at=local_time(window.due_at, lang)
        )
    return None


def _extend(table: ProcedureTable, run: Run, act: Act, counting: Counting) -> Run:
    assert act.window is not None
    window = run.window(act.window)
    extension = table.window(act.window).extension
    assert window is not None and extension is not None
    # The extension runs on from the original end: one period of the summed length.
    length = Length.parse(window.length)
    longer = Length(amount=length.amount + Length.parse(extension.by).amount, unit=length.unit)
    extended = window.model_copy(
        update={"length": str(longer), "extensions": window.extensions + 1}
    )
    step = Step(action="extend", at=act.at, before=run.state, after=run.state, law=extension.law)
    run = run.model_copy(update={"steps": [*run.steps, step]})
    return _replace(run, window, _due(table, run, extended, counting))


def _pausable(table: ProcedureTable, run: Run, reason: str) -> list[Window]:
    return [w for w in run.open_windows() if reason in table.window(w.name).paused_by]


def _check_pause(table: ProcedureTable, run: Run, act: Act, lang: Lang) -> str | None:
    _ = texts("case", lang)
    if act.reason is None or act.reason not in table.pauses:
        return _("{action} needs a reason among {reasons}").format(
            action=act.action, reasons=", ".join(sorted(table.pauses))
        )
    if not _pausable(table, run, act.reason):
        return _("no open window stops for {reason}").format(reason=act.reason)
    clocks = {table.window(w.name).clock_name(w.name) for w in _pausable(table, run, act.reason)}
    lasting = [
        p for c in clocks for p in run.pauses.get(c, []) if p.end is None and p.reason == act.reason
    ]
    if act.action == "pause" and lasting:
        return _("{reason} already stops the clock").format(reason=act.reason)
    if act.action == "resume" and not lasting:
        return _("{reason} does not stop the clock").format(reason=act.reason)
    return None


def _pause(table: ProcedureTable, run: Run, act: Act, counting: Counting) -> Run:
    assert act.reason is not None
    windows = _pausable(table, run, act.reason)
    pauses = dict(run.pauses)
    for clock in {table.window(w.name).clock_name(w.name) for w in windows}:
        held = list(pauses.get(clock, []))
        if act.action == "pause":
            held.append(Pause(reason=act.reason, start=act.when))
        else:
            held = [
                p.model_copy(update={"end": act.when})
                if p.end is None and p.reason == act.reason
                else p
                for p in held
            ]
        pauses[clock] = held
    law = table.pauses[act.reason].law
    step = Step(action=act.action, at=act.at, before=run.state, after=run.state, law=law)
    run = run.model_copy(update={"pauses": pauses, "steps": [*run.steps, step]})
    for window in windows:
        run = _replace(run, window, _due(table, run, window, counting))
    return run
