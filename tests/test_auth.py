"""OAuth against the sandbox's token endpoint: one shared token, refreshed before expiry and
once on a 401 (never for a token refused before it worked), actionable errors."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sandbox_clients import client_for

from bulkio.errors import AuthError, AuthStopped
from bulkio.zoho.auth import ZohoAuth
from bulkio.zoho.session import build_session


class Clock:
    def __init__(self, now: float = 0.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def auth_for(sandbox, clock, **overrides) -> ZohoAuth:
    credentials = {
        "accounts_url": sandbox.accounts_url,
        "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret,
        "refresh_token": sandbox.refresh_token,
    }
    session = build_session(backoff_factor=0.01, backoff_jitter=0.01)
    return ZohoAuth(**{**credentials, **overrides}, clock=clock, session=session)


def test_token_expiring_mid_run_is_refreshed_once_per_expiry(sandbox_factory):
    sandbox = sandbox_factory(token_ttl_s=2)
    client = client_for(sandbox, rate=600)
    started = time.monotonic()
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: client.get("/items"), range(50)))
    elapsed = time.monotonic() - started
    assert elapsed > 4  # the run outlives two tokens
    assert [a["code"] for a in answers] == [0] * 50
    assert sandbox.stats.unauthorized == 0  # refreshed before expiry, not after a refusal
    issued = sandbox.stats.tokens_issued
    assert issued == client.stats.token_refreshes
    # one token per 1.8 s (2 s less the 10 % margin), never one per call or per thread
    assert int(elapsed / 2) + 1 <= issued <= int(elapsed / 1.8) + 1


def test_refresh_margin_is_a_tenth_of_a_short_ttl(sandbox_factory):
    sandbox = sandbox_factory(token_ttl_s=100)
    clock = Clock()
    auth = auth_for(sandbox, clock)
    first = auth.token()
    clock.now = 89.9
    assert auth.token() == first
    clock.now = 90.0
    assert auth.token() != first
    assert sandbox.stats.tokens_issued == 2


def test_refresh_margin_is_a_minute_for_an_hour_token(sandbox):
    clock = Clock()
    auth = auth_for(sandbox, clock)
    first = auth.token()
    clock.now = 3539.9
    assert auth.token() == first
    clock.now = 3540.0
    assert auth.token() != first


def test_a_401_refreshes_once_and_every_thread_resends(sandbox_factory):
    sandbox = sandbox_factory(token_ttl_s=0.3)
    auth = auth_for(sandbox, Clock())  # a frozen clock: the token never looks old to us
    client = client_for(sandbox, auth=auth)
    client.get("/items")
    time.sleep(0.4)  # the server expires it
    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(lambda _: client.get("/items"), range(5)))
    assert [a["code"] for a in answers] == [0] * 5
    assert sandbox.stats.unauthorized >= 1
    assert sandbox.stats.tokens_issued == 2


def test_a_token_refused_before_any_answer_stops_at_once(sandbox_factory):
    sandbox = sandbox_factory(token_ttl_s=0)  # every token is dead on arrival
    client = client_for(sandbox, auth=auth_for(sandbox, Clock()))
    with pytest.raises(AuthStopped) as info:
        client.get("/items")
    assert (info.value.status, info.value.code) == (401, 57)
    # minted a moment ago and refused: a new token would be refused too, so none is asked for
    assert sandbox.stats.tokens_issued == 1
    assert sandbox.stats.unauthorized == 1


def test_second_401_after_a_refresh_is_final(sandbox_factory):
    sandbox = sandbox_factory(token_ttl_s=0.3)
    client = client_for(sandbox, auth=auth_for(sandbox, Clock()))
    client.get("/items")  # the first token works
    sandbox.configure(token_ttl_s=0)  # from now on every token is dead on arrival
    time.sleep(0.35)
    with pytest.raises(AuthStopped):
        client.get("/items")
    assert sandbox.stats.tokens_issued == 2  # one refresh, then the run stops
    assert sandbox.stats.unauthorized == 2
    with pytest.raises(AuthStopped):
        client.get("/items")
    assert sandbox.stats.tokens_issued == 2 and sandbox.stats.unauthorized == 2  # nothing more sent


def test_fixed_access_token_refused_is_an_auth_error(sandbox):
    client = client_for(sandbox, access_token="not-a-token")
    with pytest.raises(AuthError) as info:
        client.get("/items")
    assert info.value.message == (
        "Zoho refused ZOHO_ACCESS_TOKEN (expired or wrong data centre): set a fresh one, or set "
        "ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN so bulkio can refresh it."
    )
    assert sandbox.stats.unauthorized == 1
    assert sandbox.stats.tokens_issued == 0


@pytest.mark.parametrize(
    "override, message",
    [
        (
            {"refresh_token": "1000.revoked"},
            "The token call failed (invalid_code): the refresh token is invalid, expired or revoked: "
            "create a new one and set ZOHO_REFRESH_TOKEN.",
        ),
        (
            {"client_secret": "wrong"},
            "The token call failed (invalid_client): ZOHO_CLIENT_ID is unknown at this accounts server: "
            "check it, and --region / ZOHO_ACCOUNTS_URL.",
        ),
    ],
)
def test_token_endpoint_errors_say_what_to_fix(sandbox, override, message):
    auth = auth_for(sandbox, Clock(), **override)
    with pytest.raises(AuthError) as info:
        auth.token()
    assert info.value.message == message


def test_unreachable_accounts_server_is_an_auth_error(sandbox):
    auth = auth_for(sandbox, Clock(), accounts_url="http://127.0.0.1:9")
    with pytest.raises(AuthError) as info:
        auth.token()
    assert "could not reach http://127.0.0.1:9" in info.value.message
