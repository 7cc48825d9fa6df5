"""Where the engine's servers are: environment variables first, the embedded stack otherwise.

A user with a real Temporal cluster (or Temporal Cloud) and a real PostgreSQL sets
`TEMPORAL_ADDRESS` / `TEMPORAL_NAMESPACE` (plus `TEMPORAL_API_KEY` or `TEMPORAL_TLS_*`, or a
`temporalio.envconfig` profile via `TEMPORAL_PROFILE` / `TEMPORAL_CONFIG_FILE`) and
`DATABASE_URL`. Without them, `make run`'s embedded stack is used; it writes its addresses to
`.data/stack.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from domain.policy import ResponseWindow, parse_policy
from runtime.settings import settings
from runtime.text import _

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POLICY = ROOT / "policy.toml"
DEFAULT_CALENDAR = ROOT / "calendars" / "cn.toml"
EMBEDDED_TEMPORAL_ADDRESS = "127.0.0.1:7233"
EMBEDDED_UI_PORT = 8233
EMBEDDED_API_URL = "http://127.0.0.1:8080"


class ConfigError(RuntimeError):
    """A server address is missing or unusable; the message says what to set."""


def data_dir() -> Path:
    """Where the embedded stack keeps its data, pids and logs (`DISPUTE_DATA_DIR` overrides)."""
    return Path(settings().data_dir or ROOT / ".data").resolve()


def stack_file() -> Path:
    return data_dir() / "stack.json"


def read_stack() -> dict[str, Any]:
    try:
        return json.loads(stack_file().read_text())
    except FileNotFoundError:
        return {}


def database_url() -> str:
    """`DATABASE_URL`, else the embedded PostgreSQL that `make run` started."""
    url = settings().database_url or read_stack().get("database_url")
    if not url:
        raise ConfigError(
            _(
                "no database: set DATABASE_URL (postgresql://user:pass@host/db) "
                "or start the embedded stack with `make run`"
            )
        )
    return url


def database_source() -> str:
    """Where `database_url()` came from, for messages."""
    if settings().database_url:
        return "DATABASE_URL"
    return _("{path} (the embedded stack of `make run`)").format(path=stack_file())


def uses_external_temporal() -> bool:
    s = settings()
    return bool(s.temporal_address or s.temporal_profile or s.temporal_config_file)


def temporal_connect_config() -> dict[str, Any]:
    """Keyword arguments for `Client.connect`, from envconfig (env vars and profiles)."""
    from temporalio.envconfig import ClientConfig

    config = dict(ClientConfig.load_client_connect_config())
    if not uses_external_temporal():
        config["target_host"] = read_stack().get("temporal_address", EMBEDDED_TEMPORAL_ADDRESS)
    config.setdefault("target_host", EMBEDDED_TEMPORAL_ADDRESS)
    config.setdefault("namespace", "default")
    return config


def reports_dir() -> Path:
    """Where assessments write their CSV, charts and summaries (`DISPUTE_REPORTS_DIR`
    overrides; default `<data dir>/reports`)."""
    override = settings().reports_dir
    return Path(override).resolve() if override else data_dir() / "reports"


def api_url() -> str:
    """Where the CLI finds the API: `DISPUTE_API_URL`, else the embedded stack's."""
    return (settings().api_url or read_stack().get("api_url") or EMBEDDED_API_URL).rstrip("/")


def worker_cache_size() -> int:
    """How many running cases a worker keeps in memory (`DISPUTE_WORKER_CACHE`, default
    5,000: under 1 GiB for the worker, docs/scaling.md): past it, a case woken by its timer
    is replayed from its history first."""
    text = settings().worker_cache
    try:
        size = int(text)
    except ValueError:
        message = _("DISPUTE_WORKER_CACHE={value}: must be a whole number")
        raise ConfigError(message.format(value=repr(text))) from None
    if size < 1:
        message = _("DISPUTE_WORKER_CACHE={value}: must be at least 1")
        raise ConfigError(message.format(value=repr(text)))
    return size


def response_windows(path: Path = DEFAULT_POLICY) -> ResponseWindow:
    """The `[response_window]` of the policy file at `path`."""
    return parse_policy(path.read_text(encoding="utf-8"), source=str(path)).response_window
