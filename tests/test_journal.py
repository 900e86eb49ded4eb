"""The journal: states survive close/reopen and a SIGKILL; identities are checked."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from bulkio.errors import ConfigError
from bulkio.run.journal import Journal

IDENTITY = {"input": "/data/items.csv", "module": "items", "mode": "upsert",
            "key": "cf_external_id", "org": "books/123"}


def test_states_survive_close_and_reopen(tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal.open(path, IDENTITY) as journal:
        journal.mark_sending(2, "SKU-1", "h1")
        journal.mark_done(2, "created", record_id="100")
        journal.mark_sending(3, "SKU-2", "h2")
        journal.mark_done(3, "failed", error_code="1001", message="Item name exists", retryable=False)
        journal.mark_sending(4, "SKU-3", "h3")
    with Journal.open(path, IDENTITY) as journal:
        entries = journal.entries()
    assert sorted(entries) == [2, 3, 4]
    assert (entries[2].status, entries[2].record_id, entries[2].key, entries[2].payload_hash) == (
        "created", "100", "SKU-1", "h1")
    assert (entries[3].status, entries[3].error_code, entries[3].message) == (
        "failed", "1001", "Item name exists")
    assert entries[4].status == "sending"
    assert entries[2].done and not entries[3].done and not entries[4].done


def test_attempts_count_and_sending_clears_the_last_error(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", IDENTITY) as journal:
        journal.mark_sending(2, "K", "h1")
        journal.mark_done(2, "failed", error_code="1000", message="boom", retryable=True)
        assert journal.get(2).retryable is True
        journal.mark_sending(2, "K", "h2")
        entry = journal.get(2)
    assert (entry.attempts, entry.status, entry.error_code, entry.message, entry.payload_hash) == (
        2, "sending", None, None, "h2")


def test_mark_done_without_sending_needs_key_and_hash(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", IDENTITY) as journal:
        journal.mark_done(5, "unchanged", record_id="77", key="SKU-5", payload_hash="h5")
        entry = journal.get(5)
    assert (entry.status, entry.record_id, entry.key, entry.payload_hash, entry.attempts) == (
        "unchanged", "77", "SKU-5", "h5", 0)


def test_many_outcomes_land_together_or_not_at_all(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", IDENTITY) as journal:
        journal.mark_done_many([
            dict(row=2, status="unchanged", record_id="71", key="K2", payload_hash="h2", sent={"name": "Pen"}),
            dict(row=3, status="unchanged", record_id="72", key="K3", payload_hash="h3"),
        ])
        with pytest.raises(ValueError):
            journal.mark_done_many([dict(row=4, status="unchanged", key="K4", payload_hash="h4"),
                                    dict(row=5, status="done")])
        entries = journal.entries()
    assert {row: (e.status, e.record_id, e.key, e.sent) for row, e in entries.items()} == {
        2: ("unchanged", "71", "K2", {"name": "Pen"}), 3: ("unchanged", "72", "K3", None)}


def test_a_record_id_is_kept_when_a_later_outcome_has_none(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", IDENTITY) as journal:
        journal.mark_sending(2, "K", "h1")
        journal.mark_done(2, "created", record_id="100")
        journal.mark_sending(2, "K", "h2")
        journal.mark_done(2, "failed", error_code="1000", message="x")
        assert journal.get(2).record_id == "100"


def test_unknown_status_is_refused(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", IDENTITY) as journal:
        with pytest.raises(ValueError):
            journal.mark_done(2, "done")


def test_another_identity_is_refused_with_the_flags_that_fix_it(tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal.open(path, IDENTITY) as journal:
        journal.mark_sending(2, "K", "h")
    other = dict(IDENTITY, module="contacts")
    with pytest.raises(ConfigError) as err:
        Journal.open(path, other)
    text = str(err.value)
    assert "--no-resume" in text and "--journal" in text and "module=contacts" in text
    assert "module=items" in text


def test_no_resume_starts_afresh_even_for_another_identity(tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal.open(path, IDENTITY) as journal:
        journal.mark_sending(2, "K", "h")
        journal.mark_done(2, "created", record_id="1")
    with Journal.open(path, IDENTITY, resume=False) as journal:
        assert journal.entries() == {}
        journal.mark_sending(3, "K3", "h3")
    other = dict(IDENTITY, mode="create")
    with Journal.open(path, other, resume=False) as journal:
        assert journal.entries() == {}
    # the identity was replaced: the new one resumes, the old one is refused
    with Journal.open(path, other) as journal:
        assert journal.entries() == {}
    with pytest.raises(ConfigError):
        Journal.open(path, IDENTITY)


def test_a_file_that_is_not_a_journal_is_a_config_error(tmp_path):
    path = tmp_path / "j.sqlite"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(ConfigError, match="--journal"):
        Journal.open(path, IDENTITY)


def test_threads_share_one_journal(tmp_path):
    with Journal.open(tmp_path / "j.sqlite", IDENTITY) as journal:
        def work(start):
            for row in range(start, start + 50):
                journal.mark_sending(row, f"K{row}", "h")
                journal.mark_done(row, "created", record_id=str(row))

        threads = [threading.Thread(target=work, args=(i * 50,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        entries = journal.entries()
    assert len(entries) == 200
    assert all(e.status == "created" and e.record_id == str(e.row) for e in entries.values())


def test_the_journal_is_one_file_with_no_side_file_to_lose(tmp_path):
    path = tmp_path / "j.sqlite"
    with Journal.open(path, IDENTITY) as journal:
        journal.mark_sending(2, "K2", "h2")
        assert sorted(p.name for p in tmp_path.iterdir()) == ["j.sqlite"]
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()


WRITER = """
import sys
from bulkio.run.journal import Journal
journal = Journal.open(sys.argv[1], {"input": "x"})
row = 0
while True:
    row += 1
    journal.mark_sending(row, f"K{row}", f"h{row}")
    if row == 20:
        print("ready", flush=True)
    journal.mark_done(row, "created", record_id=f"id{row}")
"""


def test_a_sigkill_while_writing_leaves_a_consistent_journal(tmp_path):
    path = tmp_path / "j.sqlite"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE,
                            env=env)
    assert proc.stdout.readline().strip() == b"ready"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    with Journal.open(path, {"input": "x"}) as journal:
        entries = journal.entries()
    rows = sorted(entries)
    assert rows == list(range(1, len(rows) + 1)) and len(rows) >= 20
    # the writer works one row at a time: every row but the last is done, the last may be
    # caught between its two commits
    for row in rows[:-1]:
        assert (entries[row].status, entries[row].record_id) == ("created", f"id{row}")
    last = entries[rows[-1]]
    assert (last.status, last.record_id) in {("created", f"id{last.row}"), ("sending", None)}
    assert last.key == f"K{last.row}" and last.payload_hash == f"h{last.row}"
