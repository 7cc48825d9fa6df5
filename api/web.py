"""The worklist web page: sign in with a token, "my cases" most urgent first, a case page
with its clocks and history, and a form for each action the person may take on it now.

Plain server-rendered HTML (Jinja2 templates in api/templates/), no script, no build step.
The token is kept in an HttpOnly, SameSite=Strict cookie (Secure unless
`DISPUTE_COOKIE_SECURE=0`); every action still goes through api/service.py's `act`.
"""

from __future__ import annotations

import os
import types
import typing
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from api import text
from api.actions import API_ACTIONS, ApiAction
from api.auth import COOKIE, person_of
from api.service import Problem, act, case_detail, mine
from api.text import _
from ledger import tokens
from ledger.tokens import Person
from ledger.worklist import Filters, worklist
from texts import Lang
from texts.terms import local_time
from texts.terms import time_left as time_left_text

router = APIRouter(include_in_schema=False)
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    trim_blocks=False,
)
# `{% trans %}` and `_()` in the templates read the request's language (api/text.py).
_env.install_gettext_callables(  # type: ignore[attr-defined]
    text._, text.ngettext, newstyle=True, pgettext=text.pgettext
)
_env.policies["ext.i18n.trimmed"] = True
templates = Jinja2Templates(env=_env)


def when(value: str | datetime | None) -> str:
    """A time to the minute in the counties' local time (UTC+8): "2026-11-27 13:24"."""
    if not value:
        return "-"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return local_time(moment, text.current_lang())


def time_left(seconds: float | None, status: str | None = None) -> str:
    """'剩余3天4小时' / '3d 4h left', overdue by, or the clock stopped (paused)."""
    return time_left_text(seconds, text.current_lang(), paused=status == "paused")


def html_lang() -> str:
    return "zh-CN" if text.current_lang() is Lang.zh else "en"


templates.env.filters["when"] = when
templates.env.globals.update(
    html_lang=html_lang,
    term=text.term,
    role=text.role_label,
    action_name=text.action_name,
    action_help=text.action_help,
    option=text.option_label,
    time_left=time_left,
)


def bad_token() -> str:
    return _("That token is unknown, revoked, or its person is no longer active.")


SECURE_COOKIE = os.environ.get("DISPUTE_COOKIE_SECURE", "1") != "0"
COOKIE_DAYS = 30


def forms_for(case: dict[str, Any]) -> list[tuple[ApiAction, dict[str, Any] | None]]:
    """The forms the page offers: only the actions the reader may take on the case now
    (`allowed_actions` of the case's detail, decided by the checks the workflow's validators
    run); a duty's form once per action, filled with its first whistle and department."""
    forms: list[tuple[ApiAction, dict[str, Any] | None]] = [
        (API_ACTIONS[name], None) for name in case.get("allowed_actions", ())
    ]
    seen = set()
    for offer in case.get("allowed_duty_actions", ()):
        if offer["action"] not in seen:
            seen.add(offer["action"])
            forms.append((API_ACTIONS[offer["action"]], offer))
    return forms


@dataclass(frozen=True)
class Field:
    """One input of an action's form."""

    name: str
    label: str
    kind: str  # "select", "checkbox", "text", "textarea", "list"
    #: (value the form sends, its name on the page)
    options: tuple[tuple[str, str], ...] = ()
    required: bool = False


def _choices(annotation: Any) -> tuple[str, ...] | None:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if typing.get_origin(annotation) is Literal:
        return tuple(str(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return tuple(m.value for m in annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and len(args) == 1:
        return _choices(args[0])
    return None


def form_fields(action: ApiAction) -> list[Field]:
    out = []
    for name, info in action.body.model_fields.items():
        ann, label, required = info.annotation, text.field_label(name), info.is_required()
        choices = _choices(ann)
        if ann is bool:
            out.append(Field(name, label, "checkbox"))
        elif typing.get_origin(ann) is list:
            out.append(Field(name, label, "list", required=required))
        elif choices is not None:
            options = tuple((c, text.option_label(name, c)) for c in choices)
            out.append(Field(name, label, "select", options, required))
        else:
            long = name in ("reason", "note", "agreement", "award", "findings", "actions")
            out.append(Field(name, label, "textarea" if long else "text", required=required))
    return out


def body_from_form(action: ApiAction, form: dict[str, str]) -> dict[str, Any]:
    """The action's body from its form: empty inputs left out, lists split on ';'."""
    body: dict[str, Any] = {}
    for f in form_fields(action):
        value = form.get(f.name, "")
        if f.kind == "checkbox":
            body[f.name] = value == "on"
        elif f.kind == "list":
            if value.strip() or f.required:
                body[f.name] = [v.strip() for v in value.split(";") if v.strip()]
        elif value.strip():
            body[f.name] = value.strip()
    return body


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def to_sign_in(request: Request) -> RedirectResponse:
    """To the sign-in page; a cookie that no longer works is dropped, and the page says so."""
    stale = COOKIE in request.cookies
    response = RedirectResponse("/signin" + ("?stale=1" if stale else ""), 303)
    if stale:
        response.delete_cookie(COOKIE)
    return response


@router.get("/signin", response_class=HTMLResponse)
async def sign_in_page(request: Request, stale: bool = False):
    message = bad_token() if stale else None
    return templates.TemplateResponse(request, "signin.html", {"message": message})


@router.post("/signin")
async def sign_in(request: Request, token: str = Form(max_length=100)):
    person = await tokens.lookup(request.app.state.pool, token.strip())
    if person is None or person.is_service:
        return templates.TemplateResponse(
            request, "signin.html", {"message": bad_token()}, status_code=401
        )
    response = RedirectResponse("/", 303)
    response.set_cookie(
        COOKIE,
        token.strip(),
        max_age=COOKIE_DAYS * 86_400,
        httponly=True,
        secure=SECURE_COOKIE,
        samesite="strict",
    )
    return response


@router.post("/signout")
async def sign_out() -> Response:
    response = RedirectResponse("/signin", 303)
    response.delete_cookie(COOKIE)
    return response


@router.get("/", response_class=HTMLResponse)
async def my_cases(request: Request, overdue: bool = False):
    person = await person_of(request, cookie=True)
    f = Filters(overdue=overdue, **mine(person))
    rows = await worklist(request.app.state.pool, f, datetime.now(UTC))
    return templates.TemplateResponse(
        request, "worklist.html", {"person": person, "rows": rows, "overdue": overdue}
    )


async def _case_page(
    request: Request,
    person: Person,
    case_id: str,
    message: str | None = None,
    ok: bool = True,
    status_code: int = 200,
):
    case = await case_detail(request.app.state.client, request.app.state.pool, person, case_id)
    forms = [(a, form_fields(a), offer) for a, offer in forms_for(case)]
    return templates.TemplateResponse(
        request,
        "case.html",
        {"person": person, "case": case, "forms": forms, "message": message, "ok": ok},
        status_code=status_code,
    )


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str, done: str | None = None):
    person = await person_of(request, cookie=True)
    try:
        done_text = done and _("Done: {action}").format(action=text.action_name(done))
        return await _case_page(request, person, case_id, done_text)
    except Problem as err:
        return HTMLResponse(err.message, status_code=err.status)


@router.post("/cases/{case_id}/act/{name}")
async def act_from_form(request: Request, case_id: str, name: str):
    person = await person_of(request, cookie=True)
    action = API_ACTIONS.get(name)
    if action is None:
        return HTMLResponse(_("No action {name}.").format(name=name), status_code=404)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    department = form.get("department") or (person.role if action.duty else None)
    whistle = int(form["whistle"]) if form.get("whistle", "").isdigit() else 1
    state = request.app.state
    try:
        await act(
            state.client,
            state.pool,
            person,
            action,
            case_id,
            body_from_form(action, form),
            department=department,
            whistle=whistle,
        )
    except Problem as err:
        return await _case_page(
            request, person, case_id, err.message, ok=False, status_code=err.status
        )
    return RedirectResponse(f"/cases/{quote(case_id)}?done={quote(name)}", 303)
