"""Related cases through the front door: link two cases (`related`), from the API or the case
page. Merging a duplicate is the case's `merge` action (api/routes.py, the case page's forms).

POST /api/cases/{case_id}/link            body: {"other": "…", "note": "…"}
POST /cases/{case_id}/link                the case page's form (sign-in cookie)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Body, Form, Request
from fastapi.responses import RedirectResponse

from api.auth import person_of
from api.service import Refused, case_detail
from api.text import current_lang
from domain.related import LinkRequest, check_link
from ledger import related
from ledger.tokens import Person

router = APIRouter()


async def link_cases(request: Request, person: Person, case_id: str, link: LinkRequest) -> dict:
    """Link as the person, who must be among the people of the case; returns the case."""
    state = request.app.state
    await case_detail(state.client, state.pool, person, case_id)  # refuses a stranger
    exists = await related.status_of(state.pool, link.other) is not None
    reason = check_link(case_id, link, exists, current_lang())
    if reason:
        raise Refused(reason)
    actor = {"name": person.name, "role": person.role, "unit": person.unit}
    await related.link(
        state.pool, case_id, link.other, note=link.note, actor=actor, at=datetime.now(UTC)
    )
    return await case_detail(state.client, state.pool, person, case_id)


@router.post("/api/cases/{case_id}/link", summary="Link the case to a related one (both ways)")
async def link(
    request: Request, case_id: str, body: Annotated[LinkRequest, Body()]
) -> dict[str, Any]:
    person = await person_of(request)
    return await link_cases(request, person, case_id, body)


@router.post("/cases/{case_id}/link", include_in_schema=False)
async def link_from_page(
    request: Request, case_id: str, other: Annotated[str, Form(max_length=64)]
):
    person = await person_of(request, cookie=True)
    try:
        await link_cases(request, person, case_id, LinkRequest(other=other.strip()))
    except Refused as err:
        return RedirectResponse(
            f"/cases/{quote(case_id)}?link_error={quote(err.message)}", status_code=303
        )
    return RedirectResponse(f"/cases/{quote(case_id)}?done=link", status_code=303)
