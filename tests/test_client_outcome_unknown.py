"""Unsettled writes, client side, in seconds not hours: a write whose request went out and
whose answer settles nothing (a 5xx, a gateway page, a timeout, a dropped connection) may have
been applied, so the client raises OutcomeUnknown with a plain reason and never resends it;
reads are retried; a server that accepts and never answers costs seconds, not minutes."""

from __future__ import annotations

import socket
import threading
import time
from http.server import BaseHTTPRequestHandler

import pytest
from canned_zoho import send_answer, serving
from e2e_support import (
    add_item_fields,
    csv_text,
    import_args,
    invoke,
    numbered_items,
    read_table,
    sandbox_env,
    statuses,
    write_bytes,
)
from sandbox_clients import UNLIMITED, client_for, item

from bulkio.errors import OutcomeUnknown, ServerError
from bulkio.settings import ConnectionSettings
from bulkio.zoho.client import ZohoClient
from bulkio.zoho.session import DEFAULT_TIMEOUT, build_session

EXTERNAL_ID = (("External ID", "string", {"is_unique": True}),)


# --- a write applied, then answered with a gateway page ---------------------------------------

def test_a_write_applied_then_answered_504_is_maybe_applied_not_failed(sandbox):
    sandbox.configure(applied_error_rate=1.0, **UNLIMITED)
    client = client_for(sandbox)
    with pytest.raises(OutcomeUnknown) as info:
        client.create("items", item(1))
    assert info.value.reason == "Zoho answered HTTP 504 with a gateway page"
    assert "may or may not have applied it" in str(info.value)
    assert sandbox.stats["POST", "items"] == 1  # sent once: main resent it, and got "already exists"
    assert [r["name"] for r in sandbox.records("items")] == ["Item 0001"]


def test_a_create_mode_import_whose_writes_are_applied_then_answered_504_creates_every_row_once(
        sandbox_factory, tmp_path):
    # main resent each such POST and reported the row failed: 'Item "Item 0003" already exists.'
    sandbox = sandbox_factory(applied_error_rate=0.3, seed=11)
    add_item_fields(sandbox, EXTERNAL_ID)
    source = write_bytes(tmp_path / "items.csv", csv_text(*numbered_items(20)), "utf-8")
    report = tmp_path / "report.csv"

    result = invoke(sandbox_env(sandbox, tmp_path), *import_args(source, "--mode", "create", key=None,
                                                                 report=report))

    assert sandbox.stats.by_status[504] > 0  # the gateway really answered for applied writes
    assert result.exit_code == 0, result.output + result.stderr
    assert set(statuses(report).values()) == {"created"}
    names = sorted(r["name"] for r in sandbox.records("items"))
    assert names == [f"Item {i:04d}" for i in range(20)]  # each row once, none "already exists"
    ids = sorted(r["record_id"] for r in read_table(report))
    assert ids == sorted(r["item_id"] for r in sandbox.records("items"))


# --- answers a local server gives ---------------------------------------------------------------

class Scripted(BaseHTTPRequestHandler):
    """Answers each request with the next (status, content type, body) of `server.script`;
    the last one repeats. Counts requests per method in `server.seen`."""

    protocol_version = "HTTP/1.1"

    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        server = self.server
        with server.lock:
            server.seen[self.command] = server.seen.get(self.command, 0) + 1
            status, kind, body = server.script[0] if len(server.script) == 1 else server.script.pop(0)
        send_answer(self, status, kind, body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture
def scripted():
    script = [(200, "application/json", '{"code": 0, "message": "success", "items": []}')]
    with serving(Scripted, lock=threading.Lock(), seen={}, script=script) as server:
        yield server


def local_client(port: int, timeout=(1.0, 0.3), write_timeout=0.5) -> ZohoClient:
    settings = ConnectionSettings(
        organization_id="1", api_url=f"http://127.0.0.1:{port}/books/v3", accounts_url="http://127.0.0.1:9",
        access_token="1000.fixed", rate_per_minute=60_000, daily_limit=10**6, timeout=timeout,
        write_timeout=write_timeout)
    return ZohoClient(settings, session=build_session(backoff_factor=0.01, backoff_jitter=0.01, timeout=timeout))


GATEWAY = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
OK_ITEM = '{"code": 0, "message": "The item has been added.", "item": {"item_id": "7"}}'


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_gateway_page_to_any_write_is_maybe_applied_and_sent_once(scripted, method):
    scripted.script = [(502, "text/html", GATEWAY), (201, "application/json", OK_ITEM)]
    client = local_client(scripted.server_port)
    with pytest.raises(OutcomeUnknown) as info:
        client.request(method, "/items/7" if method != "POST" else "/items", json={"name": "x"})
    assert info.value.reason == "Zoho answered HTTP 502 with a gateway page"
    assert scripted.seen == {method: 1}


def test_a_write_answered_500_keeps_zohos_words_beside_maybe_applied(scripted):
    scripted.script = [(500, "application/json", '{"code": 1000, "message": "Internal Error"}')]
    with pytest.raises(OutcomeUnknown) as info:
        local_client(scripted.server_port).update("items", "7", item(1))
    assert isinstance(info.value, ServerError)
    assert (info.value.status, info.value.code, info.value.message) == (500, 1000, "Internal Error")
    assert info.value.reason == "Zoho answered HTTP 500, a server error"
    assert str(info.value) == ("Internal Error (HTTP 500, Zoho code 1000); Zoho may or may not have applied "
                               "it, so it is not sent again before Zoho is checked for the record.")
    assert scripted.seen == {"PUT": 1}


def test_a_write_answered_200_with_a_page_instead_of_json_is_maybe_applied(scripted):
    scripted.script = [(200, "text/html", "<html><body>Please wait</body></html>")]
    with pytest.raises(OutcomeUnknown) as info:
        local_client(scripted.server_port).create("items", item(1))
    assert info.value.reason == "Zoho answered HTTP 200 with a page, not JSON"


def test_a_refused_write_is_an_error_not_maybe_applied(scripted):
    scripted.script = [(400, "application/json", '{"code": 4, "message": "name cannot be empty."}')]
    with pytest.raises(Exception) as info:
        local_client(scripted.server_port).create("items", {"rate": 1})
    assert not isinstance(info.value, OutcomeUnknown)
    assert scripted.seen == {"POST": 1}


def test_a_read_answered_5xx_is_retried_until_it_is_answered(scripted):
    scripted.script = [(503, "text/html", GATEWAY), (500, "application/json", '{"code": 1000, "message": "x"}'),
                       (200, "application/json", '{"code": 0, "message": "success", "items": []}')]
    assert local_client(scripted.server_port).get("/items")["code"] == 0
    assert scripted.seen == {"GET": 3}


def test_a_read_from_a_mute_server_says_no_answer_within_n_s_and_is_asked_twice(mute_port):
    port, accepted = mute_port
    client = local_client(port, timeout=(1.0, 0.3))
    started = time.monotonic()
    with pytest.raises(ServerError) as info:
        client.get("/items")
    elapsed = time.monotonic() - started
    assert "no answer from Zoho within 0.3 s" in str(info.value)
    assert "ConnectionError" not in str(info.value)
    assert len(accepted) == 2  # sent once more, no more: two read timeouts at most
    assert elapsed < 1.5


def test_a_write_to_a_mute_server_is_maybe_applied_after_one_bounded_wait(mute_port):
    port, accepted = mute_port
    client = local_client(port, timeout=(1.0, 0.3), write_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(OutcomeUnknown) as info:
        client.create("items", item(1))
    elapsed = time.monotonic() - started
    assert info.value.reason == "no answer from Zoho within 0.5 s"
    assert len(accepted) == 1
    assert 0.45 < elapsed < 1.5


def test_nothing_listening_is_retried_for_writes_too_and_is_not_maybe_applied():
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ServerError) as info:
        local_client(port).create("items", item(1))
    assert "could not connect" in str(info.value)


def test_reads_wait_about_30_s_and_writes_a_little_longer_by_default():
    settings = ConnectionSettings(organization_id="1", api_url="x", accounts_url="y", access_token="t")
    assert settings.timeout == DEFAULT_TIMEOUT == (10.0, 30.0)
    assert 30.0 < settings.write_timeout <= 60.0
