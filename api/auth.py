"""Who is calling: the person of a bearer token (API) or of the sign-in cookie (web page),
and a per-token rate limit.

The limit is per API process (several instances behind a load balancer each allow this
much): a token bucket of RATE requests a second with bursts of BURST. It stops a runaway
script or a stolen token hammering Temporal; it is not a substitute for the balancer's own.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from fastapi import Request

from api import refusals
from api.text import _
from ledger import tokens
from ledger.tokens import Person
from runtime.settings import settings

COOKIE = tokens.SESSION_COOKIE
RATE = settings().api_rate
BURST = settings().api_burst


class Unauthorized(Exception):
    """No token, or one that is unknown, revoked or no longer entitled (401)."""


class TooMany(Exception):
    """The token's rate limit is spent (429)."""


@dataclass
class Buckets:
    rate: float = RATE
    burst: float = BURST
    _state: dict[str, tuple[float, float]] = field(default_factory=dict)

    def take(self, key: str) -> bool:
        now = time.monotonic()
        level, last = self._state.get(key, (self.burst, now))
        level = min(self.burst, level + (now - last) * self.rate)
        if level < 1:
            self._state[key] = (level, now)
            return False
        self._state[key] = (level - 1, now)
        return True


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
    if not request.app.state.buckets.take(person.token_id):
        raise TooMany(
            _("Too many requests for token {token}: slow down.").format(token=person.token_id)
        )
    return person
