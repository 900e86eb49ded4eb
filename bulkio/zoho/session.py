"""The HTTP session: urllib3 Retry in an adapter, a default timeout, a User-Agent, and redaction.

Retry policy (resilience lives in the adapter, not in loops):
- connect errors: retried for every method (nothing reached the server);
- reads (GET, HEAD, OPTIONS): a 5xx answer is retried, and so is a read timeout or a dropped
  connection, once (a server that accepts and never answers costs two read timeouts, no more);
- writes (POST, PUT, DELETE, anything else): never resent once the request went out. A 5xx, a
  gateway page, a read timeout or a dropped connection may come after Zoho applied the write
  (Zoho's documents say nothing either way), so the client raises OutcomeUnknown and the runner
  checks Zoho before anything is sent again.
429 is not retried here: its body code decides (44/1070 slow down, 45 stops), see client.py.
"""

from __future__ import annotations

import functools
import html
import json
import re
from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError
from urllib3.util.retry import Retry

from bulkio.version import __version__

USER_AGENT = f"bulkio/{__version__}"
#: (connect, read) seconds; the client gives a write a little longer to answer
#: (ConnectionSettings.write_timeout), since a write is never resent blindly
DEFAULT_TIMEOUT = (10.0, 30.0)
RETRY_STATUSES = frozenset({500, 502, 503, 504})
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: a read whose answer timed out or whose connection dropped is sent once more, no more
READ_ERROR_RETRIES = 1
MAX_BODY = 300
REDACTED = "***"
_SECRET_NAME = re.compile(r"token|secret|password|authorization|code|cookie|api[-_]?key", re.I)


def is_read(method: str) -> bool:
    """True for the methods that change nothing on the server, which may be sent again."""
    return method.upper() in READ_METHODS


class _TimeoutAdapter(HTTPAdapter):
    """An HTTPAdapter with a default timeout, since requests has none."""

    def __init__(self, *, timeout: tuple[float, float], **kwargs):
        self.timeout = timeout
        super().__init__(**kwargs)

    def send(self, request, timeout=None, **kwargs):
        """requests' `send`, with this adapter's timeout when the caller gives none."""
        return super().send(request, timeout=timeout or self.timeout, **kwargs)


def build_retry(attempts: int = 4, backoff_factor: float = 0.5, backoff_jitter: float = 0.5) -> Retry:
    """The Retry policy described in the module docstring; `attempts` connect and 5xx retries."""
    return Retry(
        total=attempts,
        connect=attempts,
        read=min(attempts, READ_ERROR_RETRIES),
        status=attempts,
        other=0,
        redirect=0,
        allowed_methods=READ_METHODS,  # governs read errors and 5xx; connect errors retry for all
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
    """Text cut to `limit` characters with every known secret replaced by ***: as it is, and as
    a server or a library may echo it (URL-encoded with %XX or '+', JSON- or Python-escaped,
    HTML entities), and each long piece of a secret that holds a line break or a space, so a
    message cut at its first line shows no half of one."""
    pattern = _secrets_pattern(tuple(sorted({s for s in secrets if s}, key=len, reverse=True)))
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    return text[:limit]


#: a piece of a secret split at whitespace is scrubbed on its own from this length (shorter
#: pieces would hide ordinary words)
MIN_PIECE = 8


@functools.lru_cache(maxsize=64)
def _secrets_pattern(secrets: tuple[str, ...]) -> re.Pattern | None:
    pieces = [p for s in secrets for p in re.split(r"\s+", s) if len(p) >= MIN_PIECE and p != s]
    alternatives = [_encoded(s) for s in (*secrets, *pieces)]
    return re.compile("|".join(alternatives), re.I) if alternatives else None


def _encoded(secret: str) -> str:
    """A regex matching `secret` with each character as it is or in any of its echoed forms."""
    return "".join(_char_forms(c) for c in secret)


def _char_forms(c: str) -> str:
    forms = {re.escape(c), "".join(f"%{b:02x}" for b in c.encode("utf-8"))}
    if c == " ":
        forms.add(r"\+")
    for escaped in (json.dumps(c)[1:-1], c.encode("unicode_escape").decode("ascii"),
                    html.escape(c), f"&#{ord(c)};", f"&#x{ord(c):x};"):
        forms.add(re.escape(escaped))
    if not c.isprintable():
        forms.update({re.escape(f"\\x{ord(c):02x}"), re.escape(f"\\u{ord(c):04x}")})
    if c in "'\"":  # as Python's repr escapes a quote
        forms.add(re.escape("\\" + c))
    if not c.isascii():  # as Python prints bytes
        forms.add(re.escape("".join(f"\\x{b:02x}" for b in c.encode("utf-8"))))
    return "(?:" + "|".join(sorted(forms, key=len, reverse=True)) + ")"
