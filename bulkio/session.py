"""The HTTP session: urllib3 Retry in an adapter, a default timeout, a User-Agent, and redaction.

Retry policy (resilience lives in the adapter, not in loops):
- connect errors: retried for every method (nothing reached the server);
- 5xx answers: retried for every method (Zoho answered, so it did not apply the write);
- a read timeout or a connection dropped after the request went out: retried only for reads and
  idempotent writes (GET, PUT by id or unique key, DELETE). A POST is never resent: the caller
  gets the error and decides (the client raises OutcomeUnknown).
429 is not retried here: its body code decides (44/1070 slow down, 45 stops), see client.py.
"""

from __future__ import annotations

import re
from typing import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError
from urllib3.util.retry import Retry

from bulkio import __version__

USER_AGENT = f"bulkio/{__version__}"
DEFAULT_TIMEOUT = (10.0, 60.0)  # (connect, read) seconds
RETRY_STATUSES = frozenset({500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
MAX_BODY = 300
REDACTED = "***"
_SECRET_NAME = re.compile(r"token|secret|password|authorization|code|cookie|api[-_]?key", re.I)


class WriteSafeRetry(Retry):
    """urllib3 Retry that also retries a POST answered 5xx, but never one whose reply was lost.

    `allowed_methods` (idempotent ones) governs read errors; a 5xx answer proves the server
    replied, so for status retries POST is treated like the idempotent methods.
    """

    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if method.upper() == "POST" and status_code in (self.status_forcelist or ()):
            method = "PUT"
        return super().is_retry(method, status_code, has_retry_after)


class _TimeoutAdapter(HTTPAdapter):
    """An HTTPAdapter with a default timeout, since requests has none."""

    def __init__(self, *, timeout: tuple[float, float], **kwargs):
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request, timeout=None, **kwargs):  # noqa: D102 - requests' signature
        return super().send(request, timeout=timeout or self.timeout, **kwargs)


def build_retry(attempts: int = 4, backoff_factor: float = 0.5, backoff_jitter: float = 0.5) -> Retry:
    """The Retry policy described in the module docstring; `attempts` retries per kind."""
    return WriteSafeRetry(
        total=attempts,
        connect=attempts,
        read=attempts,
        status=attempts,
        other=0,
        redirect=0,
        allowed_methods=IDEMPOTENT_METHODS,
        status_forcelist=RETRY_STATUSES,
        backoff_factor=backoff_factor,
        backoff_jitter=backoff_jitter,
        backoff_max=30,
        raise_on_status=False,
        respect_retry_after_header=False,  # Zoho documents none; never wait on a header we cannot trust
    )


def build_session(
    *,
    attempts: int = 4,
    backoff_factor: float = 0.5,
    backoff_jitter: float = 0.5,
    timeout: tuple[float, float] = DEFAULT_TIMEOUT,
    pool_size: int = 16,
) -> requests.Session:
    """A requests.Session for Zoho: retrying adapter, default timeout, bulkio User-Agent.

    Tests pass a tiny `backoff_factor` so retries do not really wait.
    """
    session = requests.Session()
    adapter = _TimeoutAdapter(
        timeout=timeout,
        max_retries=build_retry(attempts, backoff_factor, backoff_jitter),
        pool_connections=4,
        pool_maxsize=pool_size,
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def retries_of(response: requests.Response) -> int:
    """How many times urllib3 retried before this answer came."""
    retries = getattr(response.raw, "retries", None)
    return len(retries.history) if retries is not None else 0


def request_was_sent(exc: requests.RequestException) -> bool:
    """False when the error proves the request never reached the server (a failed connect)."""
    if isinstance(exc, requests.ConnectTimeout):
        return False
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    return not isinstance(reason, ConnectTimeoutError)  # NewConnectionError is a subclass


def redact_url(url: str) -> str:
    """The URL with secret-looking query values (token, secret, code, ...) replaced by ***."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    query = [(k, REDACTED if _SECRET_NAME.search(k) else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="*")))


def redact_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """A copy of the headers with Authorization and other secret-looking values replaced."""
    return {k: (REDACTED if _SECRET_NAME.search(k) else v) for k, v in headers.items()}


def scrub(text: str, secrets: Iterable[str], limit: int = MAX_BODY) -> str:
    """Text cut to `limit` characters with every known secret value replaced by ***."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    return text[:limit]
