"""Delivery channels: small adapters over one shared `httpx.AsyncClient`.

Each `send` returns on success and raises `DeliveryError` (one line saying why) otherwise;
the dispatcher retries. Every request carries the message's stable id as `Idempotency-Key`.
The robots' formats follow their vendors' documented group-robot webhooks: WeCom
(企业微信) `{"msgtype": "text", "text": {"content": ...}}`, answering `{"errcode": 0}`;
DingTalk the same body, signed with `timestamp` and `sign` query parameters when a secret is
set (HMAC-SHA256 of "timestamp\\nsecret", base64, URL-encoded).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol
from urllib.parse import quote

import httpx

from notify.outgoing import Outgoing


class DeliveryError(Exception):
    """A send failed; the message says why in one line (status, vendor error, network)."""


class Channel(Protocol):
    name: str

    async def send(self, client: httpx.AsyncClient, msg: Outgoing) -> None: ...


def _headers(msg: Outgoing) -> dict[str, str]:
    return {"Idempotency-Key": msg.id}


async def _post(client: httpx.AsyncClient, url: str, **kwargs: Any) -> httpx.Response:
    try:
        response = await client.request(kwargs.pop("method", "POST"), url, **kwargs)
    except httpx.HTTPError as err:
        raise DeliveryError(f"{type(err).__name__}: {err or 'no answer'}") from None
    if not response.is_success:
        raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")
    return response


def _robot_answer(response: httpx.Response) -> None:
    """Robots answer HTTP 200 with {"errcode": N}; anything but 0 is a failure."""
    try:
        answer = response.json()
    except ValueError:
        raise DeliveryError(f"not a robot answer: {response.text[:200]}") from None
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg')}")


@dataclass(frozen=True)
class Webhook:
    """POST the JSON payload (see `Outgoing.payload`) to a URL."""

    name: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)

    async def send(self, client: httpx.AsyncClient, msg: Outgoing) -> None:
        await _post(client, self.url, json=msg.payload(), headers={**self.headers, **_headers(msg)})


@dataclass(frozen=True)
class WeCom:
    """A WeCom group robot (`.../cgi-bin/webhook/send?key=...`)."""

    name: str
    url: str

    async def send(self, client: httpx.AsyncClient, msg: Outgoing) -> None:
        body = {"msgtype": "text", "text": {"content": msg.text}}
        _robot_answer(await _post(client, self.url, json=body, headers=_headers(msg)))


def dingtalk_signed_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """The robot URL with `timestamp` and `sign` (DingTalk's 加签 security setting)."""
    stamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = quote(base64.b64encode(digest).decode(), safe="")
    return f"{url}{'&' if '?' in url else '?'}timestamp={stamp}&sign={sign}"


@dataclass(frozen=True)
class DingTalk:
    """A DingTalk group robot (`.../robot/send?access_token=...`), signed when `secret` is set."""

    name: str
    url: str
    secret: str | None = None

    async def send(self, client: httpx.AsyncClient, msg: Outgoing) -> None:
        url = dingtalk_signed_url(self.url, self.secret) if self.secret else self.url
        body = {"msgtype": "text", "text": {"content": msg.text}}
        _robot_answer(await _post(client, url, json=body, headers=_headers(msg)))


@dataclass(frozen=True)
class Sms:
    """An SMS gateway over HTTP. `url` is a template; with `form` the request is a POST of
    those fields (templates too), otherwise a GET. Placeholders: {phone} {text} {id}
    {case_id} {name} {role} {unit}. {phone} comes from `phones` (by person's name, else by
    unit); a recipient without one fails with a clear error (and ends dead, listed)."""

    PLACEHOLDERS: ClassVar[tuple[str, ...]] = (
        "phone", "text", "id", "case_id", "name", "role", "unit",
    )  # fmt: skip

    name: str
    url: str
    form: dict[str, str] = field(default_factory=dict)
    phones: dict[str, str] = field(default_factory=dict)

    def fields(self, msg: Outgoing) -> dict[str, str]:
        phone = self.phones.get(msg.name or "") or self.phones.get(msg.unit)
        if phone is None:
            # The error is logged and kept on the outbox row: the unit and role, never a name.
            raise DeliveryError(f"no phone number for the {msg.role} of {msg.unit} in {self.name}")
        return {"phone": phone, "text": msg.text, "id": msg.id, "case_id": msg.case_id or "",
                "name": msg.name or "", "role": msg.role, "unit": msg.unit}  # fmt: skip

    async def send(self, client: httpx.AsyncClient, msg: Outgoing) -> None:
        values = self.fields(msg)
        url = self.url.format(**{k: quote(v, safe="") for k, v in values.items()})
        if self.form:
            data = {k: v.format(**values) for k, v in self.form.items()}
            await _post(client, url, data=data, headers=_headers(msg))
        else:
            await _post(client, url, method="GET", headers=_headers(msg))
