"""The OAuth side: `POST /oauth/v2/token` (the refresh-token grant, and the authorization-code
grant of a Self Client's generated code) and the check of `Authorization: Zoho-oauthtoken
<token>` on API calls, scopes included."""

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
    """Mints access tokens for one client, remembers when each expires and the scopes it
    carries. `scopes` are those of the built-in refresh token."""

    def __init__(self, client_id: str, client_secret: str, refresh_token: str, scopes=(), clock=time.monotonic):
        self.client_id = client_id
        self._client_secret = client_secret
        self._clock = clock
        self._lock = threading.Lock()
        self._refresh: dict[str, frozenset] = {refresh_token: frozenset(scopes)}
        self._codes: dict[str, tuple[float, frozenset, str | None]] = {}
        self._tokens: dict[str, tuple[float, frozenset]] = {}
        self._minted: collections.deque = collections.deque()
        self._uses: collections.Counter = collections.Counter()  # tokens minted per refresh token
        self._revoked: dict[str, frozenset] = {}
        self.requests = 0  # token requests answered, whatever the answer

    def __repr__(self) -> str:
        return f"TokenIssuer(client_id={self.client_id!r})"

    def issue_code(self, scopes, ttl_s: float, redirect_uri: str | None = None) -> str:
        """A grant code for `scopes`, as a Self Client's "Generate Code" tab makes one: valid
        for `ttl_s` seconds and for one exchange."""
        code = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
        with self._lock:
            self._codes[code] = (self._clock() + ttl_s, frozenset(scopes), redirect_uri)
        return code

    def grant(self, params: dict, ttl_s: float, api_domain: str, mint_limit: int | None = None,
              mint_window_s: float = 600.0, refresh_uses: int | None = None) -> tuple[int, dict]:
        """Zoho's answer to a token request as (HTTP status, body): errors of the grant are 200
        with {"error": ...}; more than `mint_limit` tokens within `mint_window_s` is a 400
        "Access Denied" (None: no limit). With `refresh_uses`, a refresh token is revoked once
        it has minted that many tokens (a fault: as when its user revokes it mid-run); the
        tokens it minted live on until they expire."""
        with self._lock:
            self.requests += 1
        grant_type = params.get("grant_type")
        if grant_type not in ("refresh_token", "authorization_code"):
            return 200, {"error": "unsupported_grant_type"}
        if params.get("client_id") != self.client_id or params.get("client_secret") != self._client_secret:
            return 200, {"error": "invalid_client"}
        with self._lock:
            if grant_type == "authorization_code":
                scopes = self._redeem(params)
                if isinstance(scopes, str):
                    return 200, {"error": scopes}
                refresh_token = "1000." + secrets.token_hex(32)
                self._refresh[refresh_token] = scopes
            else:
                # rule: TOKEN-REFRESH
                presented = params.get("refresh_token")
                if refresh_uses is not None and self._uses[presented] >= refresh_uses:
                    self._revoke(presented)
                scopes = self._refresh.get(presented)
                if scopes is None:
                    return 200, {"error": "invalid_code"}
                refresh_token = None
            now = self._clock()
            while self._minted and self._minted[0] <= now - mint_window_s:
                self._minted.popleft()
            if mint_limit is not None and len(self._minted) >= mint_limit:
                return 400, dict(TOO_MANY_MINTS)
            self._minted.append(now)
            if grant_type == "refresh_token":
                self._uses[presented] += 1
            token = "1000." + secrets.token_hex(16) + "." + secrets.token_hex(16)
            self._tokens = {t: entry for t, entry in self._tokens.items() if entry[0] > now}
            self._tokens[token] = (now + ttl_s, scopes)
        expires_in = int(ttl_s) if float(ttl_s).is_integer() else ttl_s
        answer = {"access_token": token}
        if refresh_token is not None:
            # rule: OAUTH-CODE-GRANT
            answer["refresh_token"] = refresh_token
        answer.update({"api_domain": api_domain, "token_type": "Bearer", "expires_in": expires_in})
        return 200, answer

    def restore(self) -> None:
        """Give back every refresh token revoked after its uses, with its count at zero."""
        with self._lock:
            self._refresh.update(self._revoked)
            self._revoked.clear()
            self._uses.clear()

    def _revoke(self, refresh_token) -> None:
        """Hold the lock."""
        if refresh_token in self._refresh:
            self._revoked[refresh_token] = self._refresh.pop(refresh_token)

    def _redeem(self, params: dict) -> frozenset | str:
        """The scopes of a grant code, which is then spent; or the error name when the code is
        unknown, spent or expired, or the redirect_uri differs from the one it was made for.
        Hold the lock."""
        # rule: OAUTH-CODE-ONCE
        entry = self._codes.pop(params.get("code") or "", None)
        if entry is None or entry[0] <= self._clock():
            return "invalid_code"
        if entry[2] is not None and params.get("redirect_uri") != entry[2]:
            return "invalid_redirect_uri"
        return entry[1]

    def scopes(self, authorization: str | None) -> frozenset | None:
        """The scopes of the live token an Authorization header carries, or None when it carries
        none of ours (absent, malformed, unknown or expired)."""
        if not authorization:
            return None
        scheme, _, token = authorization.strip().partition(" ")
        if scheme != "Zoho-oauthtoken" or not token:
            return None
        with self._lock:
            entry = self._tokens.get(token.strip())
        return entry[1] if entry is not None and entry[0] > self._clock() else None

    def valid(self, authorization: str | None) -> bool:
        """Whether an Authorization header carries a live token of ours."""
        return self.scopes(authorization) is not None
