"""Secrets scrubbed from messages: secrets a server echoes URL-encoded, and an access token with a
line break, reach no message; the sandbox warns when it listens beyond loopback and keeps its
credentials file owner-only."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from urllib.parse import quote, quote_plus

import pytest
from canned_zoho import send_answer, serving
from click.testing import CliRunner

from bulkio.cli import cli
from bulkio.errors import AuthError, ConfigError
from bulkio.sandbox import Sandbox, SandboxConfig
from bulkio.sandbox.server import exposure_warning
from bulkio.settings import load_settings
from bulkio.zoho.auth import ZohoAuth
from bulkio.zoho.session import build_session, scrub

CLIENT_SECRET = "SENTINEL+secret/7f3a=="
REFRESH_TOKEN = "1000.SENTINEL&refresh=9c1d"
BROKEN_TOKEN = "1000.SENTINEL0a1b2c3d4e5f\n6a7b8c9d0e1f2a3b"


class Echo(BaseHTTPRequestHandler):
    """An accounts server that answers every token request with its form body echoed back, as
    raw text inside a JSON error (`mode` "json") or in an HTML page ("page")."""

    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.server.mode == "json":
            status, kind, payload = 200, "application/json", json.dumps({"error": body})
        elif self.server.mode == "token":
            status, kind, payload = 200, "application/json", json.dumps(
                {"access_token": BROKEN_TOKEN, "expires_in": 3600})
        else:
            status, kind, payload = 400, "text/html", f"<html><body>bad request: {body}</body></html>"
        send_answer(self, status, kind, payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def echo():
    with serving(Echo, mode="json") as server:
        yield server


def auth_at(server) -> ZohoAuth:
    return ZohoAuth(accounts_url=f"http://127.0.0.1:{server.server_port}", client_id="cid",
                    client_secret=CLIENT_SECRET, refresh_token=REFRESH_TOKEN, session=build_session())


def test_a_form_body_echoed_url_encoded_in_a_token_error_shows_no_secret(echo):
    with pytest.raises(AuthError) as info:
        auth_at(echo).token()
    shown = str(info.value)
    assert "grant_type=refresh_token" in shown  # the echo really reached the message
    assert "SENTINEL" not in shown
    assert quote_plus(CLIENT_SECRET) not in shown and quote_plus(REFRESH_TOKEN) not in shown


def test_a_minted_token_with_a_line_break_is_refused_without_showing_it(echo):
    echo.mode = "token"
    with pytest.raises(AuthError) as info:
        auth_at(echo).token()
    assert "holds spaces, a line break" in str(info.value)
    assert "SENTINEL" not in str(info.value)


@pytest.mark.parametrize("echoed", [
    quote(CLIENT_SECRET, safe=""), quote_plus(CLIENT_SECRET), quote(CLIENT_SECRET, safe="").lower(),
    json.dumps(CLIENT_SECRET), "client_secret=" + quote_plus(CLIENT_SECRET) + "&x=1",
    CLIENT_SECRET.replace("+", "&#43;"), repr(BROKEN_TOKEN), repr(BROKEN_TOKEN.encode()), quote_plus(BROKEN_TOKEN),
    BROKEN_TOKEN, BROKEN_TOKEN.splitlines()[0], BROKEN_TOKEN.splitlines()[1],
])
def test_scrub_catches_a_secret_in_every_form_a_server_or_library_echoes(echoed):
    shown = scrub(f"answer: {echoed} (end)", [CLIENT_SECRET, BROKEN_TOKEN])
    assert "SENTINEL" not in shown and "6a7b8c9d0e1f2a3b" not in shown
    assert shown.startswith("answer: ") and shown.endswith(" (end)")


def test_scrub_leaves_ordinary_text_alone():
    assert scrub("1000 rows, 12 failed", [BROKEN_TOKEN, CLIENT_SECRET]) == "1000 rows, 12 failed"


def test_an_access_token_with_a_line_break_is_refused_before_anything_is_sent(tmp_path):
    env = {"HOME": str(tmp_path), "ZOHO_ORGANIZATION_ID": "1", "ZOHO_ACCESS_TOKEN": BROKEN_TOKEN}
    with pytest.raises(ConfigError) as info:
        load_settings(env=env)
    assert "ZOHO_ACCESS_TOKEN" in str(info.value) and "SENTINEL" not in str(info.value)
    result = CliRunner().invoke(cli, ["fields", "-m", "items", "--api-url", "http://127.0.0.1:9/books/v3"],
                                env={**env, "ZOHO_CLIENT_ID": None, "ZOHO_REFRESH_TOKEN": None})
    assert result.exit_code == 2, result.output + result.stderr
    assert "SENTINEL" not in result.output + result.stderr


# --- the sandbox --------------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["0.0.0.0", "", "::", "192.0.2.10"])
def test_the_sandbox_warns_when_it_listens_beyond_loopback(host):
    warning = exposure_warning(host)
    assert warning and "other machines" in warning and "credentials" in warning


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.0.0.2"])
def test_the_sandbox_says_nothing_on_loopback(host):
    assert exposure_warning(host) is None


def test_bulkio_sandbox_on_every_address_prints_the_warning_on_stderr(tmp_path):
    code = ("import sys; from bulkio.cli import main; "
            "sys.argv = ['bulkio', 'sandbox', '--host', '0.0.0.0', '--port', '0']; main()")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=os.getcwd())
    try:
        first = proc.stdout.readline()  # the export lines come once it listens
        assert first.startswith("export ")
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "beyond this machine" in err and "other machines" in err


def test_the_sandbox_data_file_is_created_owner_only(tmp_path):
    db = tmp_path / "sandbox.sqlite"
    old = os.umask(0o022)
    try:
        Sandbox(SandboxConfig(db=str(db))).stop()
    finally:
        os.umask(old)
    assert stat.S_IMODE(db.stat().st_mode) == 0o600


def test_a_wider_sandbox_data_file_is_tightened(tmp_path):
    db = tmp_path / "sandbox.sqlite"
    Sandbox(SandboxConfig(db=str(db))).stop()
    for name in (db, tmp_path / "sandbox.sqlite-wal"):
        name.touch()
        os.chmod(name, 0o644)
    sandbox = Sandbox(SandboxConfig(db=str(db)))
    sandbox.stop()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    wal = tmp_path / "sandbox.sqlite-wal"
    assert not wal.exists() or stat.S_IMODE(wal.stat().st_mode) == 0o600


@pytest.mark.parametrize("secret", ["1000.it's\"quoted\nHALFSECRETHALF", "1000.café-secret-value"])
def test_a_secret_as_python_prints_it_in_a_string_or_bytes_is_scrubbed(secret):
    for shown in (repr(secret), repr(secret.encode("utf-8")), str([secret]), str({"t": secret.encode()})):
        assert "***" in scrub(shown, [secret], limit=1000), shown
        assert secret.splitlines()[0] not in scrub(shown, [secret], limit=1000)
