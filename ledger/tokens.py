"""People's tokens for the HTTP front door: issue, revoke, list, and look one up.

A token is 32 random bytes (URL-safe text, prefixed `dt_` so it is recognisable in a leak);
only its SHA-256 is stored. Who may hold one:

- a person on the roster, active: their unit, their roster role, or `supervisor` (a
  supervisor of that unit: the roster does not list supervisors separately);
- a department's duty officer: role = the department's code, unit = the department's unit
  (an active row of the `departments` table); the name is the officer's;
- a party of one case (applicant, respondent, third party): the name and role as the case's
  intake lists them; the token acts on that case only (escalate, withdraw, refuse, apply for
  judicial confirmation);
- an intake service: role `intake` (it may only submit intake files).

A token stops working when it is revoked, when its person leaves the roster or turns
inactive, or when its department does.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

import asyncpg

from domain.actions import PARTY_ROLES, SUPERVISOR, Actor
from runtime.text import _
from texts import process_lang
from texts.terms import label

INTAKE_ROLE = "intake"
#: The worklist page's sign-in cookie: it holds the person's token (the API and the codec server).
SESSION_COOKIE = "dispute_token"
PREFIX = "dt_"


class TokenError(ValueError):
    """A token that cannot be issued or revoked; the message says why."""


@dataclass(frozen=True)
class Person:
    """Who a token speaks for."""

    token_id: str
    name: str
    unit: str | None
    role: str
    level: str | None
    #: A party's token acts on this case only.
    case_id: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(name=self.name, role=self.role, unit=self.unit)

    @property
    def is_service(self) -> bool:
        return self.role == INTAKE_ROLE


def hash_token(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


_ROSTER = "SELECT level, role FROM roster WHERE name = $1 AND unit = $2 AND active"
_DEPARTMENT = "SELECT 1 FROM departments WHERE code = $1 AND unit = $2 AND active"
_PARTY = """
SELECT 1 FROM cases
 WHERE case_id = $1 AND intake->'parties' @> jsonb_build_array(jsonb_build_object('name', $2::text,
                                                                                  'role', $3::text))
"""
_INSERT = """
INSERT INTO tokens (token_id, token_hash, name, unit, role, level, case_id)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""
# The person must still be entitled: not revoked, and still active on the roster (or their
# department still active). Intake tokens need neither.
_LOOKUP = """
SELECT t.token_id, t.name, t.unit, t.role, t.level, t.case_id
  FROM tokens t
 WHERE t.token_hash = $1 AND t.revoked_at IS NULL
   AND (t.role = 'intake' OR t.case_id IS NOT NULL
        OR (t.level IS NOT NULL AND EXISTS (
              SELECT 1 FROM roster r WHERE r.name = t.name AND r.unit = t.unit
                 AND r.level = t.level AND r.active))
        OR (t.level IS NULL AND EXISTS (
              SELECT 1 FROM departments d WHERE d.code = t.role AND d.unit = t.unit
                 AND d.active)))
"""


async def issue(
    pool: asyncpg.Pool, name: str, unit: str | None, role: str, case_id: str | None = None
) -> tuple[str, str]:
    """A new token for the person; returns (token_id, token). Refuses anyone not entitled."""
    level: str | None = None
    if role in PARTY_ROLES:
        if not case_id:
            message = _("a party's token needs --case: a {role} acts on their own case")
            raise TokenError(message.format(role=label("party_role", role, process_lang())))
        if not await pool.fetchval(_PARTY, case_id, name, role):
            message = _("case {case_id} has no {role} named {name} (or no such case)")
            role_name = label("party_role", role, process_lang())
            raise TokenError(message.format(case_id=case_id, role=role_name, name=name))
        unit = None
    elif case_id:
        message = _("--case is for a party's token (role {roles})")
        raise TokenError(message.format(roles=", ".join(sorted(PARTY_ROLES))))
    elif role == INTAKE_ROLE:
        pass
    elif not unit:
        raise TokenError(_("--unit is required for a person's token"))
    else:
        rows = await pool.fetch(_ROSTER, name, unit)
        if rows:
            level, roster_role = rows[0]["level"], rows[0]["role"]
            if role not in (roster_role, SUPERVISOR):
                message = _(
                    "{name} of {unit} is on the roster as {roster_role}: --role must be "
                    "{roster_role} or {supervisor}"
                )
                raise TokenError(message.format(name=name, unit=unit, roster_role=roster_role,
                                                supervisor=SUPERVISOR))  # fmt: skip
        elif not await pool.fetchval(_DEPARTMENT, role, unit):
            message = _(
                "{name} of {unit} is not an active person on the roster, and {role} is not an "
                "active department of {unit}: load the roster or departments first"
            )
            raise TokenError(message.format(name=name, unit=unit, role=repr(role)))
    token_id = secrets.token_hex(4)
    token = PREFIX + secrets.token_urlsafe(32)
    await pool.execute(_INSERT, token_id, hash_token(token), name, unit, role, level, case_id)
    return token_id, token


async def revoke(pool: asyncpg.Pool, token_id: str) -> None:
    done = await pool.execute(
        "UPDATE tokens SET revoked_at = now() WHERE token_id = $1 AND revoked_at IS NULL",
        token_id,
    )
    if done == "UPDATE 0":
        raise TokenError(_("no active token {token_id}").format(token_id=token_id))


async def listing(pool: asyncpg.Pool) -> list[dict]:
    rows = await pool.fetch(
        "SELECT token_id, name, unit, role, level, case_id, created_at, revoked_at FROM tokens "
        "ORDER BY created_at, token_id"
    )
    return [dict(r) for r in rows]


async def lookup(pool: asyncpg.Pool, token: str) -> Person | None:
    """The person a token speaks for, or None (unknown, revoked, or no longer entitled)."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    row = await pool.fetchrow(_LOOKUP, hash_token(token))
    return Person(**dict(row)) if row else None
