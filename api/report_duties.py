"""Report duties (零报告) through the front door: the JSON API and the worklist page's form.

GET  /api/duties?date=D&unit=U      each report duty of the day with its state, of the units
                                    the caller's unit sees (its own, those reporting to it;
                                    the county all)
POST /api/duties/reports            file the caller's unit's report (body: ReportRequest)
POST /duties/zero                   the page's one-tap zero report (sign-in cookie)
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Query, Request
from fastapi.responses import RedirectResponse

from api.auth import person_of
from api.service import Refused
from api.text import _, current_lang
from domain.report_duties import ReportKind, ReportRequest
from ledger.tokens import Person
from service.report_duties import DutyRefused, duty_list, file_report

router = APIRouter()


async def todays_duty(pool, person: Person, now: datetime) -> dict[str, Any] | None:
    """The signed-in person's unit's report duty today, for the page; None when it owes none."""
    if person.is_service or person.case_id or not person.unit:
        return None
    found = await duty_list(pool, None, person.unit, now)
    return found[0] if found else None


def _may_report(person: Person) -> None:
    if person.is_service or person.case_id:
        raise Refused(_("Only a reporting unit's people read and file report duties."))


@router.get("/api/duties", summary="Each report duty of the day, with its state")
async def duties(
    request: Request,
    day: Annotated[date | None, Query(alias="date")] = None,
    unit: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    person = await person_of(request)
    _may_report(person)
    return await duty_list(request.app.state.pool, day, unit, datetime.now(UTC), reader=person)


async def _file(request: Request, person: Person, report: ReportRequest) -> dict[str, Any]:
    _may_report(person)
    try:
        return await file_report(
            request.app.state.pool, person, report, datetime.now(UTC), current_lang()
        )
    except DutyRefused as err:
        raise Refused(str(err)) from None


@router.post("/api/duties/reports", summary="File your unit's report: zero, or its matters")
async def file(request: Request, report: Annotated[ReportRequest, Body()]) -> dict[str, Any]:
    person = await person_of(request)
    return await _file(request, person, report)


@router.post("/duties/zero", include_in_schema=False)
async def zero_from_page(request: Request):
    """The page's one tap: today's zero report of the signed-in person's unit."""
    person = await person_of(request, cookie=True)
    try:
        await _file(request, person, ReportRequest(kind=ReportKind.zero))
    except Refused as err:
        return RedirectResponse(f"/?duty_error={quote(err.message)}", 303)
    return RedirectResponse("/?duty=filed", 303)
