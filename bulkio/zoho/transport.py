"""One call to the Zoho API: pacing, OAuth, 429 answers, and the errors a call raises.

Every call goes through the shared Limiter, carries the organization_id and the OAuth header,
and comes back as Zoho's parsed envelope or an ApiError subclass. 429 answers are handled here
because their body code decides: 44 (per minute) tells the limiter, which holds every thread until
the server's window frees and learns its rate, then the call is sent again; 1070 (in flight) is
retried after a backoff with jitter; 45 raises QuotaExhausted. Connect errors, and a read's 5xx
or lost answer, are retried below, in the session.

A write (anything but a read) whose request went out and whose answer settles nothing - a 5xx,
a gateway page or other answer that is not JSON, a read timeout, a dropped connection - raises
OutcomeUnknown: Zoho may have applied it (its documents say nothing either way), so it is never
sent again here; the runner checks Zoho first. A 401 answered to a token minted a moment ago (a
missing scope, no access to the organisation), or a refresh that fails part-way, raises
AuthStopped naming the scopes the module's OpenAPI file lists, and no further token is asked for.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
from urllib3.exceptions import ReadTimeoutError

from bulkio.errors import (
    QUOTA_CODE,
    ApiError,
    AuthStopped,
    OutcomeUnknown,
    ServerError,
    ServerErrorAfterWrite,
    api_error,
)
from bulkio.settings import ConnectionSettings
from bulkio.zoho.answers import answer_reason, json_object, not_json, retry_after, write_maybe_applied, zoho_code
from bulkio.zoho.auth import ZohoAuth
from bulkio.zoho.limiter import Limiter, QuotaInfo
from bulkio.zoho.scopes import grant_advice
from bulkio.zoho.session import build_session, is_read, redact_url, request_was_sent, retries_of, scrub

log = logging.getLogger(__name__)

RATE_RETRIES = 8  # 1070 answers one call may get before it fails
#: a call refused per minute (44) for longer than this fails: three of Zoho's windows, so only
#: something else spending the organisation's calls can keep it out that long
RATE_WAIT_MAX = 180.0
CONCURRENCY_CODE = 1070
BACKOFF_BASE = 0.5
BACKOFF_MAX = 30.0


@dataclass
class ClientStats:
    """Counts of what the client did; safe to update from many threads."""

    reads: int = 0
    writes: int = 0
    retries: int = 0
    token_refreshes: int = 0
    rate_limited: Counter = field(default_factory=Counter)  # Zoho code -> 429 answers
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, name: str, n: int = 1) -> None:
        """Add `n` to the counter `name` (reads, writes, retries, token_refreshes)."""
        with self._lock:
            setattr(self, name, getattr(self, name) + n)

    def count_429(self, code: int | None) -> None:
        """Count one 429 answer under its Zoho code."""
        with self._lock:
            self.rate_limited[code] += 1

    @property
    def calls(self) -> int:
        """Calls made to the API (not counting urllib3's retries or token calls)."""
        return self.reads + self.writes


class ZohoTransport:
    """Calls to the Zoho API, each paced, authorised and read into an envelope or an error.
    Thread-safe: a run's workers share one (as a `ZohoClient`, which adds the module
    operations). Collaborators can be injected: `session`, `limiter`, `auth`, `sleep`."""

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        session: requests.Session | None = None,
        limiter: Limiter | None = None,
        auth: ZohoAuth | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rate_retries: int = RATE_RETRIES,
        backoff_base: float = BACKOFF_BASE,
    ):
        self.settings = settings
        self.stats = ClientStats()
        self._session = session or build_session(timeout=settings.timeout)
        self._limiter = limiter or Limiter(settings.rate_per_minute, settings.max_in_flight, settings.daily_limit)
        self._auth = auth or ZohoAuth.from_settings(
            settings, session=self._session, on_refresh=lambda: self.stats.add("token_refreshes")
        )
        self._sleep = sleep
        self._rate_retries = rate_retries
        self._backoff_base = backoff_base

    @property
    def quota(self) -> QuotaInfo | None:
        """The daily budget left, from Zoho's headers when it sent them, else from --daily-limit."""
        return self._limiter.quota

    @property
    def limiter(self) -> Limiter:
        """The limiter every call of this client passes through."""
        return self._limiter

    @property
    def auth(self) -> ZohoAuth:
        """The OAuth side that authorises every call of this client (its tokens, refreshes)."""
        return self._auth

    # --- one call ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """One API call with pacing, auth, 429 handling; returns (HTTP status, envelope)."""
        url = self.settings.api_url + path
        params = {**(params or {}), "organization_id": self.settings.organization_id}
        self.stats.add("reads" if method == "GET" else "writes")
        rate_attempts = 0
        refused_since: float | None = None
        refreshed = False
        while True:
            try:
                response, ticket = self._send(method, url, params=params, json=json, headers=headers)
                if response.status_code == 401 and not refreshed:
                    refreshed = True
                    if self._auth.after_401(response.request):
                        self.stats.add("retries")
                        continue
            except AuthStopped as exc:  # the token call failed part-way, or access was lost before
                raise self._advised(exc, path) from None
            body = json_object(response)  # parsed once: the envelope and the write's verdict share it
            envelope = self._envelope(response, body)
            if response.status_code == 401 and self._auth.refreshable:
                raise self._refused(method, url, path, response, envelope)
            self._auth.worked(response.request)
            if response.status_code == 429:
                refused_since = refused_since or time.monotonic()
                self._on_429(response, envelope, ticket, rate_attempts, time.monotonic() - refused_since)
                rate_attempts += 1
                self.stats.add("retries")
                continue
            if self._limiter.succeeded(ticket):
                log.info("Zoho's per-minute window is full: pacing at %.0f calls per minute", self._limiter.rate)
            if not is_read(method) and write_maybe_applied(response.status_code, body):
                raise self._answered_unsettled(method, url, response, envelope, body)
            if response.status_code >= 400 or envelope.get("code", 0) != 0:
                raise self._error(response, envelope)
            return response.status_code, envelope

    def _send(self, method, url, **kwargs) -> tuple[requests.Response, int]:
        with self._limiter.slot() as ticket:
            started = time.monotonic()
            timeout = self._timeout(method)
            try:
                response = self._session.request(method, url, auth=self._auth, timeout=timeout, **kwargs)
            except requests.RequestException as exc:
                raise self._no_answer(method, url, exc, timeout[1]) from None
        self._limiter.observe(response.headers)
        retried = retries_of(response)
        if retried:
            self.stats.add("retries", retried)
        log.debug(
            "%s %s -> %s (%.2f s, %d retries)",
            method, redact_url(response.url), response.status_code, time.monotonic() - started, retried,
        )
        return response, ticket

    def _on_429(self, response, envelope, ticket: int, attempt: int, refused_for: float) -> None:
        code = envelope.get("code")
        self.stats.count_429(code)
        if code == QUOTA_CODE:
            self._limiter.exhaust()
            raise self._error(response, envelope)
        if code == CONCURRENCY_CODE:
            if attempt >= self._rate_retries:
                raise self._error(response, envelope)
            delay = min(BACKOFF_MAX, self._backoff_base * 2**attempt)
            self._sleep(delay * random.uniform(0.5, 1.5))  # jitter keeps threads from retrying in step
            return
        # per minute (44, or a 429 without a code): no sleep here, the limiter holds the next send
        # until the window can take it; a backoff on top would only leave the window unused
        if refused_for > RATE_WAIT_MAX:
            raise self._error(response, envelope)
        if self._limiter.slowed_down(ticket, retry_after(response)):
            log.debug("Zoho answered 429 (code %s): one probe at a time until its window frees", code)

    def _envelope(self, response: requests.Response, body: dict | None) -> dict[str, Any]:
        """Zoho's envelope from the answer's JSON object `body`; for an answer that is not one
        (None), an envelope without a code whose message is the page's text, scrubbed."""
        if body is not None:
            if "code" in body:
                body["code"] = zoho_code(body["code"])
            return body
        # scrubbed before and after: unescaping the page's entities could spell a secret
        secrets = self._secrets()
        return {"code": None, "message": scrub(not_json(scrub(response.text or "", secrets, limit=4000)), secrets)}

    def _error(self, response: requests.Response, envelope: Mapping[str, Any]) -> ApiError:
        message = scrub(str(envelope.get("message") or response.reason or ""), self._secrets())
        return api_error(response.status_code, envelope.get("code"), message)

    def _timeout(self, method: str) -> tuple[float, float]:
        """(connect, read) seconds: a write waits a little longer, once, for its answer."""
        connect, read = self.settings.timeout
        return (connect, read) if is_read(method) else (connect, max(read, self.settings.write_timeout))

    def _no_answer(self, method: str, url: str, exc: requests.RequestException, read_timeout: float) -> Exception:
        where = self._where(url)
        sent = request_was_sent(exc)
        if sent:
            reason = (f"no answer from Zoho within {read_timeout:g} s" if _timed_out(exc)
                      else "the connection was dropped before Zoho answered")
        else:
            reason = f"bulkio could not connect to {self.settings.api_url}"
        if not is_read(method) and sent:
            return self._outcome_unknown(method, url, reason)
        again = " (asked twice)" if sent else ""
        return ServerError(0, None, f"{method} {where}: {reason}{again}; check the network and --api-url / "
                                    "--region, then run the same command again.")

    def _outcome_unknown(self, method: str, url: str, reason: str) -> OutcomeUnknown:
        return OutcomeUnknown(
            f"{method} {self._where(url)}: {reason}; Zoho may or may not have applied it, so it is "
            "not sent again before Zoho is checked for the record.", reason)

    def _answered_unsettled(self, method: str, url: str, response, envelope, body) -> OutcomeUnknown:
        """A write's answer that leaves open whether Zoho applied it; a 5xx keeps Zoho's words."""
        reason = answer_reason(response, body)
        if response.status_code < 500:
            return self._outcome_unknown(method, url, reason)
        said = self._error(response, envelope)
        return ServerErrorAfterWrite(said.status, said.code, said.message, reason)

    def _refused(self, method: str, url: str, path: str, response, envelope) -> AuthStopped:
        """Zoho refused a token minted a moment ago: its grant lacks a scope, or its user has
        no access to the organisation. No further token can help, so none is asked for."""
        said = self._error(response, envelope)
        error = AuthStopped(401, said.code, (
            f"Zoho refused {method} {self._where(url)} with an access token bulkio had just received "
            f"({said.message or 'not authorized'}): the grant lacks a scope this call needs, or its user "
            f"has no access to organisation {self.settings.organization_id}. {grant_advice(path)}."))
        self._auth.stop(error)
        return error

    def _advised(self, exc: AuthStopped, path: str) -> AuthStopped:
        """An AuthStopped from the token side, with what to do for this module's calls; one
        that already says it (kept by the auth after `_refused`) is raised as it is."""
        if "grant code" in exc.message:
            return exc
        return AuthStopped(exc.status, exc.code, f"{exc.message} {grant_advice(path)}.")

    def _where(self, url: str) -> str:
        return redact_url(url).removeprefix(self.settings.api_url)

    def _secrets(self) -> tuple[str, ...]:
        return self.settings.secrets() + self._auth.secrets()


def _timed_out(exc: requests.RequestException) -> bool:
    """Whether the error is a read that waited its whole timeout (urllib3 wraps it in
    requests.ConnectionError when a retry gave up on it)."""
    if isinstance(exc, requests.Timeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, ReadTimeoutError)
