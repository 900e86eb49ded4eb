"""One run per journal: a lock file beside it, `<journal>.lock`, naming the run that holds it.

Two runs on one journal each send every row (60 invoices became 115), and SQLite's own locks
do not hold in synced folders (Dropbox, OneDrive) or on many network shares. A file created with
O_CREAT|O_EXCL is created by one process only, on local disks and on network shares alike. It
names the process, the host and the start time; its modification time is a heartbeat, refreshed
every HEARTBEAT_S seconds while the run lasts.

A lock left by a run that is gone is taken over: on this host, when no process has its id (or the
process with that id started after the lock was taken, so the id was reused); from another host,
which cannot be asked, when its heartbeat is older than STALE_AFTER_S.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from bulkio.errors import ConfigError
from bulkio.run.preflight import first_existing

HEARTBEAT_S = 30.0
STALE_AFTER_S = 300.0  # ten missed heartbeats: that run is gone
STARTING_S = 10.0  # a lock file still without its contents: a run being started


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: process id, host name, start time (epoch seconds), a unique token."""

    pid: int
    host: str
    started: float
    token: str

    def describe(self) -> str:
        """"process 1234 on host X, started 14:02" (with the date when not today)."""
        when = time.localtime(self.started)
        today = time.strftime("%Y-%m-%d") == time.strftime("%Y-%m-%d", when)
        shown = time.strftime("%H:%M" if today else "%Y-%m-%d %H:%M", when)
        return f"process {self.pid} on host {self.host}, started {shown}"


class JournalLocked(ConfigError):
    """Another bulkio run holds the journal; nothing was sent."""

    def __init__(self, journal: Path, lock: Path, holder: Holder | None):
        who = f"another bulkio run ({holder.describe()})" if holder else "another bulkio run, just starting,"
        super().__init__(
            f"The journal {journal} is busy: {who} is using this journal; wait for it to finish, "
            f"or, if that run is no longer going (its computer was switched off, say), delete "
            f"{lock} and run the same command again."
        )


def lock_path(journal: Path) -> Path:
    """The lock file of a journal: `<journal>.lock` beside it."""
    journal = Path(journal)
    return journal.with_name(journal.name + ".lock")


class RunLock:
    """The lock of one journal, held from `acquire` to `release` (or the end of a `with`).

    Example:
        with RunLock.acquire(Path("items.journal.sqlite")):
            ...  # the only run on this journal
    """

    def __init__(self, path: Path, holder: Holder, heartbeat_s: float):
        self.path, self.holder = path, holder
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, args=(heartbeat_s,), daemon=True,
                                      name="bulkio-lock-heartbeat")
        self._beat.start()

    @classmethod
    def acquire(cls, journal: Path, *, heartbeat_s: float = HEARTBEAT_S,
                stale_after_s: float = STALE_AFTER_S) -> RunLock:
        """Take the lock of `journal`, taking over a stale one; JournalLocked (exit 2) when
        another run holds it."""
        path = lock_path(journal)
        mine = Holder(os.getpid(), socket.gethostname(), time.time(), uuid.uuid4().hex)
        holder = None
        for _ in range(3):
            if _create(path, mine, Path(journal)):
                return cls(path, mine, heartbeat_s)
            found = _read(path)
            if found is None:
                continue  # released meanwhile
            holder, text, age = found
            if not _stale(holder, age, stale_after_s):
                break
            _break(path, text)
        raise JournalLocked(Path(journal), path, holder)

    def release(self) -> None:
        """Stop the heartbeat and remove the lock file, if it is still this run's."""
        self._stop.set()
        self._beat.join(timeout=5)
        if self._is_mine():
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def _heartbeat(self, every: float) -> None:
        while not self._stop.wait(every):
            if self._is_mine():
                try:
                    os.utime(self.path)
                except OSError:
                    pass  # a share gone for a moment; the next beat tries again

    def _is_mine(self) -> bool:
        found = _read(self.path)
        return found is not None and found[0] is not None and found[0].token == self.holder.token


def _create(path: Path, holder: Holder, journal: Path) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    except (FileExistsError, NotADirectoryError):
        if path.parent.is_dir():
            return False
        raise _unusable(journal, f"{first_existing(path.parent)} is a file, not a folder") from None
    except OSError as exc:
        raise _unusable(journal, exc.strerror or str(exc)) from None
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(holder)))
        handle.flush()
        os.fsync(handle.fileno())
    return True


def _unusable(journal: Path, why: str) -> ConfigError:
    return ConfigError(f"Cannot use {journal} as the import journal ({why}). "
                       "Pass --journal PATH to use another file.")


def _read(path: Path) -> tuple[Holder | None, str, float] | None:
    """(holder or None when unreadable, the file's text, seconds since its last heartbeat), or
    None when there is no lock file."""
    try:
        text = path.read_text(encoding="utf-8")
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return None, "", 0.0
    try:
        data = json.loads(text)
        holder = Holder(int(data["pid"]), str(data["host"]), float(data["started"]), str(data["token"]))
    except (ValueError, KeyError, TypeError):
        holder = None
    return holder, text, age


def _stale(holder: Holder | None, age: float, stale_after_s: float) -> bool:
    if holder is None:  # no contents: a run creating it right now, or a leftover scrap
        return age > STARTING_S
    if holder.host == socket.gethostname():
        alive = _process_alive(holder.pid, holder.started)
        if alive is not None:
            return not alive
    return age > stale_after_s


def _process_alive(pid: int, since: float) -> bool | None:
    """Whether the process `pid` that took a lock at `since` still runs; None when this system
    cannot say (Windows: os.kill there would end the process)."""
    if os.name == "nt":
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists, owned by someone else
    started = _process_start(pid)
    return started is None or started <= since + 2  # /proc's boot time is in whole seconds


def _process_start(pid: int) -> float | None:
    """When process `pid` started (epoch seconds), where /proc tells (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _break(path: Path, stale_text: str) -> None:
    """Remove the stale lock that held `stale_text`. It is renamed first, then checked: had a
    new run replaced it meanwhile, that run's lock is put back instead of being deleted."""
    aside = path.with_name(f"{path.name}.stale-{uuid.uuid4().hex}")
    try:
        path.rename(aside)
    except FileNotFoundError:
        return
    try:
        if aside.read_text(encoding="utf-8") != stale_text:
            os.link(aside, path)
    except OSError:
        pass  # a lock created in between wins; the next attempt sees it
    aside.unlink(missing_ok=True)
