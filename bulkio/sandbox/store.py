"""Where records live: in memory, written through to a SQLite file when one is given.

Records are kept per (organization, collection) in insertion order. The in-memory copy is the
one read; the file (one JSON document per record) only makes the data outlive a restart."""

from __future__ import annotations

import json
import sqlite3
import threading

FIRST_ID = 4815000000044208  # Zoho ids are 16-digit numbers sent as strings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (org TEXT, coll TEXT, id TEXT, data TEXT, PRIMARY KEY (org, coll, id));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class Store:
    """A thread-safe record store. `lock` is re-entrant: hold it across a read-check-write."""

    def __init__(self, path: str | None = None):
        self.lock = threading.RLock()
        self._data: dict[tuple[str, str], dict[str, dict]] = {}
        self._meta: dict[str, str] = {}
        self._last_id = FIRST_ID - 1
        self._db = None
        if path:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            self._load()

    def _load(self) -> None:
        for org, coll, rid, data in self._db.execute("SELECT org, coll, id, data FROM records ORDER BY rowid"):
            self._data.setdefault((org, coll), {})[rid] = json.loads(data)
            if rid.isdigit():
                self._last_id = max(self._last_id, int(rid))
        self._meta = dict(self._db.execute("SELECT key, value FROM meta"))
        self._last_id = max(self._last_id, int(self._meta.get("last_id", 0)))

    def new_id(self) -> str:
        """A fresh numeric id, unique across every collection and organization."""
        with self.lock:
            self._last_id += 1
            self.set_meta("last_id", str(self._last_id))
            return str(self._last_id)

    def get(self, org: str, coll: str, rid: str) -> dict | None:
        """A copy of one record, or None."""
        with self.lock:
            rec = self._data.get((org, coll), {}).get(str(rid))
            return json.loads(json.dumps(rec)) if rec is not None else None

    def all(self, org: str, coll: str) -> list[dict]:
        """Every record of a collection in insertion order. Read-only: never mutate them."""
        with self.lock:
            return list(self._data.get((org, coll), {}).values())

    def put(self, org: str, coll: str, rid: str, record: dict) -> None:
        """Insert or replace one record (a copy is stored)."""
        text = json.dumps(record)
        with self.lock:
            self._data.setdefault((org, coll), {})[str(rid)] = json.loads(text)
            if self._db is not None:
                self._db.execute(
                    "INSERT INTO records (org, coll, id, data) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (org, coll, id) DO UPDATE SET data = excluded.data",
                    (org, coll, str(rid), text),
                )

    def delete(self, org: str, coll: str, rid: str) -> None:
        with self.lock:
            self._data.get((org, coll), {}).pop(str(rid), None)
            if self._db is not None:
                self._db.execute("DELETE FROM records WHERE org = ? AND coll = ? AND id = ?", (org, coll, str(rid)))

    def get_meta(self, key: str) -> str | None:
        with self.lock:
            return self._meta.get(key)

    def set_meta(self, key: str, value: str) -> None:
        with self.lock:
            self._meta[key] = value
            if self._db is not None:
                self._db.execute(
                    "INSERT INTO meta (key, value) VALUES (?, ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    def close(self) -> None:
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None
