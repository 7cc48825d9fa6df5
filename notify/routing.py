"""Which channel a notification goes to: a TOML routing file and/or one webhook URL.

    DISPUTE_CHANNELS_FILE=channels.toml   channels and routes (see channels.example.toml)
    DISPUTE_WEBHOOK_URL=https://...       a channel named "webhook" and a last catch-all route

Routes are tried in file order; the first whose conditions all hold wins (absent = any).
Conditions: `role`, `unit`, `level` (the ladder level of the event) and `colour` (the case's
risk colour), each a string or a list of strings. A notification no route takes waits with
the error "no route" and ends dead (listed) if none appears in time.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from notify.channels import Channel, DingTalk, Sms, Webhook, WeCom
from notify.outgoing import Outgoing
from runtime.settings import settings_of

CONDITIONS = ("role", "unit", "level", "colour")


class RoutingError(ValueError):
    """The routing file is unreadable or wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Route:
    channel: str
    when: tuple[tuple[str, frozenset[str]], ...] = ()

    def matches(self, msg: Outgoing) -> bool:
        facts = {"role": msg.role, "unit": msg.unit, "level": msg.level, "colour": msg.colour}
        return all(facts[key] in allowed for key, allowed in self.when)


@dataclass(frozen=True)
class Routing:
    channels: dict[str, Channel]
    routes: tuple[Route, ...]

    @property
    def configured(self) -> bool:
        return bool(self.routes)

    def channel_for(self, msg: Outgoing) -> Channel | None:
        for route in self.routes:
            if route.matches(msg):
                return self.channels[route.channel]
        return None

    def describe(self) -> str:
        return ", ".join(f"{n} ({type(c).__name__})" for n, c in self.channels.items()) or "none"


def _text(table: Mapping[str, Any], key: str, where: str, env: Mapping[str, str]) -> str | None:
    """`key`, or the environment variable named by `key_env` (secrets stay out of files)."""
    if f"{key}_env" in table:
        name = table[f"{key}_env"]
        if not env.get(name):
            raise RoutingError(f"{where}.{key}_env: environment variable {name} is not set")
        return env[name]
    value = table.get(key)
    if value is not None and not isinstance(value, str):
        raise RoutingError(f"{where}.{key}: expected a string, got {value!r}")
    return value


def _channel(name: str, table: Mapping[str, Any], where: str, env: Mapping[str, str]) -> Channel:
    kind = table.get("type")
    url = _text(table, "url", where, env)
    if not url:
        raise RoutingError(f"{where}.url: missing (or set url_env)")
    if kind == "webhook":
        return Webhook(name, url, dict(table.get("headers", {})))
    if kind == "wecom":
        return WeCom(name, url)
    if kind == "dingtalk":
        return DingTalk(name, url, _text(table, "secret", where, env))
    if kind == "sms":
        sms = Sms(name, url, dict(table.get("form", {})), dict(table.get("phones", {})))
        for key, template in [("url", url), *sms.form.items()]:
            try:
                template.format(**dict.fromkeys(Sms.PLACEHOLDERS, ""))
            except (KeyError, IndexError, ValueError) as err:
                raise RoutingError(f"{where}.{key}: placeholder {err} is not one of "
                                   f"{', '.join(Sms.PLACEHOLDERS)}") from None  # fmt: skip
        return sms
    raise RoutingError(f"{where}.type: {kind!r} is not one of webhook, wecom, dingtalk, sms")


def _route(i: int, table: Mapping[str, Any], channels: Mapping[str, Channel], src: str) -> Route:
    where = f"{src}: routes[{i}]"
    channel = table.get("channel")
    if channel not in channels:
        raise RoutingError(f"{where}.channel: {channel!r} is not a channel defined here")
    unknown = set(table) - {"channel", *CONDITIONS}
    if unknown:
        raise RoutingError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    when = []
    for key in CONDITIONS:
        if key in table:
            value = table[key]
            values = [value] if isinstance(value, str) else value
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise RoutingError(f"{where}.{key}: expected a string or a list of strings")
            when.append((key, frozenset(values)))
    return Route(channel, tuple(when))


def parse_routing(text: str, source: str, env: Mapping[str, str]) -> Routing:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise RoutingError(f"{source}: {err}") from None
    channels = {
        name: _channel(name, table, f"{source}: channels.{name}", env)
        for name, table in data.get("channels", {}).items()
    }
    routes = [_route(i, t, channels, source) for i, t in enumerate(data.get("routes", []))]
    return Routing(channels, tuple(routes))


def load_routing(env: Mapping[str, str] | None = None) -> Routing:
    """The routing the environment describes; empty (nothing configured) without either."""
    env = os.environ if env is None else env  # `*_env` secrets named by the channels file
    s = settings_of(env)
    routing = Routing({}, ())
    if path := s.channels_file:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as err:
            raise RoutingError(f"DISPUTE_CHANNELS_FILE {path}: {err.strerror}") from None
        routing = parse_routing(text, path, env)
    if url := s.webhook_url:
        channels = {**routing.channels, "webhook": Webhook("webhook", url)}
        routing = Routing(channels, (*routing.routes, Route("webhook")))
    return routing
