"""Prometheus metrics of delivery, and the ports the processes expose them on.

    worker.py                 DISPUTE_WORKER_METRICS_PORT      default 9464  (Temporal SDK metrics)
    python -m notify.dispatcher DISPUTE_DISPATCHER_METRICS_PORT default 9465  (the figures below)

Set a port to `off` to expose nothing. A port already taken (another stack on the machine) is
logged and skipped: metrics are never a reason for a process not to run.
"""

from __future__ import annotations

import socket

import structlog
from prometheus_client import Counter, Gauge, start_http_server
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from runtime.settings import value_of

log = structlog.get_logger(__name__)

WORKER_PORT_ENV, WORKER_PORT = "DISPUTE_WORKER_METRICS_PORT", 9464
DISPATCHER_PORT_ENV, DISPATCHER_PORT = "DISPUTE_DISPATCHER_METRICS_PORT", 9465

SENT = Counter("dispute_notifications_sent", "Notifications delivered", ["channel"])
FAILED = Counter("dispute_notifications_failed", "Failed delivery attempts", ["channel"])
DEAD = Counter("dispute_notifications_dead", "Notifications marked dead by this process")
PENDING = Gauge("dispute_notifications_pending", "Notifications waiting for delivery")
DEAD_NOW = Gauge("dispute_notifications_dead_now", "Dead notifications not re-queued")
OLDEST = Gauge(
    "dispute_notifications_oldest_pending_age_seconds",
    "Age of the oldest notification still waiting (0 when none)",
)


def port(env_name: str, default: int) -> int | None:
    """The configured port, None for `off`."""
    value = str(value_of(env_name)).strip().lower()
    if value in ("off", "none", "", "0"):
        return None
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{env_name}={value!r}: expected a port number or 'off'") from None


def serve(env_name: str, default: int) -> int | None:
    """Start the /metrics endpoint of this process; the port, or None when off or taken."""
    chosen = port(env_name, default)
    if chosen is None:
        return None
    try:
        start_http_server(chosen, addr="127.0.0.1")
    except OSError as err:
        log.warning("metrics not exposed", port=chosen, error=str(err), setting=env_name)
        return None
    log.info("metrics exposed", url=f"http://127.0.0.1:{chosen}/metrics")
    return chosen


def _port_free(chosen: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", chosen))
        except OSError:
            return False
    return True


def temporal_runtime() -> Runtime | None:
    """A Temporal runtime exposing the SDK's metrics (workflow/activity task latencies, polls,
    failures) on DISPUTE_WORKER_METRICS_PORT; None when that is off or the port is taken."""
    chosen = port(WORKER_PORT_ENV, WORKER_PORT)
    if chosen is None:
        return None
    if not _port_free(chosen):
        log.warning("worker metrics not exposed: port taken", port=chosen, setting=WORKER_PORT_ENV)
        return None
    log.info("metrics exposed", url=f"http://127.0.0.1:{chosen}/metrics")
    prometheus = PrometheusConfig(bind_address=f"127.0.0.1:{chosen}")
    return Runtime(telemetry=TelemetryConfig(metrics=prometheus))
