"""A real HTTP receiver on 127.0.0.1 for delivery tests and the benchmark (stdlib http.server).

It records every request it answers (arrival time, headers, JSON body); `status` sets what it
answers; `stop()` closes the port (a channel that is down) and `start()` opens it again on the
same port.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    at: float  # time.time() on arrival
    path: str
    headers: dict[str, str]
    body: Any


@dataclass
class Receiver:
    port: int = 0
    status: int = 200
    answer: dict[str, Any] = field(default_factory=lambda: {"errcode": 0, "errmsg": "ok"})
    #: Seconds to wait before answering (the request is already recorded).
    hold_s: float = 0.0
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body: Any = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                with receiver._lock:
                    receiver.received.append(
                        Received(time.time(), self.path, dict(self.headers), body)
                    )
                if receiver.hold_s:
                    time.sleep(receiver.hold_s)
                out = json.dumps(receiver.answer).encode()
                self.send_response(receiver.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_POST = do_GET = _handle

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            allow_reuse_address = True
            # The default backlog (5) drops connections a dispatcher opens in a burst; the
            # client's SYN retries then show up as seconds of false latency.
            request_queue_size = 256

        self._server = Server(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def bodies(self) -> list[Any]:
        with self._lock:
            return [r.body for r in self.received]


if __name__ == "__main__":  # a receiver to watch by hand: python -m tests.notify.receiver 18099
    import sys

    receiver = Receiver(port=int(sys.argv[1]) if len(sys.argv) > 1 else 18099).start()
    print(f"listening on {receiver.url}", flush=True)
    shown = 0
    while True:
        time.sleep(0.3)
        for item in list(receiver.received)[shown:]:
            print(json.dumps(item.body, ensure_ascii=False), flush=True)
            shown += 1
