"""The journal's SQLite schema, and the migration of a journal written in an older one."""

from __future__ import annotations

import sqlite3

#: "1": table `rows`, one entry per row number. "2": table `entries`, entries bound to rows by
#: key or content, with the identifying values sent (`migrate` turns a "1" into a "2").
SCHEMA_VERSION = "2"

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY,
    row INTEGER UNIQUE,
    key TEXT,
    payload_hash TEXT,
    sent TEXT,
    status TEXT NOT NULL,
    record_id TEXT,
    error_code TEXT,
    message TEXT,
    retryable INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS deactivations (
    record_id TEXT PRIMARY KEY,
    key TEXT,
    status TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""

#: meta name set by `migrate` until the first `rebase`: entries still bound by row number
LEGACY_ROWS = "legacy_rows"


def migrate(conn: sqlite3.Connection) -> None:
    """Turn a schema "1" journal (table `rows`, one entry per row number) into today's: its
    entries keep their row (the next `rebase` binds them by key or content), and a lost
    answer (`unknown` then) becomes `sending`, to be checked in Zoho before anything is resent.
    """
    old = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'rows'").fetchone()
    if old is None:
        return
    with conn:
        conn.execute(
            """INSERT INTO entries(row, key, payload_hash, status, record_id, error_code, message,
                                   retryable, attempts, updated_at)
               SELECT row, key, payload_hash,
                      CASE status WHEN 'unknown' THEN 'sending' ELSE status END,
                      record_id, error_code, message, retryable, attempts, updated_at
               FROM rows ORDER BY row""")
        conn.execute("DROP TABLE rows")
        conn.execute("INSERT OR REPLACE INTO meta(name, value) VALUES ('schema', ?), (?, '1')",
                     (SCHEMA_VERSION, LEGACY_ROWS))
