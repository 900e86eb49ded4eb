"""Helpers for the sandbox tests (no tests here): a tiny Zoho client over real HTTP."""

from __future__ import annotations

import pytest
import requests


def get_token(sb) -> str:
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


@pytest.fixture
def zoho(sandbox) -> Zoho:
    return Zoho(sandbox)
