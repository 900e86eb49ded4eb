"""Planted secrets never reach a log line (DEBUG, every logger), an exception or a repr, even
when authentication fails, retries happen or replies are lost."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner
from sandbox_clients import client_for, item

from bulkio.cli import cli
from bulkio.errors import BulkioError
from bulkio.settings import load_settings
from bulkio.zoho.auth import ZohoAuth

CLIENT_SECRET = "SENTINEL-CLIENT-SECRET-7f3a"
REFRESH_TOKEN = "1000.SENTINEL-REFRESH-TOKEN-9c1d"
ACCESS_TOKEN = "1000.SENTINEL-ACCESS-TOKEN-4b2e"


@pytest.fixture
def secret_sandbox(sandbox_factory):
    return sandbox_factory(client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN)


def assert_clean(*texts: str, extra: tuple[str, ...] = ()) -> None:
    for text in texts:
        assert "SENTINEL" not in text  # no secret, nor a cut-off piece of one
        for secret in extra:
            assert secret not in text


def test_a_whole_session_logs_and_shows_no_secret(secret_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(secret_sandbox)
    client.create("items", item(1))
    list(client.iter_records("items"))
    secret_sandbox.configure(fail_rate=0.5, seed=1)
    failed = []
    for n in range(4):
        try:
            client.create("items", item(n + 2))
        except BulkioError as exc:  # a write answered 500 may have been applied
            failed.append(str(exc))
    assert failed
    secret_sandbox.configure(fail_rate=0.0, lost_reply_rate=1.0)
    with pytest.raises(BulkioError) as lost:
        client.create("items", item(99))
    minted = client.auth.secrets()[-1]  # the access token the sandbox issued
    shown = [caplog.text, str(lost.value), *failed, repr(client), repr(client.settings), repr(client.auth),
             repr(client.stats)]
    assert_clean(*shown, extra=(minted,))
    assert minted not in caplog.text and "Zoho-oauthtoken" not in caplog.text
    assert any("urllib3" in r.name for r in caplog.records)  # the DEBUG logs really were captured


@pytest.mark.parametrize("field", ["client_secret", "refresh_token"])
def test_failed_refresh_shows_no_secret(secret_sandbox, caplog, field):
    caplog.set_level(logging.DEBUG)
    credentials = {
        "accounts_url": secret_sandbox.accounts_url,
        "client_id": secret_sandbox.client_id,
        "client_secret": CLIENT_SECRET,
        "refresh_token": REFRESH_TOKEN,
    }
    credentials[field] = credentials[field] + "-WRONG"
    auth = ZohoAuth(**credentials)
    with pytest.raises(BulkioError) as info:
        auth.token()
    assert_clean(caplog.text, str(info.value), repr(info.value), repr(auth))


def test_refused_fixed_token_shows_no_secret(secret_sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    client = client_for(secret_sandbox, access_token=ACCESS_TOKEN)
    with pytest.raises(BulkioError) as info:
        client.get("/items")
    assert_clean(caplog.text, str(info.value), repr(info.value), repr(client.auth), repr(client.settings))


def test_settings_repr_hides_every_secret(tmp_path):
    env = {
        "HOME": str(tmp_path),
        "ZOHO_ORGANIZATION_ID": "1",
        "ZOHO_CLIENT_ID": "cid",
        "ZOHO_CLIENT_SECRET": CLIENT_SECRET,
        "ZOHO_REFRESH_TOKEN": REFRESH_TOKEN,
        "ZOHO_ACCESS_TOKEN": ACCESS_TOKEN,
    }
    settings = load_settings(env=env)
    assert_clean(repr(settings), str(settings))
    assert settings.client_secret == CLIENT_SECRET  # hidden, not lost


def test_cli_failure_prints_no_secret(secret_sandbox, tmp_path):
    env = {
        "HOME": str(tmp_path),
        "ZOHO_API_URL": secret_sandbox.api_url("books"),
        "ZOHO_ACCOUNTS_URL": secret_sandbox.accounts_url,
        "ZOHO_ORGANIZATION_ID": secret_sandbox.org_id,
        "ZOHO_CLIENT_ID": secret_sandbox.client_id,
        "ZOHO_CLIENT_SECRET": CLIENT_SECRET,
        "ZOHO_REFRESH_TOKEN": REFRESH_TOKEN + "-WRONG",
    }
    result = CliRunner().invoke(cli, ["fields", "-m", "items"], env=env)
    assert result.exit_code == 2
    assert "The token call failed (invalid_code)" in result.stderr
    assert_clean(result.output, result.stderr)
