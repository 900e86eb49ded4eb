"""Clients pointed at a sandbox: bulkio's own ZohoClient (`client_for`) and a bare HTTP client
(`Zoho`) for the tests of the sandbox itself."""

from __future__ import annotations

import requests

from bulkio.settings import ConnectionSettings
from bulkio.zoho.client import ZohoClient
from bulkio.zoho.session import build_session

#: Sandbox limits no test reaches (sandbox.configure(**UNLIMITED)).
UNLIMITED = {"rate_limit": 1_000_000, "daily_limit": 1_000_000, "max_concurrent": 100}


def client_for(sandbox, *, rate=60_000, in_flight=5, daily=None, access_token=None, timeout=None,
               attempts=None, **kwargs) -> ZohoClient:
    """A client pointed at `sandbox`, with backoffs short enough that tests never wait long.

    `timeout` is the (connect, read) pair of the settings and the session; `attempts` the
    session's retries (0: a write answered 5xx is never resent by the session).
    """
    timeouts = {} if timeout is None else {"timeout": timeout}
    settings = ConnectionSettings(
        organization_id=sandbox.org_id,
        api_url=sandbox.api_url("books"),
        accounts_url=sandbox.accounts_url,
        client_id=None if access_token else sandbox.client_id,
        client_secret=None if access_token else sandbox.client_secret,
        refresh_token=None if access_token else sandbox.refresh_token,
        access_token=access_token,
        rate_per_minute=rate,
        max_in_flight=in_flight,
        daily_limit=daily,
        **timeouts,
    )
    retries = {} if attempts is None else {"attempts": attempts}
    kwargs.setdefault("session", build_session(backoff_factor=0.01, backoff_jitter=0.01, **timeouts, **retries))
    kwargs.setdefault("backoff_base", 0.05)
    return ZohoClient(settings, **kwargs)


def item(n: int) -> dict:
    """The payload of item number `n`: "Item 000n", rate 10 + n."""
    return {"name": f"Item {n:04d}", "rate": 10 + n}


def get_token(sb) -> str:
    """An access token from the sandbox's token endpoint, by its refresh token."""
    answer = requests.post(sb.accounts_url + "/oauth/v2/token", params={
        "grant_type": "refresh_token", "client_id": sb.client_id,
        "client_secret": sb.client_secret, "refresh_token": sb.refresh_token,
    }, timeout=10).json()
    return answer["access_token"]


class Zoho:
    """Calls one sandbox the way a client would: token header, organization_id, JSON bodies."""

    def __init__(self, sb, app: str = "books", org: str | None = None):
        self.sb = sb
        self.root = sb.api_url(app)
        self.org = org or sb.org_id
        self.session = requests.Session()
        self.token = get_token(sb)

    def call(self, method: str, path: str, params=None, headers=None, org=True, auth=True, **kw):
        query = dict(params or {})
        if org:
            query.setdefault("organization_id", self.org)
        sent = dict(headers or {})
        if auth:
            sent.setdefault("Authorization", "Zoho-oauthtoken " + self.token)
        return self.session.request(method, self.root + path, params=query, headers=sent, timeout=10, **kw)

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, **kw):
        return self.call("POST", path, **kw)

    def put(self, path, **kw):
        return self.call("PUT", path, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def upsert(self, module: str, key: str, value: str, body: dict, create: bool = True):
        headers = {"X-Unique-Identifier-Key": key, "X-Unique-Identifier-Value": value}
        if create:
            headers["X-Upsert"] = "true"
        return self.put("/" + module, json=body, headers=headers)

    def item(self, name: str, rate=10, **fields) -> dict:
        answer = self.post("/items", json={"name": name, "rate": rate, **fields})
        assert answer.status_code == 201, answer.text
        return answer.json()["item"]

    def contact(self, name: str, **fields) -> dict:
        answer = self.post("/contacts", json={"contact_name": name, **fields})
        assert answer.status_code == 201, answer.text
        return answer.json()["contact"]
