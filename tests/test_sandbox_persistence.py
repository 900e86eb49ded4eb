"""--db keeps data and credentials across restarts; the CLI prints eval-able exports."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from sandbox_clients import Zoho

from bulkio.sandbox import Sandbox, SandboxConfig


def test_db_file_keeps_records_fields_and_credentials(tmp_path):
    db = str(tmp_path / "zoho.sqlite")
    with Sandbox(SandboxConfig(db=db)) as sb:
        sb.add_custom_field("item", label="External ID", is_unique=True)
        Zoho(sb).item("Widget", custom_fields=[{"api_name": "cf_external_id", "value": "K1"}])
        credentials = (sb.client_id, sb.client_secret, sb.refresh_token)
    with Sandbox(SandboxConfig(db=db)) as sb:
        assert (sb.client_id, sb.client_secret, sb.refresh_token) == credentials
        zoho = Zoho(sb)
        [item] = zoho.get("/items").json()["items"]
        assert [(f["api_name"], f["value"]) for f in item["custom_fields"]] == [("cf_external_id", "K1")]
        # The unique indexes are rebuilt from the file.
        again = zoho.post("/items", json={"name": "Other", "rate": 1,
                                          "custom_fields": [{"api_name": "cf_external_id", "value": "K1"}]})
        assert again.json()["code"] == 1001
        assert zoho.upsert("items", "cf_external_id", "K1", {"rate": 3}).status_code == 200
        # New ids never reuse old ones.
        assert zoho.item("New")["item_id"] > item["item_id"]


def test_without_db_nothing_survives(tmp_path):
    with Sandbox(SandboxConfig()) as sb:
        Zoho(sb).item("Widget")
    with Sandbox(SandboxConfig()) as sb:
        assert sb.records("items") == []


def test_cli_prints_eval_ready_exports_then_serves(tmp_path):
    code = f"from bulkio.cli import main; main(['sandbox', '--port', '0', '--db', {str(tmp_path / 's.db')!r}])"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True,
                            cwd=os.path.dirname(os.path.dirname(__file__)))
    try:
        lines = [proc.stdout.readline().strip() for _ in range(6)]
        env = {}
        for line in lines:
            word, assignment = shlex.split(line)
            assert word == "export"
            name, _, value = assignment.partition("=")
            env[name] = value
        assert list(env) == ["ZOHO_API_URL", "ZOHO_ACCOUNTS_URL", "ZOHO_ORGANIZATION_ID", "ZOHO_CLIENT_ID",
                             "ZOHO_CLIENT_SECRET", "ZOHO_REFRESH_TOKEN"]
        assert env["ZOHO_API_URL"] == env["ZOHO_ACCOUNTS_URL"] + "/books/v3"
        import requests

        token = requests.post(env["ZOHO_ACCOUNTS_URL"] + "/oauth/v2/token", params={
            "grant_type": "refresh_token", "client_id": env["ZOHO_CLIENT_ID"],
            "client_secret": env["ZOHO_CLIENT_SECRET"], "refresh_token": env["ZOHO_REFRESH_TOKEN"]}).json()
        answer = requests.get(env["ZOHO_API_URL"] + "/items", params={"organization_id": env["ZOHO_ORGANIZATION_ID"]},
                              headers={"Authorization": "Zoho-oauthtoken " + token["access_token"]})
        assert answer.status_code == 200 and answer.json()["items"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_export_lines_quote_for_the_shell(sandbox):
    lines = sandbox.export_lines()
    assert lines[0] == f"export ZOHO_API_URL={sandbox.api_url('books')}"
    assert all(len(shlex.split(line)) == 2 for line in lines)


def test_config_repr_hides_secrets():
    config = SandboxConfig(client_secret="s3cret-value", refresh_token="r3fresh-value")
    assert "s3cret-value" not in repr(config) and "r3fresh-value" not in repr(config)
