"""The OAuth side: the refresh-token grant of `POST /oauth/v2/token` and the check of
`Authorization: Zoho-oauthtoken <token>` on API calls."""

from __future__ import annotations

import collections
import secrets
import threading
import time

# Zoho's answer when a refresh token mints too often (undocumented; as integrations report it).
TOO_MANY_MINTS = {
    "error": "Access Denied",
    "error_description": "You have made too many requests continuously. Please try again after some time.",
    "status": "failure",
}


class TokenIssuer:
    """Mints access tokens for one client and remembers when each expires."""

    def __init__(self, client_id: str, client_secret: str, refresh_token: str, clock=time.monotonic):
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self._minted: collections.deque = collections.deque()

    def __repr__(self) -> str:
        return f"TokenIssuer(client_id={self.client_id!r})"

    def grant(self, params: dict, ttl_s: float, api_domain: str, mint_limit: int | None = None,
              mint_window_s: float = 600.0) -> tuple[int, dict]:
        """Zoho's answer to a token request as (HTTP status, body): errors of the grant are 200
        with {"error": ...}; more than `mint_limit` tokens within `mint_window_s` is a 400
        "Access Denied" (None: no limit)."""
        if params.get("grant_type") != "refresh_token":
            return 200, {"error": "unsupported_grant_type"}
        if params.get("client_id") != self.client_id or params.get("client_secret") != self._client_secret:
            return 200, {"error": "invalid_client"}
        if params.get("refresh_token") != self._refresh_token:
            return 200, {"error": "invalid_code"}
        token = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
        with self._lock:
            now = self._clock()
            while self._minted and self._minted[0] <= now - mint_window_s:
                self._minted.popleft()
            if mint_limit is not None and len(self._minted) >= mint_limit:
                return 400, dict(TOO_MANY_MINTS)
            self._minted.append(now)
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + ttl_s
        expires_in = int(ttl_s) if float(ttl_s).is_integer() else ttl_s
        return 200, {"access_token": token, "expires_in": expires_in, "api_domain": api_domain, "token_type": "Bearer"}

    def valid(self, authorization: str | None) -> bool:
        """Whether an Authorization header carries a live token of ours."""
        if not authorization:
            return False
        scheme, _, token = authorization.strip().partition(" ")
        if scheme != "Zoho-oauthtoken" or not token:
            return False
        with self._lock:
            expires = self._tokens.get(token.strip())
        return expires is not None and expires > self._clock()
