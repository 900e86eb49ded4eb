"""Auth failures stop the run: a refresh that fails part-way, or a 401 to a token minted a moment ago (a
missing scope), stops the run once (exit 3) naming the scopes the module's OpenAPI file lists;
the rows not sent stay pending and the same command sends them once the credentials work; no
storm of token requests."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from e2e_support import (
    add_item_fields,
    csv_text,
    import_args,
    invoke,
    journal_rows,
    numbered_items,
    outcomes,
    sandbox_env,
    statuses,
    write_bytes,
)
from sandbox_clients import client_for

from bulkio.errors import AuthStopped
from bulkio.sandbox import scopes as sandbox_scopes

EXTERNAL_ID = (("External ID", "string", {"is_unique": True}),)
ITEM_SCOPES = "ZohoBooks.settings.CREATE, ZohoBooks.settings.READ, ZohoBooks.settings.UPDATE"


def import_setup(sandbox, tmp_path, n):
    """(env, items file of `n` rows, report path) for an import into `sandbox`."""
    source = write_bytes(tmp_path / "items.csv", csv_text(*numbered_items(n)), "utf-8")
    return sandbox_env(sandbox, tmp_path), source, tmp_path / "report.csv"


def assert_stopped_for_auth(result, report, journal):
    """Exit 3, the rows not sent `skipped` with what to do, pending (never failed) in the journal."""
    assert result.exit_code == 3, result.output + result.stderr
    assert "Stopped: Zoho " in result.output
    assert ITEM_SCOPES in result.output
    done = outcomes(report)
    assert {status for _, status, _, _ in done} <= {"created", "skipped"}
    skipped = [message for _, status, _, message in done if status == "skipped"]
    assert skipped and all(ITEM_SCOPES in m and "run the same command again" in m for m in skipped)
    assert "failed" not in set(journal_rows(journal).values())
    return len(skipped)


def test_a_refresh_token_revoked_mid_run_stops_once_and_the_same_command_finishes(sandbox_factory, tmp_path):
    # tokens live 1 s; the refresh token mints two, then is revoked: about 2 s into a 4 s run
    sandbox = sandbox_factory(token_ttl_s=1, refresh_token_uses=2)
    add_item_fields(sandbox, EXTERNAL_ID)
    env, source, report = import_setup(sandbox, tmp_path, 40)

    stopped = invoke(env, *import_args(source, "--concurrency", "3", rate="600", report=report))

    skipped = assert_stopped_for_auth(stopped, report, tmp_path / "items.journal.sqlite")
    assert "Zoho stopped renewing bulkio's access part-way" in stopped.output
    assert sandbox.tokens.requests == 3  # two tokens, one refused refresh: no storm
    assert sandbox.stats.unauthorized <= 3  # only calls already in flight met the dead token
    assert len(sandbox.records("items")) == 40 - skipped

    sandbox.configure(refresh_token_uses=None)  # the credentials work again
    finished = invoke(env, *import_args(source, "--concurrency", "3", report=report))

    assert finished.exit_code == 0, finished.output + finished.stderr
    assert set(statuses(report).values()) == {"created"}
    assert sorted(r["name"] for r in sandbox.records("items")) == [f"Item {i:04d}" for i in range(40)]


def test_a_grant_without_the_create_scope_stops_before_any_row_fails(sandbox_factory, tmp_path):
    granted = tuple(s for s in sandbox_scopes.ALL_SCOPES if s != "ZohoBooks.settings.CREATE")
    sandbox = sandbox_factory(scopes=granted)
    env, source, report = import_setup(sandbox, tmp_path, 12)

    stopped = invoke(env, *import_args(source, key=None, report=report))  # create mode

    assert assert_stopped_for_auth(stopped, report, tmp_path / "items.journal.sqlite") == 12
    assert "Zoho refused POST /items with an access token bulkio had just received" in stopped.output
    assert sandbox.tokens.requests == 2  # the first token, and one fresh one to be sure
    assert sandbox.records("items") == []

    # a new grant with every scope, as the message says; the same command then sends every row
    code = sandbox.grant_code()
    answer = requests.post(sandbox.accounts_url + "/oauth/v2/token", data={
        "grant_type": "authorization_code", "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret, "code": code}).json()
    finished = invoke({**env, "ZOHO_REFRESH_TOKEN": answer["refresh_token"]},
                      *import_args(source, key=None, report=report))

    assert finished.exit_code == 0, finished.output + finished.stderr
    assert set(statuses(report).values()) == {"created"}  # not "failed the same way in an earlier run"
    assert len(sandbox.records("items")) == 12


def test_threads_meeting_a_revoked_refresh_token_ask_for_one_token_in_all(sandbox_factory):
    sandbox = sandbox_factory(token_ttl_s=0.3, refresh_token_uses=1)
    client = client_for(sandbox)
    client.get("/items")
    time.sleep(0.35)  # the token expired; the refresh token is spent

    def call(_):
        try:
            client.get("/items")
        except AuthStopped as exc:
            return exc
        return None

    with ThreadPoolExecutor(8) as pool:
        errors = list(pool.map(call, range(25)))

    assert all(isinstance(e, AuthStopped) for e in errors)
    assert sandbox.tokens.requests == 2  # the first token, the refused refresh: nothing more
    assert all(int(e.exit_code) == 3 and ITEM_SCOPES in e.message for e in errors)


def test_a_401_to_a_fresh_token_stops_every_later_call_without_a_token_request(sandbox_factory):
    granted = tuple(s for s in sandbox_scopes.ALL_SCOPES if s != "ZohoBooks.settings.CREATE")
    sandbox = sandbox_factory(scopes=granted)
    client = client_for(sandbox)
    assert client.get("/items")["code"] == 0  # reading is allowed
    for _ in range(5):
        with pytest.raises(AuthStopped) as info:
            client.create("items", {"name": "x", "rate": 1})
    assert "the grant lacks a scope this call needs" in info.value.message
    assert f"organisation {sandbox.org_id}" in info.value.message
    assert sandbox.tokens.requests == 2
    assert sandbox.stats["POST", "items"] == 2  # the first refusal and its one resend
