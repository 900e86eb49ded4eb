"""The import journal: one SQLite row per spreadsheet row sent, so a run can resume.

Every state change is committed on its own, in WAL mode, so a crash or a SIGKILL at any moment
leaves a journal whose rows each hold their last committed state. `synchronous=NORMAL` is enough
for that: WAL commits survive a killed process; only a power cut may lose the last few.

Only the payload's hash is stored, never the payload, so nothing secret (or large) lands here.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulkio.errors import ConfigError

SCHEMA_VERSION = "1"

#: Outcomes a row can be journalled with. `sending` means the call went out (or was about to)
#: and no answer was recorded; `unknown` means the answer was lost.
STATUSES = frozenset(
    {"pending", "sending", "created", "updated", "unchanged", "failed", "unknown"}
)
DONE_STATUSES = frozenset({"created", "updated", "unchanged"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rows (
    row INTEGER PRIMARY KEY,
    key TEXT,
    payload_hash TEXT,
    status TEXT NOT NULL,
    record_id TEXT,
    error_code TEXT,
    message TEXT,
    retryable INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
"""

_COLUMNS = (
    "row, key, payload_hash, status, record_id, error_code, message, retryable, attempts, updated_at"
)


@dataclass(frozen=True)
class JournalEntry:
    """The last committed state of one spreadsheet row."""

    row: int
    key: str | None
    payload_hash: str | None
    status: str
    record_id: str | None
    error_code: str | None
    message: str | None
    retryable: bool
    attempts: int
    updated_at: float

    @property
    def done(self) -> bool:
        """True when the row reached Zoho (created, updated) or needed nothing (unchanged)."""
        return self.status in DONE_STATUSES


class Journal:
    """A thread-safe journal of row outcomes in one SQLite file.

    Example:
        with Journal.open(path, {"input": "items.csv", "module": "items"}) as journal:
            journal.mark_sending(2, "SKU-1", "ab12...")
            journal.mark_done(2, "created", record_id="460000000012345")
    """

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self._conn = conn
        self._lock = threading.Lock()
        self.path = path

    @classmethod
    def open(cls, path: str | Path, identity: dict[str, Any], resume: bool = True) -> "Journal":
        """Open (or create) the journal at `path` for a run described by `identity`.

        `identity` names what the rows belong to (input file, module, mode, key, app/org). A
        journal written for another identity is refused with a ConfigError unless `resume` is
        False, which starts afresh.
        """
        path = Path(path)
        conn = _connect(path)
        journal = cls(conn, path)
        try:
            journal._claim(_identity_text(identity), resume)
        except BaseException:
            conn.close()
            raise
        return journal

    def _claim(self, identity: str, resume: bool) -> None:
        stored = self._meta("identity")
        if resume and stored is not None and stored != identity:
            raise ConfigError(
                f"The journal {self.path} belongs to another import "
                f"({_describe(stored)}); this run is {_describe(identity)}. "
                "Pass --no-resume to start afresh, or --journal PATH to keep both."
            )
        with self._lock, self._conn:
            if not resume or stored is None:
                self._conn.execute("DELETE FROM rows")
            self._conn.execute(
                "INSERT OR REPLACE INTO meta(name, value) VALUES ('identity', ?), ('schema', ?)",
                (identity, SCHEMA_VERSION),
            )

    def _meta(self, name: str) -> str | None:
        with self._lock:
            found = self._conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return found[0] if found else None

    def mark_sending(self, row: int, key: str | None, payload_hash: str) -> None:
        """Record that the write for `row` is about to go out; call it before sending."""
        with self._lock, self._conn:
            self._conn.execute(
                """INSERT INTO rows(row, key, payload_hash, status, attempts, updated_at)
                   VALUES (?, ?, ?, 'sending', 1, ?)
                   ON CONFLICT(row) DO UPDATE SET key = excluded.key,
                       payload_hash = excluded.payload_hash, status = 'sending',
                       error_code = NULL, message = NULL, retryable = 0,
                       attempts = rows.attempts + 1, updated_at = excluded.updated_at""",
                (row, key, payload_hash, time.time()),
            )

    def mark_done(
        self,
        row: int,
        status: str,
        record_id: str | None = None,
        error_code: str | None = None,
        message: str | None = None,
        *,
        key: str | None = None,
        payload_hash: str | None = None,
        retryable: bool = False,
    ) -> None:
        """Record the outcome of `row`.

        `key` and `payload_hash` are needed only for a row never marked sending (an unchanged
        row found by comparison); otherwise the values from `mark_sending` are kept.
        `retryable` marks a failure worth retrying on resume (5xx, 429, lost answer).
        A `record_id` of None keeps the one already journalled.
        """
        if status not in STATUSES:
            raise ValueError(f"unknown journal status {status!r}")
        with self._lock, self._conn:
            self._conn.execute(
                """INSERT INTO rows(row, key, payload_hash, status, record_id, error_code,
                                    message, retryable, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(row) DO UPDATE SET
                       key = coalesce(excluded.key, rows.key),
                       payload_hash = coalesce(excluded.payload_hash, rows.payload_hash),
                       status = excluded.status,
                       record_id = coalesce(excluded.record_id, rows.record_id),
                       error_code = excluded.error_code, message = excluded.message,
                       retryable = excluded.retryable, updated_at = excluded.updated_at""",
                (row, key, payload_hash, status, record_id, error_code, message,
                 int(retryable), time.time()),
            )

    def entries(self) -> dict[int, JournalEntry]:
        """Every journalled row, by spreadsheet row number."""
        with self._lock:
            found = self._conn.execute(f"SELECT {_COLUMNS} FROM rows ORDER BY row").fetchall()
        return {r[0]: _entry(r) for r in found}

    def get(self, row: int) -> JournalEntry | None:
        """The journalled state of one row, or None if it was never journalled."""
        with self._lock:
            found = self._conn.execute(
                f"SELECT {_COLUMNS} FROM rows WHERE row = ?", (row,)
            ).fetchone()
        return _entry(found) if found else None

    def close(self) -> None:
        """Close the file; the journal stays on disk for the next run."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resume_action(entry: JournalEntry | None, payload_hash: str, *, keyed: bool) -> str:
    """What a run should do with a row, given what the journal knows of it.

    `keyed` is True when the write goes by unique key or Zoho id (a PUT: sending it twice does
    no harm) and False for a create (a POST: sending it twice makes two records). Answers:

    - "send": write it (never journalled, pending, changed since, or a transient failure);
    - "done": it reached Zoho with this very payload; report the journalled outcome;
    - "failed": it failed for a reason that will not change by itself; report that again;
    - "check": a create went out and its answer was lost; look the record up by name first;
    - "update": it was created earlier and the payload changed since; update it by its id,
      because creating it again would make a duplicate.
    """
    if entry is None or entry.status == "pending":
        return "send"
    if entry.done:
        if entry.payload_hash == payload_hash:
            return "done"
        return "update" if not keyed and entry.record_id else "send"
    if entry.status in ("sending", "unknown"):
        return "send" if keyed else "check"
    if entry.payload_hash != payload_hash or entry.retryable:
        return "send"
    return "failed"


def unsettled(items, journal: "Journal | None") -> list:
    """The work items the journal does not show as finished (done or failed) with their
    present payload: what a run still has to send."""
    entries = journal.entries() if journal is not None else {}
    return [i for i in items
            if resume_action(entries.get(i.row), i.payload_hash, keyed=True) not in ("done", "failed")]


def _connect(path: Path) -> sqlite3.Connection:
    from bulkio.journalfile import open_journal_file

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # a damaged or locked file is refused here (exit 2), in a mode with no side file to lose
        conn = open_journal_file(path)
        conn.executescript(_SCHEMA)
    except (sqlite3.DatabaseError, OSError) as exc:
        raise ConfigError(
            f"Cannot use {path} as the import journal ({exc}). "
            "Pass --journal PATH to use another file."
        ) from None
    return conn


def _entry(r: tuple) -> JournalEntry:
    return JournalEntry(
        row=r[0], key=r[1], payload_hash=r[2], status=r[3], record_id=r[4], error_code=r[5],
        message=r[6], retryable=bool(r[7]), attempts=r[8], updated_at=r[9],
    )


def _identity_text(identity: dict[str, Any]) -> str:
    return json.dumps({k: str(v) for k, v in identity.items()}, sort_keys=True)


def _describe(identity_text: str) -> str:
    try:
        identity = json.loads(identity_text)
    except ValueError:
        return "unreadable"
    return ", ".join(f"{k}={v}" for k, v in identity.items())
