"""One run per journal : two `bulkio import` processes started at once on the
same file and journal must not both send. Before the lock, 60 invoices became 115."""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

from e2e_support import csv_text, invoke, sandbox_env, start_bulkio, write_bytes
from sandbox_clients import client_for

import bulkio
from bulkio.run.runlock import RunLock

INVOICES = 60
HEADER = ["Customer Name", "Invoice Date", "Item Name", "Quantity", "Rate"]


def seeded(sandbox_factory):
    sandbox = sandbox_factory(latency_ms=80)  # the first run lasts seconds: both start well within it
    client = client_for(sandbox)
    client.create("contacts", {"contact_name": "Bowman Ltd", "contact_type": "customer"})
    client.create("items", {"name": "Widget", "rate": 10.0})
    return sandbox


def test_two_runs_at_once_on_one_journal_create_each_invoice_once(sandbox_factory, tmp_path):
    sandbox = seeded(sandbox_factory)
    env = sandbox_env(sandbox, tmp_path)
    env["PYTHONPATH"] = str(Path(bulkio.__file__).parents[1])  # this checkout's bulkio
    rows = [["Bowman Ltd", "2024-05-01", "Widget", str(n + 1), "10"] for n in range(INVOICES)]
    source = write_bytes(tmp_path / "invoices.csv", csv_text(HEADER, rows), "utf-8")
    args = ["import", str(source), "-m", "invoices", "--rate", "60000", "--concurrency", "2",
            "--report", str(tmp_path / "report.csv")]

    first = start_bulkio(args, env)
    time.sleep(0.05)
    second = start_bulkio(args, env)
    outs = [p.communicate(timeout=120) for p in (first, second)]
    codes = sorted(p.returncode for p in (first, second))

    assert len(sandbox.records("invoices")) == INVOICES, [o[1].decode() for o in outs]
    assert codes == [0, 2], [o[1].decode() for o in outs]
    refused = next(o[1].decode() for p, o in zip((first, second), outs, strict=False) if p.returncode == 2)
    assert "another bulkio run (process " in refused
    assert "is using this journal" in refused


def test_a_run_while_another_holds_the_lock_says_who_and_sends_nothing(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(["Item Name", "Rate"], [["Desk", "10"]]), "utf-8")
    journal = tmp_path / "items.journal.sqlite"

    with RunLock.acquire(journal) as held:
        result = invoke(env, "import", source, "-m", "items", "--rate", "60000")
        started = time.strftime("%H:%M", time.localtime(held.holder.started))

    assert result.exit_code == 2, result.output + result.stderr
    assert result.stderr == (
        f"Error: The journal {journal} is busy: another bulkio run (process {os.getpid()} on host "
        f"{socket.gethostname()}, started {started}) is using this journal; wait for it to finish, "
        f"or, if that run is no longer going (its computer was switched off, say), delete "
        f"{journal}.lock and run the same command again.\n")
    assert sandbox.stats.writes == 0  # the one call: the custom fields, read to match columns
    assert not (tmp_path / "items.report.xlsx").exists()


def test_a_finished_run_leaves_no_lock_and_a_dry_run_takes_none(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(["Item Name", "Rate"], [["Desk", "10"]]), "utf-8")
    lock = tmp_path / "items.journal.sqlite.lock"

    with RunLock.acquire(tmp_path / "items.journal.sqlite"):
        dry = invoke(env, "import", source, "-m", "items", "--rate", "60000", "--dry-run")
    done = invoke(env, "import", source, "-m", "items", "--rate", "60000")

    assert dry.exit_code == 0, dry.output + dry.stderr  # the dry run never waited for the lock
    assert done.exit_code == 0, done.output + done.stderr
    assert not lock.exists()
    assert [r["name"] for r in sandbox.records("items")] == ["Desk"]
