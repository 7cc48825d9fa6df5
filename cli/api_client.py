"""The CLI's way through the front door: the person's token, the API's address, one action.

`starter.py`'s case and duty commands act through the API with the person's token, so a
clerk at a terminal is a person too: the CLI asks the API who the token speaks for, builds
the action's input with that actor (a malformed action is refused before it is sent), and
posts it without the actor, which the API takes from the token again.

Exit codes, as before: 0 done; 1 refused (by the case, or a bad/revoked token, or no such
case); 2 malformed, unreadable, or a server that cannot be reached.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from cli.text import _
from domain.actions import Actor
from runtime import config
from runtime.settings import settings
from service.errors import problems
from texts import process_lang

TOKEN_ENV = "DISPUTE_TOKEN"
# httpx logs every request at INFO: noise between a clerk and the answer they wait for.
logging.getLogger("httpx").setLevel(logging.WARNING)


class CliError(Exception):
    """Stop with this one-line message and exit status `code`."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def read_token(args: argparse.Namespace) -> str:
    if getattr(args, "token_file", None):
        try:
            token = Path(args.token_file).read_text(encoding="utf-8").strip()
        except OSError as err:
            message = _("{command}: cannot read {file}: {why}")
            raise CliError(
                message.format(command=args.command, file=args.token_file, why=err.strerror), 2
            ) from None
    else:
        token = (settings().token or "").strip()
    if not token:
        message = _(
            "{command}: no token: set {env} or pass --token-file (an operator issues one with "
            "`starter.py tokens issue`)"
        )
        raise CliError(message.format(command=args.command, env=TOKEN_ENV), 2)
    if not (token.isascii() and token.isprintable()) or any(c.isspace() for c in token):
        # A token is one word of ASCII: a file holding anything else (a message saved with
        # it, two tokens) would fail deep in the HTTP client with a traceback.
        where = args.token_file if getattr(args, "token_file", None) else TOKEN_ENV
        message = _(
            "{command}: {where} does not hold a token: one line, as `tokens issue` printed it"
        )
        raise CliError(message.format(command=args.command, where=where), 2)
    return token


def _path(args: argparse.Namespace) -> str:
    case = quote(args.case_id, safe="")
    if hasattr(args, "department"):
        return f"/api/cases/{case}/duties/{quote(args.department, safe='')}/{args.command}"
    return f"/api/cases/{case}/{args.command}"


def _answer(args: argparse.Namespace, response: httpx.Response) -> dict[str, Any]:
    try:
        detail = response.json().get("detail", response.text)
    except (ValueError, AttributeError):
        detail = response.text
    if response.status_code == 200:
        return response.json()
    code = 2 if response.status_code in (413, 422) or response.status_code >= 500 else 1
    text = str(detail)
    raise CliError(text if text.startswith(args.command) else f"{args.command}: {text}", code)


async def send_action(args: argparse.Namespace, build: Callable[..., BaseModel]) -> dict:
    """Act as the token's person; returns the case (or duty) after the action."""
    token = read_token(args)
    base = config.api_url()
    # The API answers in the CLI's language (`--lang`, DISPUTE_LANG), not in its own.
    headers = {"Authorization": f"Bearer {token}", "Accept-Language": process_lang().value}
    try:
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60) as http:
            me = _answer(args, await http.get("/api/me"))
            who = Actor(name=me["name"], role=me["role"], unit=me["unit"])
            try:
                model = build(args, who)
            except ValidationError as err:
                message = _("{command} for {case_id}: {problems}").format(
                    command=args.command, case_id=args.case_id, problems=problems(err)
                )
                raise CliError(message, 2) from None
            body = model.model_dump(
                # The fields the action's name decides: the API refuses them in a body.
                mode="json",
                exclude_none=True,
                exclude={"actor", *args.action.fixed},
            )
            params = {"whistle": args.whistle} if hasattr(args, "whistle") else None
            return _answer(args, await http.post(_path(args), json=body, params=params))
    except httpx.TransportError as err:
        message = _("{command}: cannot reach the API at {url}: {error} (is `make run` up?)")
        raise CliError(message.format(command=args.command, url=base, error=err), 2) from None


def print_view(view: dict) -> None:
    print(json.dumps(view, indent=2, ensure_ascii=False))
    sys.stdout.flush()
