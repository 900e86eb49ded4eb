"""The records already in Zoho, read in pages of 200 and indexed by key, id and name.

Used by `--skip-unchanged` (send nothing for a row that would change nothing) and `--dry-run`
(say what each row would do). Reading costs one call per 200 records, so the runner reads only
while that stays cheaper than the writes it can save (see `read_existing`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Iterator

from bulkio import mapper
from bulkio.modules import Field

PAGE_SIZE = 200  # what client.iter_records asks for; one read call per page


@dataclass
class ExistingIndex:
    """Records of one module by unique key, by Zoho id and by lowercased display name.

    `complete` is False when reading stopped early: a record missing from the index may still
    exist in Zoho, so only a record found here may be trusted. `key` is the key's Field when the
    module knows it: list answers may name custom fields by id or label only.
    """

    id_field: str
    key_field: str | None = None
    name_field: str | None = None
    by_key: dict[str, dict] = field(default_factory=dict)
    by_id: dict[str, dict] = field(default_factory=dict)
    by_name: dict[str, dict] = field(default_factory=dict)
    complete: bool = True
    pages: int = 0
    key: Field | None = None

    def add(self, record: dict[str, Any]) -> None:
        """Index one record as Zoho listed it."""
        record_id = record.get(self.id_field)
        if record_id not in (None, ""):
            self.by_id[str(record_id)] = record
        if self.key_field:
            key = self.key_of(record)
            if key not in (None, ""):
                self.by_key[str(key)] = record
        name = self.name_of(record)
        if name:
            self.by_name[name.lower()] = record

    def name_of(self, record: dict[str, Any]) -> str:
        """The record's display name, trimmed ("" when the module has none)."""
        if not self.name_field:
            return ""
        return str(record.get(self.name_field) or "").strip()

    def key_of(self, record: dict[str, Any]) -> str | None:
        """The record's unique key value, or None."""
        return mapper.key_of(record, self.key or self.key_field) if self.key_field else None

    def record_for(self, item, mode: str) -> dict[str, Any] | None:
        """The existing record a work item would write to: by id, else by key; in create mode
        (no key) the record holding the item's name."""
        if item.record_id:
            return self.by_id.get(str(item.record_id))
        if mode != "create" and item.key not in (None, ""):
            return self.by_key.get(str(item.key))
        if mode == "create" and item.name:
            return self.by_name.get(item.name.strip().lower())
        return None


def read_existing(
    client, module, key_field: str | None, *, max_pages: int | None = None
) -> ExistingIndex:
    """Page through `module` and index its records, reading at most `max_pages` pages.

    Zoho's lists give no total count, so how many pages a module holds is unknown until the
    last one: `max_pages` is the budget of reads worth spending, and the index is marked
    incomplete when the budget runs out before the last page.
    """
    key = module.field(key_field) if key_field else None
    index = ExistingIndex(module.id_field, key_field, module.name_field,
                          key=key if key is not None and key.custom else None)
    records: Iterator[dict] = iter(client.iter_records(module))
    seen = 0
    while True:
        # Asking for record 200*n + 1 makes the client fetch page n + 1: decide before asking.
        if seen % PAGE_SIZE == 0 and max_pages is not None and seen // PAGE_SIZE >= max_pages:
            index.complete = False
            break
        try:
            record = next(records)
        except StopIteration:
            break
        index.add(record)
        seen += 1
    index.pages = -(-seen // PAGE_SIZE) or (0 if max_pages == 0 else 1)
    return index


class FullRecords:
    """What one run reads of a module in Zoho, each page and each document at most once.

    `index(key_field, max_pages)` pages through the list once (a later ask that the first read
    already answers costs nothing); `get(record)` is the record with its line items, read by
    id the first time a listed document is asked for (Zoho's list answers leave lines out).
    The line-item guard and the runner's skip-unchanged share one, so an unchanged invoice
    costs one read, not two. Keep one per run: it never sees the run's own writes.

    Example: records = FullRecords(client, module); full = records.get(records.index(key).by_key["K1"])
    """

    def __init__(self, client, module):
        self.client = client
        self.module = module
        self._index: ExistingIndex | None = None
        self._full: dict[str, dict] = {}
        self._lock = threading.Lock()

    def index(self, key_field: str | None, *, max_pages: int | None = None) -> ExistingIndex:
        """`read_existing(client, module, key_field, max_pages=...)`, read once per run."""
        known = self._index
        if known is not None and known.key_field == key_field and (
                known.complete or (max_pages is not None and known.pages >= max_pages)):
            return known
        self._index = read_existing(self.client, self.module, key_field, max_pages=max_pages)
        return self._index

    def get(self, record: dict) -> dict:
        """`record` with its line items (as it is for a record that is no document)."""
        key = self.module.line_items_key
        if not self.module.is_document or not key or key in record:
            return record
        return self.read(record)

    def read(self, record: dict) -> dict:
        """`record` as GET by id answers it, read at most once per run: a list answer may leave
        out what one record's answer holds (a document's lines, custom fields)."""
        record_id = str(record[self.module.id_field])
        with self._lock:
            found = self._full.get(record_id)
        if found is None:
            found = self.client.get_record(self.module, record_id)
            with self._lock:
                self._full[record_id] = found
        return found

    __call__ = get
