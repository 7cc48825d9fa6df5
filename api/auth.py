"""Who is calling: the person of a bearer token (API) or of the sign-in cookie (web page),
and a per-token rate limit.

The limit is a token bucket of `DISPUTE_API_RATE` requests a second with bursts of
`DISPUTE_API_BURST`, kept in PostgreSQL (ledger/rate_limits.py), so that several API
processes behind a load balancer limit a token together, not each on its own. It stops a
runaway script or a stolen token hammering Temporal; it is not a substitute for the
balancer's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request

from api import refusals
from api.text import _
from ledger import rate_limits, tokens
from ledger.tokens import Person
from runtime.settings import settings

COOKIE = tokens.SESSION_COOKIE


class Unauthorized(Exception):
    """No token, or one that is unknown, revoked or no longer entitled (401)."""


class TooMany(Exception):
    """The token's rate limit is spent (429)."""


@dataclass
class Buckets:
    """The rate limit's settings; the buckets themselves are rows every process shares."""

    rate: float = field(default_factory=lambda: settings().api_rate)
    burst: float = field(default_factory=lambda: settings().api_burst)

    async def take(self, pool, key: str) -> bool:
        return await rate_limits.take(pool, key, rate=self.rate, burst=self.burst)


def token_of(request: Request, *, cookie: bool) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(COOKIE) if cookie else None


async def person_of(request: Request, *, cookie: bool = False) -> Person:
    """The caller, or Unauthorized; spends one unit of the caller's rate limit."""
    token = token_of(request, cookie=cookie)
    if not token:
        raise Unauthorized(_("No token: send `Authorization: Bearer <token>`."))
    person = await tokens.lookup(request.app.state.pool, token)
    if person is None:
        raise Unauthorized(_("That token is unknown, revoked, or its person is no longer active."))
    refusals.remember(request, person)
    if not await request.app.state.buckets.take(request.app.state.pool, person.token_id):
        raise TooMany(
            _("Too many requests for token {token}: slow down.").format(token=person.token_id)
        )
    return person
