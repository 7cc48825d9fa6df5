"""The worklist web page: sign in with a token, "my cases" most urgent first, a case page
with its clocks and history, and a form for each action the person may take on it now.

Plain server-rendered HTML (Jinja2 templates in api/templates/), no script, no build step.
The token is kept in an HttpOnly, SameSite=Strict cookie (Secure unless
`DISPUTE_COOKIE_SECURE=0`); every action still goes through api/service.py's `act`.
"""

from __future__ import annotations

import re
import types
import typing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import quote

import jinja2
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from temporalio.service import RPCError

from api import csrf, refusals, text
from api.actions import API_ACTIONS, ApiAction
from api.auth import COOKIE, person_of
from api.report_duties import todays_duty
from api.service import Problem, act, case_detail, mine
from api.text import _
from ledger import tokens
from ledger.departments import departments_of_case
from ledger.tokens import Person
from ledger.worklist import ORDERS, TABS, Filters, counts
from ledger.worklist import page as worklist_page
from runtime import config
from runtime.settings import settings
from service.departments import split_names
from texts import N_, Lang
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


def tel(phone: str) -> str:
    """A phone number as a `tel:` link dials it: digits, and a leading +."""
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


templates.env.filters["when"] = when
templates.env.filters["tel"] = tel
templates.env.globals.update(
    html_lang=html_lang,
    term=text.term,
    role=text.role_label,
    action_name=text.action_name,
    action_help=text.action_help,
    option=text.option_label,
    time_left=time_left,
    csrf_token=csrf.form_token,
)


def bad_token() -> str:
    return _("That token is unknown, revoked, or its person is no longer active.")


SECURE_COOKIE = settings().cookie_secure != "0"
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
                body[f.name] = split_names(value)
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
async def sign_out(request: Request) -> Response:
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    csrf.check_form(request, form)
    response = RedirectResponse("/signin", 303)
    response.delete_cookie(COOKIE)
    return response


#: Cases on one page of the worklist.
PAGE_SIZE = 50
#: Each tab's name on the page (ledger.worklist.TABS): 待办 临期 超期 督办 回访 暂停.
TAB_NAMES = {
    "open": N_("To do"),
    "due_soon": N_("Due soon"),
    "overdue": N_("Overdue"),
    "supervised": N_("Supervised"),
    "visits": N_("Visits due"),
    "paused": N_("Paused"),
}
ORDER_NAMES = {"urgency": N_("Most urgent"), "opened": N_("Newest"), "risk": N_("Highest risk")}


@router.get("/", response_class=HTMLResponse)
async def my_cases(
    request: Request,
    overdue: bool = False,
    tab: str = "open",
    q: Annotated[str, Query(max_length=100)] = "",
    under: Annotated[str, Query(max_length=200)] = "",
    order: str = "urgency",
    page: Annotated[int, Query(ge=1, le=2000)] = 1,
    duty_error: Annotated[str | None, Query(max_length=300)] = None,
):
    person = await person_of(request, cookie=True)
    tab = "overdue" if overdue else tab if tab in TABS else "open"
    order = order if order in ORDERS else "urgency"
    scope = Filters(under=under.strip() or None, search=q.strip() or None, **mine(person))
    f = replace(scope, tab=tab, order=order)
    pool, now = request.app.state.pool, datetime.now(UTC)
    rows, total = await worklist_page(pool, f, now, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    tallies = await counts(pool, scope, now)
    reports = await latest_reports(person)
    duty = await todays_duty(pool, person, now)
    return templates.TemplateResponse(
        request,
        "worklist.html",
        {
            "person": person,
            "rows": rows,
            "total": total,
            "tab": tab,
            "tabs": [(t, _(TAB_NAMES[t]), tallies[t]) for t in TABS],
            "orders": [(o, _(ORDER_NAMES[o])) for o in ORDERS],
            "order": order,
            "q": q,
            "under": under,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "reports": reports,
            "duty": duty,
            "duty_error": duty_error,
        },
    )


#: The report kinds the page links to, newest period first within each.
REPORT_KINDS = ("monthly", "weekly", "daily")
_PERIOD = re.compile(r"^\d{4}-(\d{2}(-\d{2})?|W\d{2})$")


def reports_root() -> Path:
    return config.reports_dir()


async def latest_reports(person: Person) -> list[tuple[str, str]]:
    """The latest report.html of each kind (the county's and every township's figures, the
    reader's among them): (kind and period, link). Not for parties."""
    if person.case_id is not None:
        return []
    root, found = reports_root(), []
    for kind in REPORT_KINDS:
        folder = root / kind
        periods = sorted(
            (p.name for p in folder.iterdir() if _PERIOD.match(p.name)), reverse=True
        ) if folder.is_dir() else []  # fmt: skip
        for period in periods[:2]:
            if (folder / period / "report.html").is_file():
                found.append((f"{_(REPORT_NAMES[kind])} {period}",
                              f"/reports/{kind}/{period}/report.html"))  # fmt: skip
    return found


REPORT_NAMES = {"monthly": N_("Monthly"), "weekly": N_("Weekly"), "daily": N_("Daily")}
_REPORT_FILE = re.compile(r"^[^/\\]+\.(html|csv|png|md)$")


@router.get("/reports/{kind}/{period}/{name}")
async def report_file(request: Request, kind: str, period: str, name: str) -> Response:
    """A report's file (report.html, its charts and CSVs), for the county's people."""
    person = await person_of(request, cookie=True)
    if person.case_id is not None or person.is_service:
        return HTMLResponse(_("Reports are for the county's staff."), status_code=403)
    if kind not in REPORT_KINDS or not _PERIOD.match(period) or not _REPORT_FILE.match(name):
        return HTMLResponse(_("No such report."), status_code=404)
    path = reports_root() / kind / period / name
    if not path.is_file():
        return HTMLResponse(_("No such report."), status_code=404)
    return FileResponse(path)


async def _case_page(
    request: Request,
    person: Person,
    case_id: str,
    message: str | None = None,
    ok: bool = True,
    status_code: int = 200,
):
    case = await case_detail(
        request.app.state.client, request.app.state.pool, person, case_id, via="page"
    )
    forms = [(a, form_fields(a), offer) for a, offer in forms_for(case)]
    choices = await departments_of_case(request.app.state.pool, case_id)
    return templates.TemplateResponse(
        request,
        "case.html",
        {
            "person": person,
            "case": case,
            "forms": forms,
            "message": message,
            "ok": ok,
            "department_choices": choices,
        },
        status_code=status_code,
    )  # fmt: skip


@router.get("/cases/{case_id}", response_class=HTMLResponse)
async def case_page(request: Request, case_id: str, done: str | None = None):
    person = await person_of(request, cookie=True)
    try:
        done_text = done and _("Done: {action}").format(action=text.action_name(done))
        return await _case_page(request, person, case_id, done_text)
    except Problem as err:
        return problem_page(request, person, err.message, err.status)
    except RPCError as err:
        return problem_page(request, person, unreachable(err), 503)


@router.post("/cases/{case_id}/act/{name}")
async def act_from_form(request: Request, case_id: str, name: str):
    person = await person_of(request, cookie=True)
    action = API_ACTIONS.get(name)
    if action is None:
        return HTMLResponse(_("No action {name}.").format(name=name), status_code=404)
    sent = await request.form()
    form = {k: v for k, v in sent.items() if isinstance(v, str)}
    # A checklist (the whistle's departments) sends one value per box ticked.
    for key in {k for k, v in sent.multi_items() if isinstance(v, str)}:
        values = [v for v in sent.getlist(key) if isinstance(v, str) and v.strip()]
        if len(values) > 1:
            form[key] = ";".join(values)
    csrf.check_form(request, form)
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
        if err.status in (401, 403, 422):
            await refusals.record(request, err.status, err.message)
        return await _case_page(
            request, person, case_id, err.message, ok=False, status_code=err.status
        )
    except RPCError as err:  # Temporal unreachable: said on a page, never as raw JSON
        return problem_page(request, person, unreachable(err), 503)
    return RedirectResponse(f"/cases/{quote(case_id)}?done={quote(name)}", 303)


def unreachable(err: RPCError) -> str:
    return _("Cannot reach Temporal: {error}").format(error=err.message or err.status.name)


def problem_page(request: Request, person: Person | None, message: str, status: int):
    """What went wrong, in words, on a page of its own (the case page could not be built)."""
    return templates.TemplateResponse(
        request, "problem.html", {"person": person, "message": message}, status_code=status
    )
