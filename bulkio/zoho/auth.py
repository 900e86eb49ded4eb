"""OAuth for Zoho: one access token shared by every thread, refreshed under a lock.

The token is minted with the refresh-token grant shortly before it expires (margin: the lesser
of 60 s and a tenth of its lifetime) and again when a call is answered 401 - unless another
thread already refreshed since that call went out, in which case the caller just resends, or
the token refused has not had one call answered yet: a token minted a moment ago and refused is
a missing scope or no access to the organisation, which no new token mends.
Zoho limits how often tokens may be minted (about 10 per 10 minutes), so never once per request,
and never again once a refresh has failed or Zoho refused a token minted a moment ago: from then
on every call raises the same AuthStopped without a token request, and the run stops. A run
therefore makes at most one token request per token lifetime, plus the one that failed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

import requests
from requests.auth import AuthBase

from bulkio.errors import AuthError, AuthStopped
from bulkio.zoho.session import build_session, request_was_sent, scrub

log = logging.getLogger(__name__)

TOKEN_PATH = "/oauth/v2/token"
MAX_MARGIN = 60.0

#: Zoho's token-endpoint error codes -> what the user should do
TOKEN_ERRORS = {
    "invalid_code": "the refresh token is invalid, expired or revoked: create a new one and set ZOHO_REFRESH_TOKEN",
    "invalid_client": "ZOHO_CLIENT_ID is unknown at this accounts server: check it, and --region / ZOHO_ACCOUNTS_URL",
    "invalid_client_secret": "ZOHO_CLIENT_SECRET does not match ZOHO_CLIENT_ID: copy it again from the API console",
    "invalid_redirect_uri": "the client's redirect URI does not match: check the client in Zoho's API console",
    "access_denied": "Zoho refused to mint a token, often after too many refreshes: wait a few minutes and retry",
    "Access Denied": "Zoho refused to mint a token, often after too many refreshes: wait a few minutes and retry",
}


class ZohoAuth(AuthBase):
    """Adds `Authorization: Zoho-oauthtoken <token>` to every request.

    With `refresh_token` (+ client id and secret) the token is minted and renewed here; with only
    `access_token` that token is used as it is and a 401 is final.

    Example: ZohoAuth.from_settings(settings)
    """

    def __init__(
        self,
        *,
        accounts_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        access_token: str | None = None,
        session: requests.Session | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_refresh: Callable[[], None] | None = None,
    ):
        self._accounts_url = (accounts_url or "").rstrip("/")
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.refreshable = bool(accounts_url and client_id and client_secret and refresh_token)
        if not self.refreshable and not access_token:
            raise ValueError("ZohoAuth needs an access token or refresh credentials")
        self._token = None if self.refreshable else access_token
        self._refresh_at = float("inf")
        self._session = session or build_session()
        self._clock = clock
        self._on_refresh = on_refresh
        self._lock = threading.Lock()
        self._stopped: AuthError | None = None  # why access was lost; raised by every later call
        self._proven = False  # a call made with the current token was answered (not 401)
        self.refreshes = 0

    @classmethod
    def from_settings(cls, settings, **kwargs) -> ZohoAuth:
        """The auth a `ConnectionSettings` asks for (refresh grant when its credentials are complete)."""
        refresh = settings.uses_refresh
        return cls(
            accounts_url=settings.accounts_url,
            client_id=settings.client_id if refresh else None,
            client_secret=settings.client_secret if refresh else None,
            refresh_token=settings.refresh_token if refresh else None,
            access_token=None if refresh else settings.access_token,
            **kwargs,
        )

    def __repr__(self) -> str:
        mode = "refresh-token grant" if self.refreshable else "fixed access token"
        return f"ZohoAuth({mode}, accounts_url={self._accounts_url!r})"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Zoho-oauthtoken {self.token()}"
        return request

    def secrets(self) -> tuple[str, ...]:
        """Every secret this object holds, for scrubbing text."""
        values = (self._client_secret, self._refresh_token, self._token)
        return tuple(v for v in values if v)

    def token(self) -> str:
        """The current access token, minted first if it is missing or about to expire.

        Once access has been lost (a failed refresh, `stop`) raises why, without a token request."""
        with self._lock:
            if self._stopped is not None:
                raise self._stopped
            if self.refreshable and (self._token is None or self._clock() >= self._refresh_at):
                self._refresh()
            return self._token

    def worked(self, request: requests.PreparedRequest) -> None:
        """A call was answered other than 401: the token it carried works."""
        if request.headers.get("Authorization") == f"Zoho-oauthtoken {self._token}":
            self._proven = True

    def after_401(self, request: requests.PreparedRequest) -> bool:
        """A call was answered 401: refresh once, unless another thread already has. True when
        the caller should resend; False when the token refused was minted for this run and had
        no call answered yet (refused, not expired: a new token would be refused too).

        With a fixed token there is nothing to do but raise AuthError.
        """
        if not self.refreshable:
            raise AuthError(
                401,
                None,
                "Zoho refused ZOHO_ACCESS_TOKEN (expired or wrong data centre): set a fresh one, or set "
                "ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN so bulkio can refresh it.",
            )
        sent = request.headers.get("Authorization", "")
        with self._lock:
            if self._stopped is not None:
                raise self._stopped
            if sent == f"Zoho-oauthtoken {self._token}":
                if not self._proven:
                    return False
                self._refresh()
            return True

    def stop(self, error: AuthStopped) -> None:
        """Zoho refused a token minted a moment ago: mint no more; every call raises `error`."""
        with self._lock:
            self._stopped = self._stopped or error

    def _refresh(self) -> None:
        """Mint a token; called with the lock held so every other thread waits for it.

        The first token's failure is an AuthError (the credentials never worked: nothing was
        sent), a later one an AuthStopped; either is kept, so that no other call asks again."""
        started = self._clock()
        try:
            body = self._minted_body()
        except AuthError as exc:
            if self.refreshes:
                exc = AuthStopped(exc.status, exc.code, _renewal_failed(exc.message))
            self._stopped = exc
            raise exc from None
        self._keep(body, started)

    def _minted_body(self) -> dict:
        body = self._post_token_request()
        error = body.get("error")
        if error or not body.get("access_token"):
            hint = TOKEN_ERRORS.get(str(error), "check ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN")
            reason = error or "no access_token in the answer"
            message = scrub(f"The token call failed ({reason}): {hint}.", self.secrets())
            raise AuthError(401, None, message)
        if not _sendable(body["access_token"]):
            # a header cannot carry it, and the library's error would quote it
            raise AuthError(401, None, "The token call answered an access token bulkio cannot send (it holds "
                            "spaces, a line break or other characters a header cannot carry): check "
                            "ZOHO_ACCOUNTS_URL / --region.")
        return body

    def _keep(self, body: dict, started: float) -> None:
        ttl = _ttl(body)
        self._token = body["access_token"]
        self._proven = False
        self._refresh_at = started + ttl - min(MAX_MARGIN, ttl / 10)
        self.refreshes += 1
        log.debug("access token refreshed; valid for %.0f s", ttl)
        if self._on_refresh:
            self._on_refresh()

    def _post_token_request(self) -> dict:
        # The secrets go in the form body, never the query string, which urllib3 logs at DEBUG.
        data = {
            "grant_type": "refresh_token",
            "client_id": self._client_id,
            "client_secret": self._client_secret,
            "refresh_token": self._refresh_token,
        }
        url = self._accounts_url + TOKEN_PATH
        try:
            response = self._session.post(url, data=data)
        except requests.RequestException as exc:
            raise AuthError(
                0, None, f"The token call {_no_answer(exc, self._accounts_url)}; "
                "check ZOHO_ACCOUNTS_URL / --region and the network, then retry."
            ) from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise AuthError(
                response.status_code, None,
                f"The token call to {self._accounts_url} did not answer JSON (HTTP {response.status_code}): "
                "check ZOHO_ACCOUNTS_URL / --region.",
            )
        if response.status_code >= 400 and not body.get("error"):
            body["error"] = f"HTTP {response.status_code}"
        return body


def _renewal_failed(message: str) -> str:
    """The message of a refresh that failed after earlier ones worked."""
    return f"Zoho stopped renewing bulkio's access part-way through the run. {message}"


def _sendable(token) -> bool:
    """Whether a token can go in a header as it is: printable ASCII, no spaces."""
    return isinstance(token, str) and token.isascii() and token.isprintable() and " " not in token


DEFAULT_TTL = 3600.0  # Zoho's access tokens live an hour
MAX_TTL = 86400.0  # a lifetime beyond a day is in milliseconds


def _ttl(body: dict) -> float:
    """The token's lifetime in seconds: `expires_in_sec` when given (older accounts servers
    answered it beside `expires_in` in milliseconds), else `expires_in`, number or text."""
    for key in ("expires_in_sec", "expires_in"):
        try:
            ttl = float(body.get(key))
        except (TypeError, ValueError):
            continue
        if ttl > 0 and ttl == ttl:  # not NaN
            return ttl / 1000 if ttl > MAX_TTL else ttl
    return DEFAULT_TTL


def _no_answer(exc: requests.RequestException, where: str) -> str:
    """What became of a token call without answer, in plain words (not the library's class)."""
    if not request_was_sent(exc):
        return f"could not reach {where}"
    reason = exc.args[0] if exc.args else None
    if isinstance(exc, requests.Timeout) or "timed out" in str(getattr(reason, "reason", reason) or ""):
        return f"reached {where} but got no answer in time"
    return f"reached {where} but the connection was dropped before it answered"
