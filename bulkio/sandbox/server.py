"""The HTTP face of the sandbox: parses a request, checks the token, the organization and the
limits, injects latency and faults, and hands the call to the routes."""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import errors, scopes
from .errors import ZohoError

log = logging.getLogger("bulkio.sandbox")

API_PREFIXES = {"/books/v3": "books", "/inventory/v1": "inventory"}
TOKEN_PATH = "/oauth/v2/token"
WRITE_METHODS = ("POST", "PUT", "DELETE")
_INVALID = object()  # a body that is not JSON
GATEWAY_PAGE = ("<html><head><title>504 Gateway Time-out</title></head><body><center>"
                "<h1>504 Gateway Time-out</h1></center><hr><center>ZGS</center></body></html>")


class SandboxServer(ThreadingHTTPServer):
    """A threading server that knows its sandbox (`self.sandbox`)."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, sandbox):
        self.sandbox = sandbox
        super().__init__(address, Handler)


class Handler(BaseHTTPRequestHandler):
    """One connection; HTTP/1.1 keep-alive like Zoho's front end."""

    protocol_version = "HTTP/1.1"
    server_version = "ZohoBooksSandbox/1"
    disable_nagle_algorithm = True  # headers and body go out in two writes; Nagle would hold the second

    def setup(self):
        super().setup()
        # Headers and body leave in separate writes: without NODELAY, Nagle and delayed ACKs
        # would add ~40 ms to every call.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_PUT(self):
        self._dispatch()

    def do_DELETE(self):
        self._dispatch()

    def do_PATCH(self):
        self._dispatch()

    def log_message(self, format, *args):
        # Request lines carry no secrets (tokens travel in headers), but keep the console quiet.
        log.debug("%s - %s", self.address_string(), format % args)

    # --- flow ----------------------------------------------------------------------------------

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        raw = self._read_body()
        if url.path.rstrip("/") == TOKEN_PATH:
            self._token(sandbox, query, raw)
            return
        prefix = next((p for p in API_PREFIXES if url.path == p or url.path.startswith(p + "/")), None)
        segments = [s for s in url.path[len(prefix or ""):].split("/") if s]
        body = self._parse_body(raw, query)
        sandbox.stats.record_request(
            self.command, url.path, segments[0] if segments else "", query, dict(self.headers),
            None if body is _INVALID else body,
        )
        if prefix is None:
            self._send_error(errors.bad_url(), {})
            return
        try:
            org = self._authorize(sandbox, query, segments)
        except ZohoError as exc:
            self._send_error(exc, {})
            return
        if org is None:  # GET /organizations answers without an organization
            self._send(200, {"code": 0, "message": "success", "organizations": sandbox.organizations()}, {})
            return
        self._limited_call(sandbox, org, segments, query, body)

    def _authorize(self, sandbox, query: dict, segments: list[str]) -> str | None:
        granted = sandbox.tokens.scopes(self.headers.get("Authorization"))
        if granted is None:
            raise errors.not_authorized()
        needed = scopes.required(self.command, segments)
        if needed is not None and needed not in granted:
            # rule: SCOPE-MISMATCH-401
            raise errors.not_authorized()
        if segments == ["organizations"] and self.command == "GET":
            return None
        org = query.get("organization_id")
        if not org:
            raise errors.org_missing()
        if org not in sandbox.config.orgs:
            raise errors.org_unknown(org)
        return org

    def _limited_call(self, sandbox, org: str, segments, query, body) -> None:
        config = sandbox.config
        limits = sandbox.limits[org]
        try:
            limits.acquire(config.rate_limit, config.rate_window_s, config.max_concurrent, config.daily_limit)
        except ZohoError as exc:
            self._send_error(exc, limits.headers(config.daily_limit))
            return
        try:
            if config.latency_ms:
                time.sleep(config.latency_ms / 1000.0)
            fault = sandbox.draw_fault() if self.command in WRITE_METHODS else None
            if fault == "fail":
                sandbox.stats.bump("failed_injected")
                self._send_error(errors.internal(), limits.headers(config.daily_limit))
                return
            if fault == "swallow":
                sandbox.stats.bump("swallowed")
                time.sleep(config.swallow_hold_ms / 1000.0)
                self._drop_connection()
                return
            if config.apply_delay_ms and self.command in WRITE_METHODS:
                sandbox.stats.bump("delayed_applies")
                time.sleep(config.apply_delay_ms / 1000.0)
            status, answer, applied = self._route(sandbox, org, segments, query, body)
            if applied:
                sandbox.stats.bump("writes_applied")
            if fault == "lost":
                sandbox.stats.bump("lost_replies")
                self._drop_connection()
                return
            if fault == "gateway":
                sandbox.stats.bump("applied_errors")
                self._send_page(504, GATEWAY_PAGE)
                return
            self._send(status, answer, limits.headers(config.daily_limit))
        finally:
            limits.release()

    def _route(self, sandbox, org, segments, query, body):
        try:
            return sandbox.api.handle(org, self.command, segments, query, dict(self.headers), body)
        except ZohoError as exc:
            return exc.status, exc.body(), False
        except Exception:  # a sandbox bug must look like Zoho's 500, not a dropped socket
            log.exception("sandbox failed on %s %s", self.command, self.path.split("?")[0])
            return 500, errors.internal().body(), False

    def _token(self, sandbox, query: dict, raw: bytes) -> None:
        params = dict(query)
        if raw:
            params.update({k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()})
        config = sandbox.config
        status, answer = sandbox.tokens.grant(params, config.token_ttl_s, sandbox.base_url,
                                              config.token_mint_limit, config.token_mint_window_s,
                                              config.refresh_token_uses)
        if "access_token" in answer:
            sandbox.stats.bump("tokens_issued")
        self._send(status, answer, {}, count=False)

    # --- bytes in and out ----------------------------------------------------------------------

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _parse_body(self, raw: bytes, query: dict):
        """JSON, or the older form `JSONString=<json>` (in the body or the query string)."""
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        text = None
        if raw and content_type == "application/x-www-form-urlencoded":
            form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
            text = form.get("JSONString")
            if text is None:
                return _INVALID
        elif raw:
            text = raw.decode("utf-8", "replace")
        elif "JSONString" in query:
            text = query["JSONString"]
        if text is None:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return _INVALID

    def _send_page(self, status: int, page: str) -> None:
        """An HTML page as a gateway in front of the API answers when it gives up waiting."""
        payload = page.encode("utf-8")
        self.server.sandbox.stats.record_answer(status, None)
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=UTF-8")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except OSError:  # the client gave up first
            self.close_connection = True

    def _send_error(self, exc: ZohoError, headers: dict) -> None:
        self._send(exc.status, exc.body(), headers)

    def _send(self, status: int, answer: dict, headers: dict, count: bool = True) -> None:
        payload = json.dumps(answer).encode("utf-8")
        if count:
            self.server.sandbox.stats.record_answer(status, answer.get("code"))
        self.send_response(status)
        self.send_header("Content-Type", "application/json;charset=UTF-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(payload)
        except OSError:  # the client gave up waiting (a read timeout): nothing to answer
            self.close_connection = True

    def _drop_connection(self) -> None:
        """Close the socket without a byte of answer: the client sees the connection end."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def exposure_warning(host: str) -> str | None:
    """A warning when `host` makes the sandbox reachable beyond this machine, else None."""
    if _loopback(host):
        return None
    return (f"Warning: the sandbox listens on {host or 'every address'}, beyond this machine: other "
            "machines on the network can reach it, its credentials (printed below) and its data. "
            "Use --host 127.0.0.1 unless that is what you want.")


def _loopback(host: str) -> bool:
    """Whether every address `host` names is a loopback one ("" and 0.0.0.0 are every address)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    if not host:
        return False
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in found)
