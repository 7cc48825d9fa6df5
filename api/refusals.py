"""Every refusal of an attempt to act goes into the audit (ledger/audit.py): 401 (no valid
token), 403 (not allowed, a cross-site form, an intake token) and 422 (a malformed action),
with the person the token named, if any, the reason and the client's address.

An attempt to act is a POST to a case's action, on the JSON API (`/api/cases/<id>/<action>`,
`/api/cases/<id>/duties/<department>/<action>`) or on the page (`/cases/<id>/act/<action>`).
"""

from __future__ import annotations

import re

import structlog
from fastapi import Request

from ledger import audit, tokens
from ledger.tokens import Person

log = structlog.get_logger("api")

_ACTION = re.compile(r"^/(?:api/)?cases/(?P<case>[^/]+)/(?:act/|duties/[^/]+/)?(?P<action>[^/]+)$")


def action_of(request: Request) -> tuple[str, str] | None:
    """(case id, action) when the request is an attempt to act, else None."""
    if request.method != "POST":
        return None
    found = _ACTION.match(request.url.path)
    return (found["case"], found["action"]) if found else None


async def _named(request: Request) -> Person | None:
    """Whom the request's token names, when the refusal came before the route looked (a
    malformed body is refused before its handler runs)."""
    header = request.headers.get("authorization", "")
    token = header[7:].strip() if header.lower().startswith("bearer ") else None
    token = token or request.cookies.get(tokens.SESSION_COOKIE)
    return await tokens.lookup(request.app.state.pool, token) if token else None


def remember(request: Request, person: Person) -> None:
    """Note who the request's token named, for the audit of a refusal that comes later."""
    request.state.person = person


async def record(request: Request, status: int, reason: str) -> None:
    """Audit the refusal if the request was an attempt to act; never fails the answer."""
    what = action_of(request)
    if what is None:
        return
    source = request.client.host if request.client else None
    try:
        person = getattr(request.state, "person", None) or await _named(request)
        await audit.record(
            request.app.state.pool,
            status=status,
            action=what[1][:100],
            reason=reason,
            person=person,
            case_id=what[0][:200],
            source=source,
        )
    except Exception as err:
        log.error("refusal not audited", status=status, error=type(err).__name__)
