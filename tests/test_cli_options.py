"""The shared option families (bulkio.cli.options) and the session's redaction helpers."""

from __future__ import annotations

import click
from click.testing import CliRunner

from bulkio.cli.options import build_client, connection_options, input_options
from bulkio.zoho.session import redact_headers, redact_url, scrub


@click.command()
@click.argument("file")
@input_options
@connection_options
def probe(file, inputs, connection):
    """Echo what the decorators handed over."""
    click.echo(f"{file}|{inputs.module}|{inputs.key}|{inputs.mode}|{connection.org}|{connection.region}")
    client = build_client(connection, rate=600, concurrency=3, daily_limit=50)
    s = client.settings
    click.echo(f"{s.organization_id}|{s.api_url}|{s.rate_per_minute}|{s.max_in_flight}|{client.quota.limit}")


def run(args, tmp_path, **env):
    base = {"HOME": str(tmp_path), "ZOHO_ACCESS_TOKEN": "t", "ZOHO_ORGANIZATION_ID": "from-env"}
    return CliRunner().invoke(probe, args, env={**base, **env})


def test_mode_defaults_to_upsert_with_a_key_and_create_without(tmp_path):
    keyed = run(["f.csv", "-m", "items", "-k", "SKU"], tmp_path)
    assert keyed.output.splitlines()[0] == "f.csv|items|SKU|upsert|None|None"
    assert run(["f.csv", "-m", "items"], tmp_path).output.splitlines()[0] == "f.csv|items|None|create|None|None"
    out = run(["f.csv", "-m", "items", "-k", "SKU", "--mode", "update"], tmp_path).output
    assert out.splitlines()[0] == "f.csv|items|SKU|update|None|None"


def test_connection_flags_win_over_env_and_limits_reach_the_client(tmp_path):
    result = run(["f.csv", "-m", "items", "--org", "from-flag", "--region", "EU", "--app", "inventory"], tmp_path,
                 ZOHO_REGION="jp")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "f.csv|items|None|create|from-flag|eu",
        "from-flag|https://www.zohoapis.eu/inventory/v1|600|3|50",
    ]


def test_module_is_required(tmp_path):
    result = run(["f.csv"], tmp_path)
    assert result.exit_code == 2 and "Missing option '-m' / '--module'" in result.output


def test_redaction_helpers():
    assert redact_url("http://x/oauth?refresh_token=abc&organization_id=1&code=9") == (
        "http://x/oauth?refresh_token=***&organization_id=1&code=***"
    )
    assert redact_headers({"Authorization": "Zoho-oauthtoken t", "X-Upsert": "true"}) == {
        "Authorization": "***", "X-Upsert": "true",
    }
    assert scrub("bad token abc123 here" + "x" * 500, ["abc123"], limit=20) == "bad token *** herexx"
