"""A loopback HTTP server that answers each call with a JSON body given by the test, so the
client's reading code meets Zoho's documented answers over real HTTP (urllib3 included).

Example:
    with CannedZoho() as zoho:
        zoho.answer("GET", "/books/v3/items", 200, {"code": 0, "items": []})
        client = zoho.client()
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bulkio.settings import ConnectionSettings
from bulkio.zoho.client import ZohoClient
from bulkio.zoho.session import build_session

API_ROOT = "/books/v3"
ORG_ID = "10234695"


class CannedZoho:
    """Serves `answer`ed bodies by (method, path); a call nobody answered gets a 404 saying so.
    `calls` holds (method, path, query) of every request, in order."""

    def __init__(self):
        self._answers: dict[tuple[str, str], list[tuple[int, bytes]]] = {}
        self._lock = threading.Lock()
        self.calls: list[tuple[str, str, dict[str, str]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def answer(self, method: str, path: str, status: int, *bodies: Any) -> None:
        """Answer `method` calls of `path` (query ignored) with `status` and the `bodies` as JSON,
        one a call in turn, the last one again once they are used up (pages of a list)."""
        self._answers[(method, path)] = [(status, json.dumps(body).encode()) for body in bodies]

    def client(self) -> ZohoClient:
        """A client of this server's Books API with a fixed access token (no token calls)."""
        settings = ConnectionSettings(
            organization_id=ORG_ID, api_url=self.url + API_ROOT, accounts_url=self.url,
            access_token="1000.canned", rate_per_minute=60_000, max_in_flight=4, daily_limit=100_000,
        )
        return ZohoClient(settings, session=build_session(backoff_factor=0.01, backoff_jitter=0.01))

    def __enter__(self) -> CannedZoho:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, method: str, target: str) -> tuple[int, bytes]:
        """The (status, body) canned for `method` on `target`'s path, noting the call; 404 if none."""
        parts = urlsplit(target)
        with self._lock:
            self.calls.append((method, parts.path, dict(parse_qsl(parts.query))))
            queue = self._answers.get((method, parts.path))
            if not queue:
                unknown = {"code": 5, "message": f"no canned answer for {method} {parts.path}"}
                return 404, json.dumps(unknown).encode()
            return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(zoho: CannedZoho) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            status, body = zoho.reply(self.command, self.path)
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=UTF-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = do_PUT = do_DELETE = _serve

        def log_message(self, *args) -> None:
            pass

    return Handler


def send_answer(handler: BaseHTTPRequestHandler, status: int, kind: str, body: str) -> None:
    """One whole answer from a request handler."""
    payload = body.encode()
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    handler.send_header("Content-Length", str(len(payload)))
    handler.end_headers()
    handler.wfile.write(payload)


@contextmanager
def serving(handler_class, **attributes):
    """A local HTTP server with `handler_class` in a thread, `attributes` set on the server."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    server.daemon_threads = True
    for name, value in attributes.items():
        setattr(server, name, value)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
