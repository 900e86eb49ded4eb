"""The journal's file : a damaged journal is never silently a new one.

Before: a 0-byte journal, or a WAL journal whose -wal file was lost, opened as an empty journal
and the run sent every row again (in create mode: every record twice); a journal locked by
another program was "Unexpected error: OperationalError: database is locked". Now each is
refused, exit 2, naming the file and what to do, and --no-resume keeps the damaged file aside.
"""

from __future__ import annotations

import shutil
import sqlite3
import time

import pytest
from e2e_support import csv_text, invoke, journal_rows, numbered_items, sandbox_env, write_bytes

ROWS = 5


@pytest.fixture
def run(sandbox, tmp_path):
    """(env, source, journal, args) of a create-mode import of ROWS items."""
    env = sandbox_env(sandbox, tmp_path)
    header, rows = numbered_items(ROWS)
    source = write_bytes(tmp_path / "items.csv", csv_text(header[1:], [r[1:] for r in rows]), "utf-8")
    args = ["import", source, "-m", "items", "--rate", "60000", "--report", tmp_path / "report.csv"]
    return env, source, tmp_path / "items.journal.sqlite", args


def refusal(journal, problem: str) -> str:
    return (
        f"Error: The journal {journal} cannot be used: {problem}. Nothing was sent: the journal is what "
        "tells which rows an earlier run sent. Put back a complete copy of it if you have one; "
        "or pass --journal PATH to start another journal; or run the same command with "
        f"--no-resume to start afresh (the damaged file is kept, renamed {journal.name}.damaged-<date>). "
        "Starting afresh sends every row again: without -k, first check in Zoho which rows the "
        "earlier run created and take them out of the file.\n"
    )


def first_run(sandbox, run):
    env, _source, journal, args = run
    assert invoke(env, *args).exit_code == 0
    assert len(sandbox.records("items")) == ROWS and len(journal_rows(journal)) == ROWS
    sandbox.stats.reset()
    return journal


def test_an_emptied_journal_is_refused_not_started_afresh(sandbox, run):
    journal = first_run(sandbox, run)
    journal.write_bytes(b"")  # a sync tool or a full disk left it 0 bytes

    result = invoke(run[0], *run[3])

    assert result.exit_code == 2
    assert result.stderr == refusal(journal, "the file is empty (0 bytes)")
    assert sandbox.stats.writes == 0 and len(sandbox.records("items")) == ROWS


def test_a_truncated_journal_is_refused(sandbox, run):
    journal = first_run(sandbox, run)
    data = journal.read_bytes()
    journal.write_bytes(data[: len(data) - 1000])

    result = invoke(run[0], *run[3])

    assert result.exit_code == 2
    assert "cannot be used: the file is cut short (" in result.stderr
    assert sandbox.stats.writes == 0


def test_a_file_that_is_not_a_journal_is_refused(sandbox, run):
    env, source, journal, args = run
    journal.write_text("Item Name,Rate\nDesk,10\n")

    result = invoke(env, *args)

    assert result.exit_code == 2
    assert result.stderr == refusal(journal, "it is not a bulkio journal (not a SQLite file)")
    assert sandbox.stats.writes == 0


def as_older_bulkio_left_it(journal, tmp_path) -> None:
    """Rewrite `journal` as an older bulkio left it when killed: WAL mode, every page still in
    the -wal file beside it (copied while the connection was open)."""
    source = sqlite3.connect(journal)
    older = sqlite3.connect(tmp_path / "older.sqlite")
    older.execute("PRAGMA journal_mode=WAL")
    source.backup(older)
    shutil.copy(tmp_path / "older.sqlite", journal)
    shutil.copy(tmp_path / "older.sqlite-wal", journal.with_name(journal.name + "-wal"))
    older.close()
    source.close()


def test_an_older_wal_journal_without_its_wal_file_is_refused(sandbox, run, tmp_path):
    journal = first_run(sandbox, run)
    as_older_bulkio_left_it(journal, tmp_path)
    journal.with_name(journal.name + "-wal").unlink()  # copied, synced or backed up without it

    result = invoke(run[0], *run[3])

    assert result.exit_code == 2
    assert result.stderr == refusal(journal, (
        "it was written by an older bulkio in WAL mode and its side file "
        "items.journal.sqlite-wal, which holds its rows, is missing"))
    assert sandbox.stats.writes == 0 and len(sandbox.records("items")) == ROWS


def test_an_older_wal_journal_with_its_wal_file_resumes_and_becomes_one_file(sandbox, run, tmp_path):
    journal = first_run(sandbox, run)
    as_older_bulkio_left_it(journal, tmp_path)

    result = invoke(run[0], *run[3])

    assert result.exit_code == 0, result.output + result.stderr
    assert sandbox.stats.writes == 0 and len(sandbox.records("items")) == ROWS  # all done before
    assert not journal.with_name(journal.name + "-wal").exists()
    check = sqlite3.connect(journal)
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    check.close()


def test_no_resume_keeps_the_damaged_journal_aside_and_starts_afresh(sandbox, run, tmp_path):
    env, _source, journal, args = run
    journal.write_bytes(b"")

    result = invoke(env, *args, "--no-resume")

    assert result.exit_code == 0, result.output + result.stderr
    kept = [p.name for p in tmp_path.iterdir() if p.name.startswith("items.journal.sqlite.damaged-")]
    assert len(kept) == 1 and (tmp_path / kept[0]).read_bytes() == b""
    assert f"Warning: the journal {journal} was damaged (the file is empty (0 bytes)); it was kept as " \
           f"{tmp_path / kept[0]} and this run starts a new one\n" in result.stderr
    assert len(journal_rows(journal)) == ROWS and len(sandbox.records("items")) == ROWS


def test_a_journal_locked_by_another_program_is_a_message_not_a_crash(sandbox, run):
    journal = first_run(sandbox, run)
    other = sqlite3.connect(journal, isolation_level=None)  # say, a database browser mid-edit
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        result = invoke(run[0], *run[3])
        waited = time.monotonic() - started
    finally:
        other.execute("ROLLBACK")
        other.close()

    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: The journal {journal} is in use by another program (SQLite says it is locked): "
        "close any program that has it open (a database browser, or an older bulkio still "
        "running) and run the same command again.\n")
    assert sandbox.stats.writes == 0
    assert waited < 20
