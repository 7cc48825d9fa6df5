"""Every environment variable the engine reads, declared once (`pydantic-settings`).

`settings()` reads the process's environment; `settings_of(mapping)` reads a given mapping
only (tests, or a process handed its environment). Values that need a message of their own
when wrong (a cache size, a duration, a key) are kept as text here and parsed, with that
message, by the module that uses them. docs/settings.md is generated from this class
(`python -m runtime.settings > docs/settings.md`) and a test keeps the two equal.

The Temporal client's own variables (`TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
`TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE`, `TEMPORAL_CONFIG_FILE`) are read by
`temporalio.envconfig`; they are declared here so that they are documented in one place.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def _env(name: str, description: str, default=None, area: str = "") -> object:
    return Field(
        default,
        validation_alias=AliasChoices(name),
        description=description,
        json_schema_extra={"env": name, "area": area},
    )


class Settings(BaseSettings):
    """The engine's settings; every field is one environment variable."""

    model_config = SettingsConfigDict(case_sensitive=True, extra="ignore", frozen=True)

    # -- where the servers are ------------------------------------------------------------
    data_dir: str | None = _env(
        "DISPUTE_DATA_DIR",
        "where `make run` keeps data, pids and logs (default `.data/`)",
        area="stack",
    )
    database_url: str | None = _env(
        "DATABASE_URL",
        "your PostgreSQL (`postgresql://user:pass@host/db`); default: the embedded one `make run` started",
        area="stack",
    )
    temporal_address: str | None = _env(
        "TEMPORAL_ADDRESS",
        "your Temporal frontend (`host:7233`, or Temporal Cloud's); default: the embedded dev server",
        area="temporal",
    )
    temporal_namespace: str | None = _env(
        "TEMPORAL_NAMESPACE", "the Temporal namespace (default `default`)", area="temporal"
    )
    temporal_api_key: str | None = _env(
        "TEMPORAL_API_KEY", "an API key for Temporal Cloud", area="temporal"
    )
    temporal_tls: str | None = _env(
        "TEMPORAL_TLS",
        "`true` for TLS to Temporal; `TEMPORAL_TLS_CLIENT_CERT_PATH`, `TEMPORAL_TLS_CLIENT_KEY_PATH`, `TEMPORAL_TLS_SERVER_CA_CERT_PATH` for mTLS (read by temporalio.envconfig)",
        area="temporal",
    )
    temporal_profile: str | None = _env(
        "TEMPORAL_PROFILE", "a profile of a Temporal client TOML file", area="temporal"
    )
    temporal_config_file: str | None = _env(
        "TEMPORAL_CONFIG_FILE",
        "the Temporal client TOML file holding the profiles",
        area="temporal",
    )
    # -- the worker -----------------------------------------------------------------------
    worker_cache: str = _env(
        "DISPUTE_WORKER_CACHE",
        "how many running cases a worker keeps in memory (whole number ≥ 1); ~150 KiB each, see docs/scaling.md",
        "5000",
        area="worker",
    )
    worker_metrics_port: str = _env(
        "DISPUTE_WORKER_METRICS_PORT",
        "the worker's Prometheus port (`0` or `off`: none)",
        "9464",
        area="worker",
    )
    reports_dir: str | None = _env(
        "DISPUTE_REPORTS_DIR",
        "where assessments write their files (default `<data dir>/reports`)",
        area="worker",
    )
    # -- payload encryption ---------------------------------------------------------------
    payload_keys: str | None = _env(
        "DISPUTE_PAYLOAD_KEYS",
        "the payload keys inline (`key-id:base64`, one a line; the first encrypts), instead of a key file",
        area="codec",
    )
    payload_key_file: str | None = _env(
        "DISPUTE_PAYLOAD_KEY_FILE",
        "the payload key file (default `<data dir>/keys/payload.keys`)",
        area="codec",
    )
    codec_sign_in: str = _env(
        "DISPUTE_CODEC_SIGN_IN",
        "`api` (default): a person's token, and only their cases decode; `none`: anyone reaching "
        "the port (a single-user machine only)",
        "api",
        area="codec",
    )
    codec_token: str | None = _env(
        "DISPUTE_CODEC_TOKEN", "a shared token the codec server accepts", area="codec"
    )
    codec_origins: str = _env(
        "DISPUTE_CODEC_ORIGINS",
        "extra browser origins allowed to call the codec server, comma-separated",
        "",
        area="codec",
    )
    accept_plaintext: str = _env(
        "DISPUTE_ACCEPT_PLAINTEXT",
        "`1` lets a worker open plaintext payloads again (cases started before encryption); "
        "otherwise it refuses them",
        "",
        area="worker",
    )
    # -- who acts (runtime/actor_assertion.py) --------------------------------------------
    actor_key: str | None = _env(
        "DISPUTE_ACTOR_KEY",
        "the actor key inline (base64 of 32 bytes): the API signs who acts, the workers check",
        area="api",
    )
    actor_key_file: str | None = _env(
        "DISPUTE_ACTOR_KEY_FILE", "the actor key file (default `<data dir>/keys/actor.key`)",
        area="api",
    )  # fmt: skip
    api_origins: str = _env(
        "DISPUTE_API_ORIGINS",
        "the page's public origins behind a proxy that rewrites the host, comma-separated "
        "(cross-site forms are refused)",
        "",
        area="api",
    )
    # -- the API and the command line -----------------------------------------------------
    api_host: str = _env("DISPUTE_API_HOST", "the API's listening address", "127.0.0.1", area="api")
    api_port: int = _env("DISPUTE_API_PORT", "the API's port", 8080, area="api")
    api_rate: float = _env(
        "DISPUTE_API_RATE", "actions a second per person (token bucket)", 10.0, area="api"
    )
    api_burst: float = _env("DISPUTE_API_BURST", "a person's burst of actions", 40.0, area="api")
    cookie_secure: str = _env(
        "DISPUTE_COOKIE_SECURE",
        "`0` lets the page's cookie travel over plain HTTP (local use only)",
        "1",
        area="api",
    )
    api_url: str | None = _env(
        "DISPUTE_API_URL",
        "where the command line finds the API (default: the embedded stack's)",
        area="cli",
    )
    token: str | None = _env(
        "DISPUTE_TOKEN", "the command line's token, instead of `--token-file`", area="cli"
    )
    lang: str | None = _env(
        "DISPUTE_LANG",
        "`zh` (default) or `en`: the language of every text for people (read by `texts`)",
        area="all",
    )
    # -- notifications --------------------------------------------------------------------
    channels_file: str | None = _env(
        "DISPUTE_CHANNELS_FILE", "channels and routes (see channels.example.toml)", area="notify"
    )
    webhook_url: str | None = _env(
        "DISPUTE_WEBHOOK_URL", "a channel named `webhook` and a last catch-all route", area="notify"
    )
    web_url: str | None = _env(
        "DISPUTE_WEB_URL", "the page's address, for links in messages", area="notify"
    )
    notify_retry_base: str = _env(
        "DISPUTE_NOTIFY_RETRY_BASE", "first back-off after a failed send", "5s", area="notify"
    )
    notify_retry_max: str = _env(
        "DISPUTE_NOTIFY_RETRY_MAX", "longest back-off", "10m", area="notify"
    )
    notify_dead_after: str = _env(
        "DISPUTE_NOTIFY_DEAD_AFTER",
        "a notification still undelivered after this is dead",
        "1d",
        area="notify",
    )
    notify_poll: str = _env(
        "DISPUTE_NOTIFY_POLL", "how often the dispatcher looks for due rows", "1s", area="notify"
    )
    notify_timeout: str = _env(
        "DISPUTE_NOTIFY_TIMEOUT", "one send's time limit", "10s", area="notify"
    )
    utc_offset_hours: str | None = _env(
        "DISPUTE_UTC_OFFSET_HOURS",
        "the local time of messages, hours from UTC (default 8)",
        area="notify",
    )
    dispatcher_metrics_port: str = _env(
        "DISPUTE_DISPATCHER_METRICS_PORT",
        "the dispatcher's Prometheus port (`0` or `off`: none)",
        "9465",
        area="notify",
    )


#: Every variable's name, as the environment spells it.
NAMES: frozenset[str] = frozenset(
    f.json_schema_extra["env"]  # type: ignore[index]
    for f in Settings.model_fields.values()
)


#: The field that holds each variable.
FIELD_OF: dict[str, str] = {
    f.json_schema_extra["env"]: name  # type: ignore[index]
    for name, f in Settings.model_fields.items()
}


def value_of(name: str) -> object:
    """The value of the variable `name` in this process's environment (or its default)."""
    return getattr(settings(), FIELD_OF[name])


def settings() -> Settings:
    """The settings of this process's environment, read now (tests change the environment)."""
    return Settings()


class _GivenOnly(Settings):
    """Settings read from the values given, never from the process's environment."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, **sources):  # type: ignore[override]
        return (init_settings,)


def settings_of(env: Mapping[str, str]) -> Settings:
    """The settings a mapping holds, ignoring the process's environment."""
    return _GivenOnly(**{k: v for k, v in env.items() if k in NAMES})


def table() -> str:
    """docs/settings.md: one row per variable."""
    lines = [
        "# Settings",
        "",
        "Every environment variable the engine reads, generated from `runtime/settings.py`",
        "(`python -m runtime.settings > docs/settings.md`; a test keeps them equal).",
        "",
        "| variable | area | default | what it sets |",
        "| --- | --- | --- | --- |",
    ]
    for field in Settings.model_fields.values():
        extra = field.json_schema_extra
        assert isinstance(extra, dict)
        default = "" if field.default in (None, "") else f"`{field.default}`"
        lines.append(f"| `{extra['env']}` | {extra['area']} | {default} | {field.description} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(table())
