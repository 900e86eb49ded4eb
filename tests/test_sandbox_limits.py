"""Per-organization limits (HTTP 429 with codes 44, 1070, 45), the X-Rate-Limit-* headers, and
fault injection (latency, 500s not applied, lost replies applied)."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from sandbox_clients import Zoho, get_token


def test_per_minute_limit_answers_44_and_recovers(sandbox_factory):
    sb = sandbox_factory(rate_limit=3, rate_window_s=0.5)
    zoho = Zoho(sb)
    assert [zoho.get("/items").status_code for _ in range(3)] == [200, 200, 200]
    refused = zoho.get("/items")
    assert refused.status_code == 429 and refused.json()["code"] == 44
    assert refused.headers["X-Rate-Limit-Limit"] == str(sb.config.daily_limit)
    time.sleep(0.55)
    assert zoho.get("/items").status_code == 200
    assert sb.stats.rate_limited == {44: 1}


def test_refused_calls_are_not_applied_and_not_counted(sandbox_factory):
    sb = sandbox_factory(rate_limit=1, rate_window_s=60)
    zoho = Zoho(sb)
    zoho.item("First")
    assert zoho.post("/items", json={"name": "Second", "rate": 1}).status_code == 429
    assert [i["name"] for i in sb.records("items")] == ["First"]
    assert sb.stats.writes_applied == 1


def test_in_flight_limit_answers_1070(sandbox_factory):
    sb = sandbox_factory(max_concurrent=2, latency_ms=300)
    zoho_token = get_token(sb)
    results = []

    def call():
        answer = requests.get(sb.api_url() + "/items", params={"organization_id": sb.org_id},
                              headers={"Authorization": "Zoho-oauthtoken " + zoho_token}, timeout=10)
        results.append((answer.status_code, answer.json()["code"]))

    threads = [threading.Thread(target=call) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [(200, 0), (200, 0), (429, 1070), (429, 1070), (429, 1070)]
    assert sb.stats.rate_limited == {1070: 3}


def test_daily_limit_answers_45_with_headers(sandbox_factory):
    sb = sandbox_factory(daily_limit=3)
    zoho = Zoho(sb)
    remaining = [zoho.get("/items").headers["X-Rate-Limit-Remaining"] for _ in range(3)]
    assert remaining == ["2", "1", "0"]
    refused = zoho.get("/items")
    assert refused.status_code == 429 and refused.json()["code"] == 45
    assert refused.headers["X-Rate-Limit-Limit"] == "3" and refused.headers["X-Rate-Limit-Remaining"] == "0"
    assert 0 < int(refused.headers["X-Rate-Limit-Reset"]) <= 86400


def test_limits_are_per_organization(sandbox_factory):
    sb = sandbox_factory(orgs=("1", "2"), daily_limit=1)
    assert Zoho(sb, org="1").get("/items").status_code == 200
    assert Zoho(sb, org="1").get("/items").status_code == 429
    assert Zoho(sb, org="2").get("/items").status_code == 200


def test_token_endpoint_is_not_rate_limited(sandbox_factory):
    sb = sandbox_factory(rate_limit=1, daily_limit=1)
    tokens = {get_token(sb) for _ in range(5)}
    assert len(tokens) == 5


def test_configure_changes_limits_live(sandbox):
    zoho = Zoho(sandbox)
    sandbox.configure(daily_limit=1)
    zoho.get("/items")
    assert zoho.get("/items").json()["code"] == 45
    sandbox.configure(daily_limit=10)
    assert zoho.get("/items").status_code == 200


def test_latency_is_added_to_every_call(sandbox_factory):
    sb = sandbox_factory(latency_ms=150)
    zoho = Zoho(sb)
    started = time.monotonic()
    zoho.get("/items")
    assert time.monotonic() - started >= 0.15


def test_failed_writes_answer_500_and_change_nothing(sandbox_factory):
    sb = sandbox_factory(fail_rate=1.0)
    zoho = Zoho(sb)
    answer = zoho.post("/items", json={"name": "W", "rate": 1})
    assert answer.status_code == 500 and answer.json() == {"code": 1000, "message": "Internal error"}
    assert sb.records("items") == [] and sb.stats.writes_applied == 0
    assert zoho.get("/items").status_code == 200  # reads are never failed


def test_lost_reply_applies_the_write_and_drops_the_connection(sandbox_factory):
    sb = sandbox_factory(lost_reply_rate=1.0)
    zoho = Zoho(sb)
    with pytest.raises(requests.ConnectionError):
        zoho.post("/items", json={"name": "W", "rate": 1})
    assert [i["name"] for i in sb.records("items")] == ["W"]
    assert (sb.stats.writes_applied, sb.stats.lost_replies) == (1, 1)
    assert zoho.get("/items").status_code == 200


def test_faults_are_repeatable_with_a_seed(sandbox_factory):
    def pattern():
        sb = sandbox_factory(fail_rate=0.5, seed=7)
        zoho = Zoho(sb)
        return [zoho.post("/contacts", json={"contact_name": f"C{n}"}).status_code for n in range(12)]

    first, second = pattern(), pattern()
    assert first == second and {201, 500} == set(first)


def test_token_mint_limit_answers_access_denied(sandbox_factory):
    sb = sandbox_factory(token_mint_limit=2, token_mint_window_s=0.5)
    params = {"grant_type": "refresh_token", "client_id": sb.client_id,
              "client_secret": sb.client_secret, "refresh_token": sb.refresh_token}
    url = sb.accounts_url + "/oauth/v2/token"
    assert [requests.post(url, data=params).status_code for _ in range(2)] == [200, 200]
    refused = requests.post(url, data=params)
    assert refused.status_code == 400 and refused.json()["error"] == "Access Denied"
    assert "access_token" not in refused.json() and sb.stats.tokens_issued == 2
    time.sleep(0.55)
    assert "access_token" in requests.post(url, data=params).json()


def test_tokens_are_not_limited_by_default(sandbox):
    assert len({get_token(sandbox) for _ in range(12)}) == 12
