"""Cross-site request forgery: a state-changing request must come from the API's own pages.

Two checks, both needed because a page on the same host at another port is *same-site* (the
SameSite=Strict cookie goes along with its forms):

- `SameOrigin` (middleware): a POST (PUT, PATCH, DELETE) whose `Origin` (else `Referer`) names
  another origin than the one it was sent to (its `Host`), or one of `DISPUTE_API_ORIGINS`
  (comma-separated, for a proxy that rewrites the host), is refused with 403 and audited.
  Programs (the CLI, curl) send neither header; they authenticate with a bearer token, which
  a browser never adds on its own.
- a form token per session (`form_token`): each form of the page carries `csrf`, an HMAC of
  the session's cookie under a server key; the page's POSTs (`check_form`) refuse a form
  without the right one. The key is derived from the actor key (runtime/actor_assertion.py),
  which every API instance holds, so the token works on any of them.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import JSONResponse

from api import refusals
from api.text import _
from ledger import tokens
from runtime import actor_assertion
from runtime.settings import settings

ORIGINS_ENV = "DISPUTE_API_ORIGINS"
FIELD = "csrf"
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class Forbidden(Exception):
    """A cross-site request or a form without its session's token (403)."""


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def cross_site(headers: dict[str, str], extra: tuple[str, ...]) -> str | None:
    """Why a state-changing request is not from this site (None: it is, or no browser sent it)."""
    host = headers.get("host", "").lower()
    origin = headers.get("origin")
    if origin is None or origin == "null":
        referer = headers.get("referer")
        if referer is None:
            # Neither header: no browser form (they send Origin on every POST) unless the
            # origin was hidden ("null", a sandboxed or privacy-stripped page): refuse that.
            return "no Origin and no Referer on a form" if origin == "null" else None
        origin = _origin(referer) or "null"
    origin = origin.lower()
    if urlsplit(origin).netloc == host or origin in extra:
        return None
    return f"cross-site request from {origin}"


class SameOrigin:
    """The Origin/Referer check on every state-changing request (403, audited)."""

    def __init__(self, app) -> None:
        self.app = app
        self.extra = tuple(
            o.strip().lower().rstrip("/") for o in settings().api_origins.split(",") if o.strip()
        )

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE:
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        why = cross_site(headers, self.extra)
        if why is None:
            return await self.app(scope, receive, send)
        request = Request(scope)
        await refusals.record(request, 403, why)
        detail = _("Refused: a form of another site may not act here.")
        return await JSONResponse({"detail": detail}, status_code=403)(scope, receive, send)


_key: bytes | None = None


def _form_key() -> bytes:
    global _key
    if _key is None:
        _key = hmac.new(actor_assertion.load_key(), b"dispute csrf form key", "sha256").digest()
    return _key


def form_token(request: Request) -> str:
    """The session's form token ('' without a session)."""
    session = request.cookies.get(tokens.SESSION_COOKIE, "")
    if not session:
        return ""
    digest = hashlib.sha256(session.encode()).digest()
    return hmac.new(_form_key(), digest, "sha256").hexdigest()


def check_form(request: Request, form: dict[str, str]) -> None:
    """Raise Forbidden unless the form carries its session's token."""
    expected = form_token(request)
    given = form.get(FIELD, "")
    if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
        raise Forbidden(_("Refused: the form is stale or not from this site; reload the page."))
