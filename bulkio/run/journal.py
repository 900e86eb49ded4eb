"""The import journal: one SQLite entry per record sent, so a run can resume.

Every state change is committed on its own, so a crash or a SIGKILL at any moment leaves a
journal whose entries each hold their last committed state.

An entry belongs to a record, not to a row number: a run binds the file's rows to the entries
(`rebase`) by what identifies them, the key in keyed modes and the content (the payload's
hash) in create mode, so a row inserted at the top of the file moves no record onto its
neighbour. An entry whose row is no longer in the file keeps `row` NULL and is reported.

Only the payload's hash is stored, never the payload, so nothing secret (or large) lands here;
beside it `sent` keeps the values that identify the record in Zoho (key, name, document
number), which is what a write whose answer never came is checked by.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from bulkio.errors import ConfigError
from bulkio.modes import Mode
from bulkio.outcomes import JournalState, Status
from bulkio.run.journalentry import SENT_KEYS, STATUSES, JournalEntry
from bulkio.run.journalfile import open_journal_file
from bulkio.run.journalmatch import RowSig, match
from bulkio.run.journalschema import LEGACY_ROWS, SCHEMA, SCHEMA_VERSION, migrate

_COLUMNS = ("row, key, payload_hash, status, record_id, error_code, message, retryable, "
            "attempts, updated_at, sent, id")


class Journal:
    """A thread-safe journal of write outcomes in one SQLite file.

    Example:
        with Journal.open(path, {"input": "items.csv", "module": "items"}) as journal:
            journal.mark_sending(2, "SKU-1", "ab12...", sent={"name": "Pen"})
            journal.mark_done(2, "created", record_id="460000000012345")
    """

    def __init__(self, conn: sqlite3.Connection, path: Path):
        self._conn = conn
        self._lock = threading.Lock()
        self.path = path

    @classmethod
    def open(cls, path: str | Path, identity: dict[str, Any], resume: bool = True) -> Journal:
        """Open (or create) the journal at `path` for a run described by `identity`.

        `identity` names what the rows belong to (input file, module, mode, key, app/org). A
        journal written for another identity is refused with a ConfigError unless `resume` is
        False, which starts afresh. A journal of an older schema is migrated.
        """
        path = Path(path)
        conn = _connect(path)
        journal = cls(conn, path)
        try:
            migrate(conn)
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
                + _afresh_warning(stored, identity)
            )
        with self._lock, self._conn:
            if not resume or stored is None:
                self._conn.execute("DELETE FROM entries")
                self._conn.execute("DELETE FROM deactivations")
            self._conn.execute(
                "INSERT OR REPLACE INTO meta(name, value) VALUES ('identity', ?), ('schema', ?)",
                (identity, SCHEMA_VERSION),
            )

    def _meta(self, name: str) -> str | None:
        with self._lock:
            found = self._conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return found[0] if found else None

    def mark_sending(self, row: int, key: str | None, payload_hash: str,
                     sent: Mapping[str, Any] | None = None) -> None:
        """Record that the write for `row` is about to go out; call it before sending.
        `sent`: the identifying values it sends (key, name, number), to check it by if its
        answer never comes."""
        with self._lock, self._conn:
            self._conn.execute(
                """INSERT INTO entries(row, key, payload_hash, sent, status, attempts, updated_at)
                   VALUES (?, ?, ?, ?, 'sending', 1, ?)
                   ON CONFLICT(row) DO UPDATE SET key = excluded.key,
                       payload_hash = excluded.payload_hash,
                       sent = coalesce(excluded.sent, entries.sent), status = 'sending',
                       error_code = NULL, message = NULL, retryable = 0,
                       attempts = entries.attempts + 1, updated_at = excluded.updated_at""",
                (row, key, payload_hash, _sent_text(sent), time.time()),
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
        sent: Mapping[str, Any] | None = None,
    ) -> None:
        """Record the outcome of `row`.

        `key`, `payload_hash` and `sent` are needed only for a row never marked sending (an
        unchanged row found by comparison); otherwise the values from `mark_sending` are kept.
        `retryable` marks a failure worth retrying on resume (5xx, 429).
        A `record_id` of None keeps the one already journalled.
        """
        self.mark_done_many([dict(row=row, status=status, record_id=record_id, error_code=error_code,
                                  message=message, key=key, payload_hash=payload_hash,
                                  retryable=retryable, sent=sent)])

    def mark_done_many(self, outcomes: Iterable[Mapping[str, Any]]) -> None:
        """`mark_done` for several rows (each a dict of its arguments) in one transaction: the
        journal syncs each commit to disk, and a run that finds 2,000 rows unchanged should
        not wait for 2,000 syncs."""
        values = []
        for o in outcomes:
            if o["status"] not in STATUSES:
                raise ValueError(f"unknown journal status {o['status']!r}")
            values.append((o["row"], o.get("key"), o.get("payload_hash"), _sent_text(o.get("sent")),
                           o["status"], o.get("record_id"), o.get("error_code"), o.get("message"),
                           int(bool(o.get("retryable"))), time.time()))
        with self._lock, self._conn:
            self._conn.executemany(
                """INSERT INTO entries(row, key, payload_hash, sent, status, record_id,
                                       error_code, message, retryable, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT(row) DO UPDATE SET
                       key = coalesce(excluded.key, entries.key),
                       payload_hash = coalesce(excluded.payload_hash, entries.payload_hash),
                       sent = coalesce(excluded.sent, entries.sent),
                       status = excluded.status,
                       record_id = coalesce(excluded.record_id, entries.record_id),
                       error_code = excluded.error_code, message = excluded.message,
                       retryable = excluded.retryable, updated_at = excluded.updated_at""",
                values,
            )

    def settle(self, entry: JournalEntry, status: str | None, record_id: str | None = None,
               message: str | None = None) -> None:
        """What checking Zoho found for an entry whose answer never came: `status` created or
        updated with `record_id`; `unknown` with `message` (nothing to check it by, or several
        records match); None: the write was not applied, so the entry is dropped (the row,
        if the file still has it, is sent like a new one)."""
        with self._lock, self._conn:
            if status is None:
                self._conn.execute("DELETE FROM entries WHERE id = ?", (entry.id,))
                return
            if status not in STATUSES:
                raise ValueError(f"unknown journal status {status!r}")
            self._conn.execute(
                """UPDATE entries SET status = ?, record_id = coalesce(?, record_id),
                       error_code = ?, message = ?, retryable = 0, updated_at = ?
                   WHERE id = ?""",
                (status, record_id, "E_UNKNOWN_OUTCOME" if status == Status.UNKNOWN else None,
                 message, time.time(), entry.id),
            )

    def entries(self) -> dict[int, JournalEntry]:
        """Every entry bound to a row of the present file, by spreadsheet row number."""
        with self._lock:
            found = self._conn.execute(
                f"SELECT {_COLUMNS} FROM entries WHERE row IS NOT NULL ORDER BY row").fetchall()
        return {r[0]: _entry(r) for r in found}

    def all_entries(self) -> list[JournalEntry]:
        """Every entry, bound or not, in the order of the rows they were last bound to."""
        with self._lock:
            found = self._conn.execute(
                f"SELECT {_COLUMNS} FROM entries ORDER BY row IS NULL, row, id").fetchall()
        return [_entry(r) for r in found]

    def orphans(self) -> list[JournalEntry]:
        """Entries that no row of the present file stands for (see `rebase`)."""
        return [e for e in self.all_entries() if e.row is None]

    def get(self, row: int) -> JournalEntry | None:
        """The journalled state of one row, or None if it was never journalled."""
        with self._lock:
            found = self._conn.execute(
                f"SELECT {_COLUMNS} FROM entries WHERE row = ?", (row,)
            ).fetchone()
        return _entry(found) if found else None

    def rebase(self, rows: Iterable[RowSig], *, keyed: bool) -> list[JournalEntry]:
        """Bind the present file's rows to the entries, whatever row numbers the entries had:
        by key when `keyed`, else by content (see `match`). Entries of a write that never
        reached Zoho and match no row are dropped; the others no row stands for stay, unbound,
        and are returned (the run reports them; nothing is applied to another row)."""
        rows = list(rows)
        entries = self.all_entries()
        bound = match(entries, rows, keyed=keyed)
        legacy = self._meta(LEGACY_ROWS) is not None and match(entries, rows, keyed=keyed, legacy=True)
        by_id = {e.id: e for e in entries}
        gone = [e for e in entries if e.id not in (legacy or bound)]
        stale = [e.id for e in gone if not (e.done or e.status in (JournalState.SENDING, Status.UNKNOWN))]
        with self._lock, self._conn:
            if legacy == bound:  # no entry needs its row number any more: content binds them all
                self._conn.execute("DELETE FROM meta WHERE name = ?", (LEGACY_ROWS,))
            bound = legacy or bound
            if any(by_id[i].row != r for i, r in bound.items()) or any(e.row is not None for e in gone):
                self._conn.execute("UPDATE entries SET row = NULL")
                self._conn.executemany("UPDATE entries SET row = ? WHERE id = ?",
                                       [(r, i) for i, r in bound.items()])
            self._conn.executemany("DELETE FROM entries WHERE id = ?", [(i,) for i in stale])
        return [replace(e, row=None) for e in gone if e.id not in stale]

    def mark_deactivation(self, record_id: str, key: str, status: str) -> None:
        """A record of `--deactivate-missing` on its way (JournalState.SENDING) or marked
        inactive (Status.DEACTIVATED), committed before the call goes out and after its answer."""
        with self._lock, self._conn:
            self._conn.execute("INSERT OR REPLACE INTO deactivations(record_id, key, status, updated_at) "
                               "VALUES (?, ?, ?, ?)", (str(record_id), key, str(status), time.time()))

    def deactivations(self) -> dict[str, tuple[str, str]]:
        """Record id -> (key, status) of every deactivation journalled, in the order sent."""
        with self._lock:
            found = self._conn.execute("SELECT record_id, key, status FROM deactivations ORDER BY rowid").fetchall()
        return {r[0]: (r[1] or "", r[2]) for r in found}

    def close(self) -> None:
        """Close the file; the journal stays on disk for the next run."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()



class NoJournal:
    """Stands in when a run keeps no journal (tests, one-off calls)."""

    def entries(self) -> dict:
        return {}

    def mark_sending(self, *args: Any, **kwargs: Any) -> None:
        pass

    def mark_done(self, *args: Any, **kwargs: Any) -> None:
        pass

    def mark_done_many(self, *args: Any, **kwargs: Any) -> None:
        pass


def resume_action(entry: JournalEntry | None, payload_hash: str, *, keyed: bool,
                  resend_unknown: bool = False) -> str:
    """What a run should do with a row, given what the journal knows of it.

    `keyed` is True when the write goes by unique key or Zoho id (a PUT: sending it twice does
    no harm) and False for a create (a POST: sending it twice makes two records). Answers:

    - "send": write it (never journalled, pending, changed since, or a transient failure);
    - "done": it reached Zoho with this very payload; report the journalled outcome;
    - "failed": it failed for a reason that will not change by itself; report that again;
    - "check": a create went out and its answer never came; check Zoho before anything else;
    - "unknown": a create went out, no answer came and nothing identifies the record: it is
      reported again and not sent, unless `resend_unknown` (the person's say);
    - "update": it was created earlier and the payload changed since; update it by its id,
      because creating it again would make a duplicate.
    """
    if entry is None or entry.status == JournalState.PENDING:
        return "send"
    if entry.done:
        if entry.payload_hash == payload_hash:
            return "done"
        return "update" if not keyed and entry.record_id else "send"
    if entry.status == Status.UNKNOWN:
        return "send" if resend_unknown else Status.UNKNOWN
    if entry.status == JournalState.SENDING:
        return "send" if keyed else "check"
    if entry.payload_hash != payload_hash or entry.retryable:
        return "send"
    return Status.FAILED


#: resume actions that send nothing: the row's journalled outcome stands
SETTLED_ACTIONS = frozenset({"done", Status.FAILED, Status.UNKNOWN})


def unsettled(items, journal: Journal | None) -> list:
    """The work items the journal does not show as finished (done, failed or unknown) with
    their present payload: what a run still has to send."""
    entries = journal.entries() if journal is not None else {}
    return [i for i in items
            if resume_action(entries.get(i.row), i.payload_hash, keyed=True) not in SETTLED_ACTIONS]



def _connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # a damaged or locked file is refused here (exit 2), in a mode with no side file to lose
        conn = open_journal_file(path)
        conn.executescript(SCHEMA)
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
        sent=json.loads(r[10]) if r[10] else None, id=r[11],
    )


def _sent_text(sent: Mapping[str, Any] | None) -> str | None:
    """The identifying values as stored: only SENT_KEYS, only those that are set."""
    kept = {k: str(sent[k]) for k in SENT_KEYS if sent and sent.get(k) not in (None, "")}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False) if kept else None


def _identity_text(identity: dict[str, Any]) -> str:
    return json.dumps({k: str(v) for k, v in identity.items()}, sort_keys=True)


def _afresh_warning(stored_text: str, identity_text: str) -> str:
    """Said when a create-mode run meets a journal of the same file: starting afresh creates
    every row again, beside the records the earlier import made."""
    try:
        stored, identity = json.loads(stored_text), json.loads(identity_text)
    except ValueError:
        return ""
    if identity.get("mode") != Mode.CREATE or stored.get("input") != identity.get("input"):
        return ""
    return (" Either way this run creates every row of the file: first check in Zoho which rows "
            "the earlier import wrote and take them out of the file, or pass -k to match them.")


def _describe(identity_text: str) -> str:
    try:
        identity = json.loads(identity_text)
    except ValueError:
        return "unreadable"
    return ", ".join(f"{k}={v}" for k, v in identity.items())
