"""Serve the API and the web page with uvicorn: `python -m api.serve [--host H] [--port P]`.

Several instances may run (each on its own port, behind a load balancer): they share
nothing but Temporal and PostgreSQL. `DISPUTE_API_HOST` / `DISPUTE_API_PORT` set the
defaults (127.0.0.1:8080).
"""

from __future__ import annotations

import argparse

import uvicorn

from api.app import create_app
from runtime import logging as logsetup
from runtime.settings import settings

DEFAULT_HOST = settings().api_host
DEFAULT_PORT = settings().api_port


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m api.serve", description=__doc__.split("\n")[0])
    p.add_argument("--host", default=DEFAULT_HOST)
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    args = p.parse_args(argv)
    logsetup.configure()
    # Behind a TLS-terminating proxy, forwarded headers tell uvicorn the scheme (for cookies).
    uvicorn.run(
        create_app(), host=args.host, port=args.port, proxy_headers=True, log_level="warning"
    )


if __name__ == "__main__":
    main()
