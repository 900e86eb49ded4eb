"""Binding the file's rows to the journal's entries by key or content, never by row number."""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bulkio.outcomes import JournalState, Status
from bulkio.run.journalentry import SENT_KEYS, JournalEntry


@dataclass(frozen=True)
class RowSig:
    """What binds a file row to a journal entry: its row number, the payload's hash, its key
    (keyed modes) and the identifying values it would send (create mode)."""

    row: int
    payload_hash: str
    key: str | None = None
    sent: Mapping[str, Any] | None = None


def match(entries: list[JournalEntry], rows: list[RowSig], *, keyed: bool,
          legacy: bool = False) -> dict[int, int]:
    """{entry id: row} binding the file's rows to the journal's entries, one to one.

    Keyed (`keyed`): a row with a key takes the entry of the same key (normalised: NFC,
    trimmed, case ignored). Create mode, and keyless rows: identical contents pair in the
    order they occur; then a row whose content is new takes an entry written to Zoho (with a
    record id: done, or an update by that id still unanswered) whose content no row has any
    more but whose identifying values (name, number, key) are the row's: that record, edited
    since. `legacy` (the first run on a
    journal migrated from schema "1", whose entries were row numbers and kept no identifying
    values): a done entry still unbound takes its own row number's row, if that row's content
    is new -- the row as this version reads it (an "#N/A" text is a value now), which the
    older version created; without this, an auto-numbered document would be created twice.
    Everything else stays unbound."""
    bound: dict[int, int] = {}
    rows_left = list(rows)
    if keyed:
        by_key = {}
        for entry in entries:
            if normal_key(entry.key):
                by_key.setdefault(normal_key(entry.key), entry)
        rows_left = []
        for row in rows:
            entry = by_key.pop(normal_key(row.key), None) if normal_key(row.key) else None
            if entry is None:
                rows_left.append(row)
            else:
                bound[entry.id] = row.row
    free = [e for e in entries if e.id not in bound]
    rows_left = _pair(free, rows_left, bound, lambda e: e.payload_hash, lambda r: r.payload_hash)
    edited = [e for e in free if e.id not in bound and e.record_id and _ident(e.sent)
              and (e.done or e.status == JournalState.SENDING)]
    rows_left = _pair(edited, rows_left, bound, lambda e: _ident(e.sent), lambda r: _ident(r.sent))
    # A create that went out unanswered and that nothing identifies (an auto-numbered
    # document) may be in Zoho; a new row without identifying values may be that very row,
    # edited since. Binding them holds the row as `unknown` (never an overwrite: such an
    # entry has no record id); sending it would make the document twice.
    unanswered = [e for e in free if e.id not in bound and not e.record_id and not _ident(e.sent)
                  and e.status in (JournalState.SENDING, Status.UNKNOWN)]
    nameless = [r for r in rows_left if not _ident(r.sent)]
    rows_left = _pair(unanswered, nameless, bound, lambda e: "unnamed", lambda r: "unnamed") + [
        r for r in rows_left if _ident(r.sent)]
    if legacy and not keyed:
        older = [e for e in free if e.id not in bound and e.sent is None and e.done and e.record_id]
        _pair(older, rows_left, bound, lambda e: e.row, lambda r: r.row)
    return bound


def _pair(entries, rows, bound: dict[int, int], entry_token, row_token) -> list[RowSig]:
    """Pair entries and rows of equal tokens in the order they come; the rows left over."""
    queues: dict[Any, list[JournalEntry]] = {}
    for entry in entries:
        token = entry_token(entry)
        if token and entry.id not in bound:
            queues.setdefault(token, []).append(entry)
    left = []
    for row in rows:
        queue = queues.get(row_token(row))
        if queue:
            bound[queue.pop(0).id] = row.row
        else:
            left.append(row)
    return left


def normal_key(key: Any) -> str:
    """A key as the journal compares it: NFC, trimmed, case ignored ("" for no key)."""
    if key in (None, ""):
        return ""
    return unicodedata.normalize("NFC", str(key)).strip().casefold()


def _ident(sent: Mapping[str, Any] | None) -> tuple | None:
    """The identifying values as one comparable token; None when there are none."""
    if not sent:
        return None
    token = tuple((k, normal_key(sent.get(k))) for k in SENT_KEYS)
    return token if any(v for _, v in token) else None
