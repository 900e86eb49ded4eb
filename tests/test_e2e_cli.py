"""The CLI's outside contract end to end: exit code 2 with a clear message and nothing sent,
and the plan printed before the first write (seen by a real process reading a pipe)."""

from __future__ import annotations

import pytest
from e2e_support import (
    add_item_fields,
    csv_text,
    import_args,
    invoke,
    items_by_key,
    numbered_items,
    sandbox_env,
    start_bulkio,
    write_bytes,
)


@pytest.fixture
def env(sandbox, tmp_path):
    add_item_fields(sandbox)
    return sandbox_env(sandbox, tmp_path)


@pytest.fixture
def source(tmp_path):
    return write_bytes(tmp_path / "items.csv", csv_text(*numbered_items(3)), "utf-8")


@pytest.mark.parametrize("command", ["import", "validate"])
def test_an_unknown_module_is_exit_2_with_the_known_ones_listed(sandbox, env, source, command):
    result = invoke(env, command, source, "-m", "widgets")

    assert result.exit_code == 2
    assert result.stderr == ("Error: unknown module 'widgets'; known modules: bills, contacts, "
                             "creditnotes, estimates, invoices, items, purchaseorders, "
                             "salesorders\n")
    assert "Traceback" not in result.output + result.stderr
    assert sandbox.stats.writes == 0


def test_a_missing_file_is_exit_2_and_names_it(sandbox, env, tmp_path):
    missing = tmp_path / "nope.csv"

    result = invoke(env, *import_args(missing))

    assert result.exit_code == 2
    assert f"File '{missing}' does not exist." in result.stderr
    assert "Traceback" not in result.output + result.stderr
    assert sandbox.stats.total == 0


def test_missing_credentials_are_exit_2_and_say_which_setting_to_give(sandbox, env, source):
    env = {**env, "ZOHO_REFRESH_TOKEN": None, "ZOHO_CLIENT_SECRET": None}

    result = invoke(env, *import_args(source))

    assert result.exit_code == 2
    assert result.stderr == ("Error: No Zoho credentials: set ZOHO_CLIENT_SECRET, ZOHO_REFRESH_TOKEN "
                             "(OAuth refresh-token grant), or set ZOHO_ACCESS_TOKEN to use a fixed "
                             "access token.\n")
    assert "Traceback" not in result.output + result.stderr
    assert sandbox.stats.total == 0 and sandbox.stats.tokens_issued == 0


@pytest.mark.sandbox_config(field_metadata="full")  # a Zoho that sends is_unique
def test_a_key_that_is_no_unique_custom_field_is_exit_2(sandbox, env, source):
    result = invoke(env, *import_args(source, key="Nope"))

    assert result.exit_code == 2
    assert result.stderr == ('Error: -k "Nope": items has no field called that; use one of: '
                             "cf_external_id (External ID), name (Item Name), sku\n")
    assert sandbox.stats.writes == 0


def test_the_plan_reaches_a_pipe_before_the_first_write(sandbox_factory, tmp_path):
    # Every call takes 0.7 s, so a write sent right after the plan cannot have been applied
    # by the time the plan's first line is read from the pipe.
    sandbox = sandbox_factory(latency_ms=700)
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(*numbered_items(3)), "utf-8")
    proc = start_bulkio(import_args(source), env)
    try:
        plan = [proc.stdout.readline().decode() for _ in range(4)]
        applied_when_planned = sandbox.stats.writes_applied
        rest, err = proc.stdout.read(), proc.stderr.read()  # both small: no pipe fills up
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()

    assert plan == [
        "Rows: 3 valid, 0 invalid.\n",
        "Calls: 3 writes + 1 reads = 4 calls.\n",
        "Time: less than a minute at 60000 requests per minute.\n",
        "Daily quota: this uses 0% of 1,000,000,000 calls a day; 999,999,998 left today.\n",
    ]
    assert applied_when_planned == 0
    assert proc.returncode == 0, err.decode()
    assert rest.decode().startswith("Rows: 3 (3 created)\n")
    assert sorted(items_by_key(sandbox)) == ["K0000", "K0001", "K0002"]


def test_an_unknown_organization_is_a_configuration_error_naming_the_setting(sandbox, tmp_path):
    from e2e_support import add_item_fields, import_args, invoke, sandbox_env

    add_item_fields(sandbox)
    src = tmp_path / "items.csv"
    src.write_text("External ID,Item Name,Selling Price\nA1,Pen,2\n", encoding="utf-8")
    env = {**sandbox_env(sandbox, tmp_path), "ZOHO_ORGANIZATION_ID": "999"}
    r = invoke(env, *import_args(src))
    assert r.exit_code == 2
    assert "ZOHO_ORGANIZATION_ID" in r.stderr and "999" in r.stderr
    assert sandbox.stats.writes == 0


def test_python_dash_m_bulkio_runs_the_command_line():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "bulkio", "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "bulkio" in done.stdout
