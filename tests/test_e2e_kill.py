"""A real `bulkio import` process killed with SIGKILL in mid-run, then the same command again:
exactly one record per row in Zoho and a report covering every row."""

from __future__ import annotations

import signal
import time

import pytest
from e2e_support import (
    add_item_fields,
    csv_text,
    import_args,
    invoke,
    items_by_key,
    journal_rows,
    kill_when_some_rows_are_done,
    numbered_items,
    sandbox_env,
    start_bulkio,
    statuses,
    write_bytes,
)

ROWS = 40


@pytest.mark.parametrize("mode", ["upsert", "create"])
def test_a_sigkill_mid_run_then_the_same_command_gives_one_record_per_row(sandbox_factory, tmp_path, mode):
    sandbox = sandbox_factory(latency_ms=100)
    add_item_fields(sandbox, (("External ID", "string", {"is_unique": True}),))
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(*numbered_items(ROWS)), "utf-8")
    report = tmp_path / "report.csv"
    args = import_args(source, "--mode", mode, "--concurrency", "3", report=report,
                       key="External ID" if mode == "upsert" else None)

    proc = start_bulkio(args, env)
    try:
        at_kill = kill_when_some_rows_are_done(proc, tmp_path / "items.journal.sqlite", 6)
    finally:
        proc.kill()
        proc.wait()

    assert proc.returncode == -signal.SIGKILL
    # Writes already inside Zoho when the process died still land (their answers are lost).
    time.sleep(0.4)
    assert 6 <= len(sandbox.records("items")) < ROWS  # killed in mid-run
    assert not report.exists()
    sandbox.configure(latency_ms=0)
    sandbox.stats.reset()

    result = invoke(env, *args)

    assert result.exit_code == 0, result.output + result.stderr
    done = statuses(report)
    assert sorted(done) == list(range(2, ROWS + 2))
    assert set(done.values()) <= {"created", "updated"}
    assert all(done[row] == "created" for row, s in at_kill.items() if s == "created")
    names = sorted(r["name"] for r in sandbox.records("items"))
    assert names == [f"Item {i:04d}" for i in range(ROWS)]  # none twice, none missing
    if mode == "upsert":
        assert sorted(items_by_key(sandbox)) == [f"K{i:04d}" for i in range(ROWS)]
    created_before = sum(s == "created" for s in at_kill.values())
    assert sandbox.stats.writes <= ROWS - created_before  # finished rows are not sent again


def test_ctrl_c_mid_run_exits_3_with_a_full_report_and_the_same_command_finishes(sandbox_factory, tmp_path):
    sandbox = sandbox_factory(latency_ms=100)
    add_item_fields(sandbox, (("External ID", "string", {"is_unique": True}),))
    env = sandbox_env(sandbox, tmp_path)
    source = write_bytes(tmp_path / "items.csv", csv_text(*numbered_items(ROWS)), "utf-8")
    report = tmp_path / "report.csv"
    args = import_args(source, "--concurrency", "3", report=report)
    journal = tmp_path / "items.journal.sqlite"

    proc = start_bulkio(args, env)
    try:
        while sum(s == "created" for s in journal_rows(journal).values()) < 6:
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
        proc.wait()

    assert proc.returncode == 3, err.decode()
    assert "Stopped: interrupted. Run the same command again to resume." in out.decode()
    assert "Traceback" not in err.decode()
    first = statuses(report)
    assert sorted(first) == list(range(2, ROWS + 2))
    assert set(first.values()) == {"created", "skipped"}
    assert sum(s == "created" for s in first.values()) == len(sandbox.records("items"))

    result = invoke(env, *args)

    assert result.exit_code == 0, result.output + result.stderr
    assert set(statuses(report).values()) == {"created"}
    assert sorted(items_by_key(sandbox)) == [f"K{i:04d}" for i in range(ROWS)]
