"""An unexpected error (a bug) is exit 4, with a scrubbed message
and a log that says the rest. Before, it was exit 1 ("some rows failed, see the report"),
and an access token holding a line break showed in the message."""

from __future__ import annotations

import os
import stat

import pytest
from e2e_support import csv_text, invoke, sandbox_env, write_bytes

from bulkio.cli.crashlog import error_line, run_secrets

TOKEN = "1000.SECRETHALF\nSECRETOTHERHALF"


@pytest.fixture
def a_bug(monkeypatch, sandbox):
    """A bug inside the import, after the journal is open, whose message holds a secret (the
    way requests quotes a header it refuses). A token with a line break no longer gets that
    far: settings refuse it (exit 2)."""
    def broken(*args, **kwargs):
        raise ValueError(f"Invalid header value b'Zoho-oauthtoken {sandbox.refresh_token}'")

    monkeypatch.setattr("bulkio.importing.read_ahead", broken)


def test_a_bug_exits_4_scrubbed_and_says_where_its_owner_only_log_is(sandbox, tmp_path, a_bug):
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(["Item Name", "Rate"], [["Desk", "10"]]), "utf-8")
    logs = tmp_path / "bulkio-state" / "logs"  # conftest's BULKIO_STATE_DIR

    result = invoke(env, "import", source, "-m", "items", "--rate", "60000")

    assert result.exit_code == 4
    log = next(logs.iterdir())
    journal = tmp_path / "items.journal.sqlite"
    assert result.stderr == (
        "Unexpected error (a bug in bulkio): ValueError: Invalid header value b'Zoho-oauthtoken ***'\n"
        f"The details are in {log} (secrets removed): please send that file with a bug report.\n"
        f"Rows already written to Zoho are recorded in the journal {journal}: the same command "
        f"again sends none of them twice, and its report ({tmp_path / 'items.report.xlsx'}) then "
        "covers every row.\n")
    text = log.read_text()
    assert "Traceback (most recent call last)" in text and "ValueError" in text
    assert sandbox.refresh_token not in text + result.output + result.stderr
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 and stat.S_IMODE(logs.stat().st_mode) == 0o700


def test_the_one_line_is_scrubbed_before_it_is_cut():
    secrets = run_secrets([type("Source", (), {"secrets": lambda self: (TOKEN,)})()])
    exc = RuntimeError(f"header {TOKEN!r} and raw {TOKEN}")

    assert error_line(exc, secrets) == "RuntimeError: header '***' and raw ***"


def test_secrets_in_the_environment_are_scrubbed_without_a_client(monkeypatch):
    monkeypatch.setenv("ZOHO_CLIENT_SECRET", "shhh-client-secret")

    assert error_line(KeyError("shhh-client-secret"), run_secrets()) == "KeyError: '***'"


def test_a_log_that_cannot_be_written_still_gives_a_message(sandbox, tmp_path, monkeypatch, a_bug):
    blocker = tmp_path / "state-is-a-file"
    blocker.write_text("")
    monkeypatch.setenv("BULKIO_STATE_DIR", str(blocker))
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(["Item Name", "Rate"], [["Desk", "10"]]), "utf-8")

    result = invoke(env, "import", source, "-m", "items", "--rate", "60000", "--dry-run")

    assert result.exit_code == 4
    assert result.stderr.splitlines()[1].startswith("Its details could not be logged (")
    assert "journal" not in result.stderr  # a dry run has none
    assert sandbox.refresh_token not in result.stderr and not os.path.isdir(blocker)


def test_a_bug_with_traceback_asked_for_prints_it_and_still_exits_4(sandbox, tmp_path, a_bug):
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(["Item Name", "Rate"], [["Desk", "10"]]), "utf-8")

    result = invoke(env, "--traceback", "import", source, "-m", "items", "--rate", "60000")

    assert result.exit_code == 4
    assert "Traceback (most recent call last)" in result.stderr and "ValueError" in result.stderr
    assert sandbox.refresh_token not in result.output + result.stderr


def test_an_access_token_with_a_line_break_is_refused_before_anything_is_sent(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    env.update(ZOHO_ACCESS_TOKEN=TOKEN, ZOHO_REFRESH_TOKEN=None, ZOHO_CLIENT_SECRET=None)
    source = write_bytes(tmp_path / "items.csv", csv_text(["Item Name", "Rate"], [["Desk", "10"]]), "utf-8")

    result = invoke(env, "import", source, "-m", "items", "--rate", "60000")

    assert result.exit_code == 2
    assert "ZOHO_ACCESS_TOKEN" in result.stderr
    assert "SECRET" not in result.output + result.stderr
    assert sandbox.stats.writes == 0
