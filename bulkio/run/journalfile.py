"""The journal's file: checked whole before a run trusts it, kept in a mode with no side file.

Older bulkio kept the journal in SQLite's WAL mode, where the rows written since the last
checkpoint live in a second file, `<journal>-wal`. Copied, synced or backed up without it, the
journal looked empty and the next run silently started afresh (and, without -k, created every
record again). The journal now uses SQLite's rollback journal (`journal_mode=DELETE`): between
commits the journal is one file, and `synchronous=FULL` makes each commit survive a power cut too.
The cost, a few milliseconds per row (bench/journal_mode.py), is small beside a Zoho call.

A journal that exists but cannot be trusted (empty, cut short, not a SQLite file, written in WAL
mode with its `-wal` file missing) is refused with a message; `--no-resume` then moves it aside
as `<name>.damaged-<time>` instead of deleting it, so nothing the user had is lost.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bulkio.errors import ConfigError

MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100
SIDE_FILES = ("-wal", "-shm", "-journal")
OPEN_WAIT_S = 2.0  # how long opening waits for another program's lock on the file
RUN_WAIT_MS = 30_000  # during the run: a reader (a person's DB browser) holds it only briefly


class JournalDamaged(ConfigError):
    """The journal file exists but does not hold a whole journal; nothing was sent."""

    def __init__(self, path: Path, problem: str):
        self.path, self.problem = path, problem
        super().__init__(
            f"The journal {path} cannot be used: {problem}. Nothing was sent: the journal is what "
            "tells which rows an earlier run sent. Put back a complete copy of it if you have one; "
            "or pass --journal PATH to start another journal; or run the same command with "
            "--no-resume to start afresh (the damaged file is kept, renamed "
            f"{path.name}.damaged-<date>). Starting afresh sends every row again: without -k, "
            "first check in Zoho which rows the earlier run created and take them out of the file."
        )


class JournalInUse(ConfigError):
    """Another program holds a lock on the journal's SQLite file; nothing was sent."""

    def __init__(self, path: Path):
        super().__init__(
            f"The journal {path} is in use by another program (SQLite says it is locked): close "
            "any program that has it open (a database browser, or an older bulkio still running) "
            "and run the same command again."
        )


def open_journal_file(path: Path) -> sqlite3.Connection:
    """A connection to the journal at `path` (created when missing), in rollback-journal mode,
    after checking that an existing file holds a whole journal.

    Raises JournalDamaged or JournalInUse (both exit 2); other sqlite3 and OS errors pass on.

    Example: conn = open_journal_file(Path("items.journal.sqlite"))
    """
    path = Path(path)
    problem = file_problem(path)
    if problem:
        raise JournalDamaged(path, problem)
    had_wal = side_file(path, "-wal").exists()
    # sqlite3 opens a transaction before each write and every `with conn` block commits it,
    # so each state change is exactly one committed transaction.
    conn = sqlite3.connect(path, check_same_thread=False, timeout=OPEN_WAIT_S)
    try:
        _check_content(conn, path, had_wal)
        _use_rollback_journal(conn, path)
        _check_writable(conn)
        conn.execute(f"PRAGMA busy_timeout = {RUN_WAIT_MS}")
    except sqlite3.OperationalError as exc:
        conn.close()
        if _is_locked(exc):
            raise JournalInUse(path) from None
        raise
    except BaseException:
        conn.close()
        raise
    return conn


def file_problem(path: Path) -> str | None:
    """What is wrong with the journal file at `path`, read as bytes, or None (also when it does
    not exist yet: a new journal)."""
    if not path.is_file():
        return None
    size = path.stat().st_size
    wal, hot = side_file(path, "-wal").exists(), side_file(path, "-journal").exists()
    if size == 0:
        # an older bulkio's WAL journal keeps everything in its -wal file until a checkpoint
        return None if wal else "the file is empty (0 bytes)"
    with open(path, "rb") as handle:
        header = handle.read(HEADER_BYTES)
    if not (header.startswith(MAGIC) or MAGIC.startswith(header)):
        return "it is not a bulkio journal (not a SQLite file)"
    if len(header) < HEADER_BYTES:
        return f"the file is cut short ({size} bytes)"
    if wal or hot:
        return None  # SQLite completes (or rolls back) the file from its side file when opened
    page = int.from_bytes(header[16:18], "big")
    page = 65_536 if page == 1 else page
    pages = int.from_bytes(header[28:32], "big")
    counted = pages and header[24:28] == header[92:96]  # SQLite's rule for a valid page count
    if (page and size % page) or (counted and size < pages * page):
        return f"the file is cut short ({size:,} bytes, where its header says {pages * page:,})"
    return None


def side_file(path: Path, suffix: str) -> Path:
    """SQLite's side file of `path` (`-wal`, `-shm`, `-journal`)."""
    return path.with_name(path.name + suffix)


def set_aside_if_damaged(path: Path) -> tuple[Path, str] | None:
    """For --no-resume: move a damaged journal (and its side files) aside as
    `<name>.damaged-<time>`, so a fresh one can start without losing the old; (new name, what
    was wrong), or None when the journal is whole or missing."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        open_journal_file(path).close()
    except JournalDamaged as exc:
        return _set_aside(path), exc.problem
    except sqlite3.DatabaseError as exc:  # a check SQLite itself refused to run
        return _set_aside(path), str(exc)
    return None


def _set_aside(path: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    path.rename(target)
    for suffix in SIDE_FILES:
        if side_file(path, suffix).exists():
            side_file(path, suffix).rename(side_file(target, suffix))
    return target


def _check_content(conn: sqlite3.Connection, path: Path, had_wal: bool) -> None:
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0]
    except sqlite3.OperationalError as exc:
        if _is_locked(exc):
            raise
        raise JournalDamaged(path, f"SQLite cannot read it ({exc})") from None
    except sqlite3.DatabaseError as exc:  # "file is not a database", "malformed"
        raise JournalDamaged(path, f"SQLite cannot read it ({exc})") from None
    if verdict != "ok":
        raise JournalDamaged(path, f"SQLite finds it damaged ({verdict})")
    if tables == 0 and path.stat().st_size > 0:
        if _wal_header(path) and not had_wal:
            raise JournalDamaged(path, (
                "it was written by an older bulkio in WAL mode and its side file "
                f"{side_file(path, '-wal').name}, which holds its rows, is missing"))
        raise JournalDamaged(path, "it holds no journal (a SQLite file without tables)")


def _use_rollback_journal(conn: sqlite3.Connection, path: Path) -> None:
    # Leaving WAL mode (a journal of an older bulkio) first folds the -wal file into the journal.
    mode = conn.execute("PRAGMA journal_mode = DELETE").fetchone()[0]
    if str(mode).lower() != "delete":
        raise JournalInUse(path)  # SQLite keeps WAL mode while another connection has the file
    conn.execute("PRAGMA synchronous = FULL")


def _check_writable(conn: sqlite3.Connection) -> None:
    """Take the write lock once and let it go: a journal another program is writing is found
    here, with a message, not at the first row."""
    conn.execute("BEGIN IMMEDIATE")
    conn.rollback()


def _wal_header(path: Path) -> bool:
    with open(path, "rb") as handle:
        header = handle.read(20)
    return len(header) == 20 and header[18] == 2


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text
