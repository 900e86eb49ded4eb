"""What a write's error says: whether Zoho may have applied it, whether Zoho itself answered,
and the short reason and code a row's outcome gives for it."""

from __future__ import annotations

from bulkio.errors import ApiError, OutcomeUnknown, ServerError


def maybe_applied(exc: Exception) -> bool:
    """Whether a write's error leaves it maybe applied: no answer after it went out, or a 5xx
    (Zoho, or a gateway in front of it, may have applied it first). A ServerError of status 0
    is a request that never went out."""
    return isinstance(exc, OutcomeUnknown) or (isinstance(exc, ServerError) and exc.status >= 500)


def zoho_answered(exc: Exception) -> bool:
    """A 5xx carrying Zoho's own code: Zoho finished with the write, nothing lands later (a
    timeout, a dropped connection or a gateway's page may be a write still being applied)."""
    return isinstance(exc, ServerError) and exc.code is not None


def no_answer_reason(exc: Exception | None) -> str:
    """Why a write got no answer, short: the client's `reason`, else its message's first part."""
    if exc is None:
        return "no answer"
    reason = getattr(exc, "reason", None)
    if not reason and isinstance(exc, ServerError):
        reason = f"HTTP {exc.status}: {exc.message}"
    return str(reason or str(exc).split(";")[0]).strip()[:160]


def error_code(exc: ApiError) -> str:
    """The code a failed row reports for `exc`: Zoho's own, else the HTTP status."""
    if exc.code is not None:
        return str(exc.code)
    return "E_NO_ANSWER" if exc.status == 0 else f"HTTP_{exc.status}"
