"""The JSON API: `/api/...`. Every route needs a token (`Authorization: Bearer <token>`).

GET  /api/me                                         who the token speaks for
GET  /api/cases                                      the caller's worklist (filters)
GET  /api/cases/{case_id}                            the case, its clocks, its events
POST /api/cases/{case_id}/{action}                   a case action (body: its model)
POST /api/cases/{case_id}/duties/{department}/{action}?whistle=1   a department's duty
POST /api/intake                                     JSON Lines or CSV (intake tokens)
"""

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel

from api.actions import CASE_ACTIONS, DUTY_ACTION_LIST, ApiAction
from api.auth import person_of
from api.service import Invalid, Refused, act, case_detail, intake, mine
from api.text import _, current_lang
from domain.ladder import Level
from domain.policy import parse_duration
from ledger.worklist import RISKS, Filters, counts, worklist

#: The worklist's tabs and orders (ledger.worklist.TABS, ORDERS).
Tab = Literal["open", "due_soon", "overdue", "supervised", "visits", "paused"]
Order = Literal["urgency", "opened", "risk"]

router = APIRouter(prefix="/api")


class Me(BaseModel):
    token_id: str
    name: str
    unit: str | None
    role: str
    level: str | None


@router.get("/me", response_model=Me, summary="Who the token speaks for")
async def me(request: Request) -> Me:
    p = await person_of(request)
    return Me(token_id=p.token_id, name=p.name, unit=p.unit, role=p.role, level=p.level)


def filters_from(*, unit, level, status, overdue, due_within, risk, handler, person, under=None,
                 q=None, tab=None, order="urgency") -> Filters:  # fmt: skip
    """The worklist filters of a request; always restricted to the caller's cases."""
    window = None
    if due_within:
        try:
            window = parse_duration(due_within)
        except ValueError as err:
            raise Invalid(f"due_within: {err}") from None  # the duration parser's words
    if risk and risk not in RISKS:
        raise Invalid(_("risk: must be one of {values}").format(values=", ".join(RISKS)))
    statuses = None if status == "all" else tuple(status.split(",")) if status else Filters.status
    return Filters(
        unit=unit,
        level=level,
        status=statuses,
        overdue=overdue,
        due_within=window,
        risk=risk,
        handler=handler,
        under=under,
        search=q,
        tab=tab,
        order=order,
        **mine(person),
    )


@router.get("/cases", summary="The caller's worklist, most urgent first")
async def cases(
    request: Request,
    unit: Annotated[str | None, Query(max_length=200)] = None,
    level: Level | None = None,
    status: Annotated[
        str | None,
        Query(
            max_length=100, description="comma-separated, or 'all'; default: open,paused,supervised"
        ),
    ] = None,
    overdue: bool = False,
    due_within: Annotated[str | None, Query(max_length=20, description='"12h", "2d"')] = None,
    risk: Annotated[str | None, Query(max_length=10)] = None,
    handler: Annotated[str | None, Query(max_length=200)] = None,
    under: Annotated[str | None, Query(max_length=200, description="every case below")] = None,
    q: Annotated[
        str | None, Query(max_length=100, description="id, title, party name or phone")
    ] = None,
    tab: Tab | None = None,
    order: Order = "urgency",
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> list[dict[str, Any]]:
    person = await person_of(request)
    if person.is_service:
        raise Refused(_("An intake token has no worklist."))
    f = filters_from(
        unit=unit,
        level=level,
        status=status,
        overdue=overdue,
        due_within=due_within,
        risk=risk,
        handler=handler,
        person=person,
        under=under,
        q=q,
        tab=tab,
        order=order,
    )
    rows = await worklist(request.app.state.pool, f, datetime.now(UTC), offset=offset)
    # Beijing time, as every time the API gives; whole seconds.
    return [r.as_json(current_lang()) for r in rows]


@router.get("/cases/counts", summary="How many of the caller's cases in each tab")
async def case_counts(
    request: Request,
    under: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> dict[str, int]:
    person = await person_of(request)
    if person.is_service:
        raise Refused(_("An intake token has no worklist."))
    f = Filters(under=under, search=q, **mine(person))
    return await counts(request.app.state.pool, f, datetime.now(UTC))


@router.get("/cases/{case_id}", summary="The case, its clocks (time left now) and its events")
async def case(request: Request, case_id: str) -> dict[str, Any]:
    person = await person_of(request)
    return await case_detail(request.app.state.client, request.app.state.pool, person, case_id)


def _case_route(action: ApiAction) -> None:
    async def handler(request: Request, case_id: str, body: Annotated[action.body, Body()]):  # type: ignore[name-defined]
        person = await person_of(request)
        data = body.model_dump(exclude_unset=True)
        state = request.app.state
        return await act(state.client, state.pool, person, action, case_id, data)

    router.add_api_route(
        f"/cases/{{case_id}}/{action.name}",
        handler,
        methods=["POST"],
        summary=_summary(action),
        name=f"case_{action.name}",
        responses=_RESPONSES,
    )


def _duty_route(action: ApiAction) -> None:
    async def handler(
        request: Request,
        case_id: str,
        department: str,
        body: Annotated[action.body, Body()],
        whistle: int = 1,
    ):  # type: ignore[name-defined]
        person = await person_of(request)
        data = body.model_dump(exclude_unset=True)
        state = request.app.state
        return await act(
            state.client,
            state.pool,
            person,
            action,
            case_id,
            data,
            department=department,
            whistle=whistle,
        )

    router.add_api_route(
        f"/cases/{{case_id}}/duties/{{department}}/{action.name}",
        handler,
        methods=["POST"],
        summary=_summary(action),
        name=f"duty_{action.name}",
        responses=_RESPONSES,
    )


def _summary(action: ApiAction) -> str:
    """The route's summary in /docs: the action's label and help (the catalog's English)."""
    return f"{action.action.label}: {action.action.help}"


_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"description": "no token, or an unknown or revoked one"},
    403: {"description": "refused: the reason is the workflow validator's"},
    404: {"description": "no open case (or duty) by that id"},
    422: {"description": "a malformed action: the field and the problem"},
    429: {"description": "too many requests for this token"},
}
for _a in CASE_ACTIONS:
    _case_route(_a)
for _a in DUTY_ACTION_LIST:
    _duty_route(_a)


@router.post(
    "/intake",
    summary="Start a case per record (JSON Lines or CSV body)",
    openapi_extra={"requestBody": {"content": {"application/x-ndjson": {}, "text/csv": {}}}},
)
async def intake_route(request: Request) -> dict[str, Any]:
    person = await person_of(request)
    if not person.is_service:
        raise Refused(_("Intake needs an intake service token (`tokens issue --role intake`)."))
    raw = await request.body()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise Invalid(_("The body is not UTF-8 text (byte {n}).").format(n=err.start)) from None
    kind = request.headers.get("content-type", "").split(";")[0].strip()
    name = {
        "text/csv": "body.csv",
        "application/x-ndjson": "body.jsonl",
        "application/jsonl": "body.jsonl",
        "application/json": "body.jsonl",
    }.get(kind, "body")
    state = request.app.state
    answer = await intake(state.client, state.pool, text, name)
    stopped = {"stopped": answer.stopped} if answer.stopped else {}
    return {"results": answer.results, **answer.totals, **stopped}
