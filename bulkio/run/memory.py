"""What bulkio last wrote to, or read of, each record in Zoho, kept between runs.

One SQLite file per user (`$BULKIO_STATE_DIR`, else `$XDG_STATE_HOME/bulkio`, else
`~/.local/state/bulkio`), rows by organisation, module and record id: the record as Zoho
answered it, its `last_modified_time` and its key. It outlives any one file's journal, so the
second import of a catalogue needs no read per record: a list row whose `last_modified_time`
is the remembered one shows a record nobody changed since, and the remembered record stands in
for reading it again.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

FILE_NAME = "records.sqlite"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    scope TEXT NOT NULL, module TEXT NOT NULL, record_id TEXT NOT NULL,
    modified TEXT, body BLOB NOT NULL, saved_at REAL NOT NULL,
    PRIMARY KEY (scope, module, record_id)
)
"""


@dataclass(frozen=True)
class Remembered:
    """A record as Zoho last showed it to bulkio, and that answer's last_modified_time."""

    record: dict
    modified: str | None


def state_dir() -> Path:
    """Where bulkio keeps what outlives one run."""
    if os.environ.get("BULKIO_STATE_DIR"):
        return Path(os.environ["BULKIO_STATE_DIR"])
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "bulkio"


def scope_of(client) -> str:
    """The organisation a client writes to: API root and organisation id (the sandbox and
    Zoho may share an organisation id)."""
    return f"{client.settings.api_url}#{client.settings.organization_id}"


class RecordMemory:
    """The remembered records of one organisation's module; safe to share between threads.

    Example: memory = RecordMemory.open(scope_of(client), "contacts"); memory.put(record, id)
    """

    def __init__(self, conn: sqlite3.Connection | None, scope: str, module: str):
        self._conn = conn
        self._scope = scope
        self._module = module
        self._lock = threading.Lock()

    @classmethod
    def open(cls, scope: str, module: str, directory: Path | None = None) -> RecordMemory:
        """The memory kept in `directory` (default `state_dir()`); an unusable directory gives
        a memory that forgets (every run then reads as a first run would)."""
        try:
            return cls(_connect((directory or state_dir()) / FILE_NAME), scope, module)
        except (OSError, sqlite3.Error):
            return cls(None, scope, module)

    @classmethod
    def forgetful(cls) -> RecordMemory:
        """A memory that keeps nothing (tests, one-off calls)."""
        return cls(None, "", "")

    def get(self, record_id: str) -> Remembered | None:
        """The remembered state of `record_id`, or None. Read from the file one record at a
        time: a catalogue of 100,000 items remembered in full would not fit in memory."""
        record_id = str(record_id)
        with self._lock:
            if self._conn is None:
                return None
            row = self._conn.execute(
                "SELECT modified, body FROM records WHERE scope = ? AND module = ? AND record_id = ?",
                (self._scope, self._module, record_id)).fetchone()
        return Remembered(_load(row[1]), row[0]) if row else None

    def put(self, record: dict, record_id: str) -> None:
        """Remember `record` (as Zoho answered it) as the state of `record_id`."""
        if not record or not record_id or self._conn is None:
            return
        modified = record.get("last_modified_time")
        body = zlib.compress(orjson.dumps(record, default=str))
        with self._lock:
            if self._conn is None:
                return
            with self._conn:
                self._conn.execute(
                    "INSERT OR REPLACE INTO records VALUES (?, ?, ?, ?, ?, ?)",
                    (self._scope, self._module, str(record_id),
                     None if modified in (None, "") else str(modified), body, time.time()))

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def _load(body: bytes) -> dict[str, Any]:
    try:
        return orjson.loads(zlib.decompress(body))
    except (zlib.error, orjson.JSONDecodeError):
        return {}


def _connect(path: Path) -> sqlite3.Connection:
    # business data, not secrets; still nobody else's to read
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
    os.chmod(path, 0o600)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(_SCHEMA)
    conn.commit()
    return conn
