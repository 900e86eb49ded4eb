"""The journal's run lock (bulkio/run/runlock.py): taken atomically, refused while its holder lives,
taken over once the holder is gone (no such process here, or a heartbeat gone quiet elsewhere)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import pytest

from bulkio.errors import ConfigError, ExitCode
from bulkio.run.runlock import STALE_AFTER_S, RunLock, lock_path


def write_lock(journal, *, pid, host, started=None, age=0.0):
    path = lock_path(journal)
    started = time.time() - age if started is None else started
    path.write_text(json.dumps({"pid": pid, "host": host, "started": started, "token": "t"}))
    os.utime(path, (time.time() - age, time.time() - age))
    return path


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_the_lock_file_names_process_host_and_start_and_goes_at_release(tmp_path):
    journal = tmp_path / "items.journal.sqlite"
    with RunLock.acquire(journal) as lock:
        data = json.loads(lock_path(journal).read_text())
        assert (data["pid"], data["host"]) == (os.getpid(), socket.gethostname())
        assert abs(data["started"] - time.time()) < 5
        assert lock.path == tmp_path / "items.journal.sqlite.lock"
    assert not lock_path(journal).exists()


def test_a_second_lock_on_the_same_journal_is_refused_with_exit_2(tmp_path):
    journal = tmp_path / "j.sqlite"
    with RunLock.acquire(journal):
        held = r"another bulkio run \(process \d+ on host .*\) is using this journal"
        with pytest.raises(ConfigError, match=held) as err:
            RunLock.acquire(journal)
    assert err.value.exit_code == ExitCode.USAGE


def test_a_lock_left_by_a_process_that_is_gone_is_taken_over(tmp_path):
    journal = tmp_path / "j.sqlite"
    write_lock(journal, pid=dead_pid(), host=socket.gethostname())
    with RunLock.acquire(journal) as lock:
        assert json.loads(lock_path(journal).read_text())["pid"] == os.getpid() == lock.holder.pid


def test_a_reused_process_id_does_not_keep_an_old_lock(tmp_path):
    # the id is this very process's, but the lock was taken a day before it started
    journal = tmp_path / "j.sqlite"
    write_lock(journal, pid=os.getpid(), host=socket.gethostname(), started=time.time() - 86_400)
    with RunLock.acquire(journal) as lock:
        assert lock.holder.token != "t"


def test_another_hosts_lock_holds_while_its_heartbeat_is_fresh_and_not_after(tmp_path):
    journal = tmp_path / "j.sqlite"
    write_lock(journal, pid=1234, host="bookkeeping-pc", age=60)
    with pytest.raises(ConfigError, match=r"process 1234 on host bookkeeping-pc, started"):
        RunLock.acquire(journal)
    write_lock(journal, pid=1234, host="bookkeeping-pc", age=STALE_AFTER_S + 60)
    with RunLock.acquire(journal) as lock:
        assert lock.holder.host == socket.gethostname()


def test_the_heartbeat_refreshes_the_lock_while_the_run_lasts(tmp_path):
    journal = tmp_path / "j.sqlite"
    with RunLock.acquire(journal, heartbeat_s=0.05) as lock:
        os.utime(lock.path, (time.time() - 1000, time.time() - 1000))
        time.sleep(0.3)
        assert time.time() - lock.path.stat().st_mtime < 5


def test_a_lock_file_being_written_is_not_broken_but_an_old_scrap_is(tmp_path):
    journal = tmp_path / "j.sqlite"
    lock_path(journal).write_text("")
    with pytest.raises(ConfigError, match="another bulkio run, just starting, is using this journal"):
        RunLock.acquire(journal)
    os.utime(lock_path(journal), (time.time() - 60, time.time() - 60))
    with RunLock.acquire(journal):
        assert json.loads(lock_path(journal).read_text())["pid"] == os.getpid()


def test_releasing_never_removes_a_lock_that_is_no_longer_this_runs(tmp_path):
    journal = tmp_path / "j.sqlite"
    lock = RunLock.acquire(journal)
    write_lock(journal, pid=999, host="elsewhere")
    lock.release()
    assert json.loads(lock_path(journal).read_text())["host"] == "elsewhere"


def test_a_journal_folder_that_is_a_file_is_a_message_not_a_crash(tmp_path):
    (tmp_path / "notes").write_text("")
    journal = tmp_path / "notes" / "j.sqlite"
    with pytest.raises(ConfigError) as err:
        RunLock.acquire(journal)
    assert str(err.value) == (f"Cannot use {journal} as the import journal ({tmp_path / 'notes'} is a "
                              "file, not a folder). Pass --journal PATH to use another file.")


def test_a_journal_deeper_under_a_file_names_that_file(tmp_path):
    (tmp_path / "notes").write_text("")
    with pytest.raises(ConfigError, match=f"{tmp_path / 'notes'} is a file, not a folder"):
        RunLock.acquire(tmp_path / "notes" / "deeper" / "j.sqlite")
