"""The OAuth side: the refresh-token grant of `POST /oauth/v2/token` and the check of
`Authorization: Zoho-oauthtoken <token>` on API calls."""

from __future__ import annotations

import secrets
import threading
import time


class TokenIssuer:
    """Mints access tokens for one client and remembers when each expires."""

    def __init__(self, client_id: str, client_secret: str, refresh_token: str, clock=time.monotonic):
        self.client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}

    def __repr__(self) -> str:
        return f"TokenIssuer(client_id={self.client_id!r})"

    def grant(self, params: dict, ttl_s: float, api_domain: str) -> dict:
        """Zoho's answer to a token request (always HTTP 200, errors as {"error": ...})."""
        if params.get("grant_type") != "refresh_token":
            return {"error": "unsupported_grant_type"}
        if params.get("client_id") != self.client_id or params.get("client_secret") != self._client_secret:
            return {"error": "invalid_client"}
        if params.get("refresh_token") != self._refresh_token:
            return {"error": "invalid_code"}
        token = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
        with self._lock:
            now = self._clock()
            self._tokens = {t: exp for t, exp in self._tokens.items() if exp > now}
            self._tokens[token] = now + ttl_s
        expires_in = int(ttl_s) if float(ttl_s).is_integer() else ttl_s
        return {"access_token": token, "expires_in": expires_in, "api_domain": api_domain, "token_type": "Bearer"}

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
