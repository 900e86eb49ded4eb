"""The exception tree and exit codes; the CLI maps one to the other in one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    ROWS_FAILED = 1
    USAGE = 2
    STOPPED = 3
    INTERNAL = 4  # bulkio itself failed (a bug); the message says where its log is


class BulkioError(Exception):
    """Base of every error bulkio raises on purpose."""

    exit_code = ExitCode.USAGE


class ConfigError(BulkioError):
    """Settings are missing or wrong; nothing was sent."""


class InputError(BulkioError):
    """The input file cannot be read as asked (missing, unreadable, no such sheet)."""


class MappingError(InputError):
    """Columns cannot be matched to fields without ambiguity."""


class Declined(BulkioError):
    """The person answered no before the first write; nothing was sent."""


class StoppedError(BulkioError):
    """The run stopped before the end and can be resumed."""

    exit_code = ExitCode.STOPPED


class Interrupted(StoppedError):
    """The user pressed Ctrl-C."""


MAX_MESSAGE = 300


class ApiError(BulkioError):
    """Zoho answered with an error: HTTP status, Zoho's body `code` and its `message`."""

    exit_code = ExitCode.ROWS_FAILED

    def __init__(self, status: int, code: int | None, message: str):
        self.status = status
        self.code = code
        self.message = (message or "")[:MAX_MESSAGE]
        super().__init__(self._text())

    def _text(self) -> str:
        where = [f"HTTP {self.status}"] if self.status else []
        where += [f"Zoho code {self.code}"] if self.code is not None else []
        return f"{self.message} ({', '.join(where)})" if where else self.message


class AuthError(ApiError):
    """401: the token was refused, or the token call failed."""

    exit_code = ExitCode.USAGE


class OrganizationError(ApiError):
    """Zoho does not know the organization id, or this user has no access to it (code 6041)."""

    exit_code = ExitCode.USAGE

    def _text(self) -> str:
        return (f"{super()._text()}. Check the organization id: ZOHO_ORGANIZATION_ID or --org "
                "(Zoho Books: Settings > Organisation Profile).")


class NotFoundError(ApiError):
    """404, or Zoho code 1002: the record does not exist."""


class RateLimitError(ApiError):
    """429 with code 44 (per minute) or 1070 (in flight): slow down and retry."""


class QuotaExhausted(RateLimitError, StoppedError):
    """429 with code 45: the organisation's daily quota is used up; stop for the day."""

    exit_code = ExitCode.STOPPED


class AuthStopped(AuthError, StoppedError):
    """Zoho refused bulkio's access part-way: a token refresh failed, or a token minted a moment
    ago was refused (a missing scope, no access to the organisation). The run stops; rows not
    sent stay pending and the same command sends them once the credentials work again."""

    exit_code = ExitCode.STOPPED

    def __init__(self, status: int, code: int | None, message: str):
        super().__init__(status, code, message)
        self.message = message or ""  # bulkio's own advice, kept whole (Zoho's part is short)
        self.args = (self._text(),)


class ServerError(ApiError):
    """5xx: Zoho failed; retried a bounded number of times before it reaches a caller."""

    # one that reaches the command (a read no retry answered, a silent server) stopped the
    # run before its end: the same command goes on (exit 1 would point at a report of failed rows)
    exit_code = ExitCode.STOPPED


class OutcomeUnknown(BulkioError):
    """A write went out and no answer settled it (a 5xx, a gateway page, a timeout, a dropped
    connection): it may or may not have been applied. `reason` says, in plain words, what came
    back instead of an answer ("Zoho answered HTTP 504 with a gateway page")."""

    exit_code = ExitCode.ROWS_FAILED

    def __init__(self, message: str, reason: str = ""):
        super().__init__(message)
        self.reason = reason or message


class ServerErrorAfterWrite(ServerError, OutcomeUnknown):
    """A write answered 5xx (a gateway's page included): Zoho's status, code and words, as a
    ServerError, and maybe applied, as an OutcomeUnknown (Zoho documents 500 "Internal Error"
    and nothing of what was applied)."""

    def __init__(self, status: int, code: int | None, message: str, reason: str):
        ServerError.__init__(self, status, code, message)
        self.reason = reason

    def _text(self) -> str:
        return (f"{super()._text()}; Zoho may or may not have applied it, so it is not sent again "
                "before Zoho is checked for the record.")


QUOTA_CODE = 45
RATE_CODES = frozenset({44, 1070})
ORGANIZATION_CODES = frozenset({6041})


def api_error(status: int, code: int | None, message: str) -> ApiError:
    """The ApiError subclass for an answer, chosen by status and Zoho code."""
    if status == 429 or code in RATE_CODES or code == QUOTA_CODE:
        return (QuotaExhausted if code == QUOTA_CODE else RateLimitError)(status, code, message)
    if status == 401:
        return AuthError(status, code, message)
    if code in ORGANIZATION_CODES:
        return OrganizationError(status, code, message)
    if status == 404 or code == 1002:
        return NotFoundError(status, code, message)
    if status >= 500:
        return ServerError(status, code, message)
    return ApiError(status, code, message)


@dataclass(frozen=True)
class RowError:
    """One problem with one cell or row; collected, never raised."""

    row: int
    column: str
    code: str
    value: str
    message: str
