"""A variant front: a small HTTP server before the sandbox that passes each call on, with
answers rewritten or replaced, for the tests of bulkio against a Zoho that answers otherwise."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.client import HTTPConnection
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from e2e_support import (
    sandbox_env,
)

from bulkio.settings import ConnectionSettings
from bulkio.zoho.client import ZohoClient
from bulkio.zoho.session import build_session

# ---------------------------------------------------------------------------------------------
# The variant front: the sandbox's handler, with answers rewritten or replaced


@dataclass
class Canned:
    """A raw answer sent instead of the sandbox's, `times` times, to calls that match."""

    method: str
    path_part: str
    status: int
    body: bytes = b""
    content_type: str = "application/json;charset=UTF-8"
    headers: dict = field(default_factory=dict)
    times: int = 1
    when: Callable[[Any], bool] | None = None  # handler -> bool, e.g. by a request header


Hook = Callable[[str, str, int, dict], tuple[int, dict]]  # (method, path, status, answer)


class Variant:
    """What the front changes: canned answers first, then a query rewrite, then answer hooks."""

    def __init__(self):
        self.canned: list[Canned] = []
        self.hooks: list[Hook] = []
        self.query_hook: Callable[[dict], dict] | None = None
        self.served: list[tuple[str, str, int]] = []  # (method, path, status) of canned answers
        self._lock = threading.Lock()

    def take(self, handler, method: str, path: str) -> Canned | None:
        with self._lock:
            for canned in self.canned:
                if (canned.times > 0 and canned.method == method and canned.path_part in path
                        and (canned.when is None or canned.when(handler))):
                    canned.times -= 1
                    self.served.append((method, path, canned.status))
                    return canned
        return None


class VariantHandler(BaseHTTPRequestHandler):
    """A front over the sandbox's HTTP API: canned answers, or the call passed on (its query
    rewritten) and the sandbox's JSON answer rewritten by the hooks."""

    protocol_version = "HTTP/1.1"

    def _serve(self):
        variant: Variant = self.server.variant
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        canned = variant.take(self, self.command, url.path)
        if canned is not None:
            self._answer(canned.status, canned.content_type, canned.body, canned.headers)
            return
        if variant.query_hook is not None:
            query = variant.query_hook(dict(parse_qsl(url.query, keep_blank_values=True)))
            url = url._replace(query=urlencode(query))
        try:
            status, headers, answer = self._pass_on(urlunsplit(url._replace(scheme="", netloc="")), body)
        except OSError:  # the sandbox dropped the call (a lost reply): so does the front
            self.close_connection = True
            return
        kind = headers.pop("Content-Type", "application/json;charset=UTF-8")
        if kind.startswith("application/json") and variant.hooks:
            status, answer = self._rewrite(url.path, status, json.loads(answer))
        self._answer(status, kind, answer, headers)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def _pass_on(self, target: str, body: bytes) -> tuple[int, dict, bytes]:
        """The sandbox's (status, headers, body) for this call, over its HTTP API."""
        upstream = HTTPConnection(self.server.upstream, timeout=30)
        try:
            sent = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_HEADERS}
            upstream.request(self.command, target, body=body or None, headers=sent)
            reply = upstream.getresponse()
            kept = {k: v for k, v in reply.getheaders() if k.lower() not in _HOP_HEADERS}
            return reply.status, kept, reply.read()
        finally:
            upstream.close()

    def _rewrite(self, path: str, status: int, answer: dict) -> tuple[int, bytes]:
        for hook in self.server.variant.hooks:
            status, answer = hook(self.command, path, status, copy.deepcopy(answer))
        return status, json.dumps(answer).encode("utf-8")

    def _answer(self, status: int, kind: str, body: bytes, headers: dict) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


#: Headers of one hop that the front sets for itself rather than pass on.
_HOP_HEADERS = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "server", "date"}


@dataclass
class Front:
    sandbox: Any
    variant: Variant
    base_url: str

    @property
    def api_url(self) -> str:
        return self.base_url + "/books/v3"

    def env(self, home) -> dict:
        env = sandbox_env(self.sandbox, home)
        env.update({"ZOHO_API_URL": self.api_url, "ZOHO_ACCOUNTS_URL": self.base_url})
        return env

    def client(self, **kwargs) -> ZohoClient:
        """A client through the front, with backoffs short enough that tests never wait long."""
        sandbox = self.sandbox
        settings = ConnectionSettings(
            organization_id=sandbox.org_id, api_url=self.api_url, accounts_url=self.base_url,
            client_id=sandbox.client_id, client_secret=sandbox.client_secret,
            refresh_token=sandbox.refresh_token, rate_per_minute=60_000, max_in_flight=5,
            daily_limit=None,
        )
        kwargs.setdefault("session", build_session(backoff_factor=0.01, backoff_jitter=0.01))
        kwargs.setdefault("backoff_base", 0.01)
        return ZohoClient(settings, **kwargs)
