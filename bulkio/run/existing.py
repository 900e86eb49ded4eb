"""The records already in Zoho that a run writes to: found once, by key, id or name.

One `FullRecords` per run lists the module (`filter_by=Status.All`, 200 per call) and indexes
it by the run's key: a unique custom field, or a standard field Zoho keeps unique (items `name`
or `sku`, contacts `contact_name`, a document's number). What a list row shows depends on the
module: Zoho's list-response schemas (zoho-openapi/*.yml) document `custom_fields` on the rows
of items, invoices, sales orders and purchase orders only, and `last_modified_time` on every
module's rows but items'. Where a row cannot show the key, the record's key comes from
`RecordMemory` (what bulkio last wrote to or read of it, when the row's `last_modified_time`
says it is unchanged since), else from reading the record by id, once; so does the full record
a comparison needs. `readahead.read_ahead` counts those reads for the plan.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from bulkio.catalogue import Field
from bulkio.modes import Mode
from bulkio.prepare import mapper
from bulkio.run.memory import RecordMemory
from bulkio.zoho import records

PAGE_SIZE = 200  # what client.iter_records asks for; one read call per page


def is_custom_key(module, key_field: str | None) -> bool:
    """Whether -k names a custom field (written by Zoho's upsert headers) rather than a
    standard field Zoho keeps unique (matched in the list and written by id)."""
    key = module.field(key_field) if key_field else None
    return key is not None and key.custom


def id_of(record: dict | None, module) -> str | None:
    """The Zoho id of `record` (module.id_field) as text, or None when it has none."""
    value = (record or {}).get(module.id_field)
    return None if value in (None, "") else str(value)


def key_label(module, key_field: str | None) -> str:
    """How messages name the run's key: its label, else its api name."""
    found = module.field(key_field) if key_field else None
    return found.label if found else (key_field or "key")

#: modules whose list rows carry `custom_fields` (their list-response schemas in zoho-openapi/)
LIST_CUSTOM_FIELDS = frozenset({"items", "invoices", "salesorders", "purchaseorders"})
#: modules whose list rows carry no `last_modified_time` (items.yml, list-items-response)
LIST_WITHOUT_MODIFIED_TIME = frozenset({"items"})


@dataclass
class ExistingIndex:
    """Records of one module by key, by Zoho id and by lowercased display name.

    `complete` is False when reading stopped early: a record missing from the index may still
    exist in Zoho, so only a record found here may be trusted. `unknown` holds listed records
    whose key neither the row nor the memory shows: until they are read, a key missing from
    `by_key` may be one of theirs. `twins` holds the key values two or more records share.
    """

    id_field: str
    key_field: str | None = None
    name_field: str | None = None
    by_key: dict[str, dict] = field(default_factory=dict)
    by_id: dict[str, dict] = field(default_factory=dict)
    by_name: dict[str, dict] = field(default_factory=dict)
    twins: dict[str, list[str]] = field(default_factory=dict)
    unknown: dict[str, dict] = field(default_factory=dict)
    complete: bool = True
    pages: int = 0
    key: Field | None = None

    @property
    def standard_key(self) -> bool:
        """True when the key is a standard field (name, sku, number) rather than a custom one."""
        return bool(self.key_field) and not (self.key is not None and self.key.custom)

    def add(self, record: dict[str, Any], key: str | None = None) -> None:
        """Index one record; `key` when it is known from elsewhere than the record itself."""
        record_id = record.get(self.id_field)
        if record_id not in (None, ""):
            self.by_id[str(record_id)] = record
        key = key if key is not None else self.key_of(record)
        if key not in (None, ""):
            self._add_key(self.normal(key), record)
        name = self.name_of(record)
        if name:
            self.by_name[name.lower()] = record

    def _add_key(self, key: str, record: dict) -> None:
        held = self.by_key.get(key)
        record_id = str(record.get(self.id_field))
        if held is not None and str(held.get(self.id_field)) != record_id:
            ids = self.twins.setdefault(key, [str(held.get(self.id_field))])
            if record_id not in ids:
                ids.append(record_id)
        self.by_key[key] = record
        self.unknown.pop(record_id, None)

    def normal(self, key: Any) -> str:
        """A key value as the index holds it: trimmed, in Unicode NFC (as validation sends it);
        a standard field's case ignored too (Zoho refuses a second item named "pen" beside "Pen")."""
        text = unicodedata.normalize("NFC", str(key).strip())
        return text.casefold() if self.standard_key else text

    def name_of(self, record: dict[str, Any]) -> str:
        """The record's display name, trimmed ("" when the module has none)."""
        if not self.name_field:
            return ""
        return str(record.get(self.name_field) or "").strip()

    def key_of(self, record: dict[str, Any]) -> str | None:
        """The record's key value, or None."""
        if not self.key_field:
            return None
        if self.standard_key:
            value = record.get(self.key_field)
            return None if value in (None, "") else str(value).strip() or None
        return records.key_of(record, self.key or self.key_field)

    def twins_of(self, key: Any) -> list[str]:
        """The ids of the records that share this key value ([] when at most one holds it)."""
        return [] if key in (None, "") else self.twins.get(self.normal(key), [])

    def record_for(self, item, mode: str) -> dict[str, Any] | None:
        """The existing record a work item would write to: by id, else by key; in create mode
        (no key) the record holding the item's name."""
        if item.record_id:
            return self.by_id.get(str(item.record_id))
        if mode != Mode.CREATE and item.key not in (None, ""):
            return self.by_key.get(self.normal(item.key))
        if mode == Mode.CREATE and item.name:
            return self.by_name.get(item.name.strip().lower())
        return None

    def knows_absent(self, item) -> bool:
        """True when the index is sure no record holds the item's key."""
        return (self.complete and not self.unknown and item.key not in (None, "")
                and self.normal(item.key) not in self.by_key)


class FullRecords:
    """What one run knows of a module in Zoho: its list, read once, and each record in full,
    read at most once (or taken from the memory when Zoho shows it unchanged since).

    The line-item guard, skip-unchanged, the dry run and the contact-person merge share one,
    so no record is read twice. Write answers are remembered (`remember`) for the next run.

    Example: records = FullRecords(client, module); full = records.get(records.index(key).by_key["K1"])
    """

    def __init__(self, client, module, memory: RecordMemory | None = None):
        self.client = client
        self.module = module
        self.memory = memory if memory is not None else RecordMemory.forgetful()
        self._index: ExistingIndex | None = None
        self._full: dict[str, dict] = {}
        self._lock = threading.Lock()

    # --- the list --------------------------------------------------------------------------

    def index(self, key_field: str | None, *, max_pages: int | None = None) -> ExistingIndex:
        """The module's records listed and indexed by `key_field`, read once per run (a later
        ask that the first read already answers costs nothing). At most `max_pages` pages."""
        known = self._index
        if known is not None and known.key_field == key_field and (
                known.complete or (max_pages is not None and known.pages >= max_pages)):
            return known
        self._index = self._read_list(key_field, max_pages)
        return self._index

    @property
    def indexed(self) -> ExistingIndex | None:
        """The index read so far, or None."""
        return self._index

    def _read_list(self, key_field: str | None, max_pages: int | None) -> ExistingIndex:
        key = self.module.field(key_field) if key_field else None
        index = ExistingIndex(self.module.id_field, key_field, self.module.name_field, key=key)
        for row in _pages(self.client.iter_records(self.module), max_pages, index):
            if not key_field or index.standard_key or self._row_shows_key(row):
                index.add(row)
                continue
            remembered = self._remembered(row)  # not kept: read again from the file when needed
            if remembered is not None:
                index.add(row, index.key_of(remembered) or "")
            else:
                index.add(row, "")
                index.unknown[str(row.get(self.module.id_field))] = row
        return index

    def _row_shows_key(self, row: dict) -> bool:
        """Custom fields are taken from a list row only where the module's list schema
        documents them, and only when the row does carry them."""
        return self.module.name in LIST_CUSTOM_FIELDS and records.shows_custom_fields(row)

    def known(self, row: dict) -> dict | None:
        """The full record of a listed row when it costs no read: read earlier in this run, or
        remembered and unchanged since."""
        with self._lock:
            found = self._full.get(str(row.get(self.module.id_field)))
        return found if found is not None else self._remembered(row)

    def _remembered(self, row: dict) -> dict | None:
        """The remembered record, when the list row shows Zoho still holds it as remembered."""
        record_id = row.get(self.module.id_field)
        found = self.memory.get(str(record_id)) if record_id not in (None, "") else None
        if found is None:
            return None
        if self.module.name in LIST_WITHOUT_MODIFIED_TIME:
            return found.record if _agrees(row, found.record) else None
        modified = row.get("last_modified_time")
        return found.record if modified and str(modified) == found.modified else None

    # --- keys the list could not show ------------------------------------------------------

    def keys_to_read(self, items: Iterable) -> int:
        """How many records must be read to tell whether some item's key is in Zoho."""
        index = self._index
        if index is None or not index.unknown:
            return 0
        return len(index.unknown) if any(_missing_key(index, i) for i in items) else 0

    def settle_keys(self, items: Iterable) -> int:
        """Read the records whose key is unknown when some item's key was not found (each
        once); returns the reads made."""
        index = self._index
        if not self.keys_to_read(items):
            return 0
        unknown = list(index.unknown.values())
        for row in unknown:
            full = self.read(row)
            index.add(row, index.key_of(full) or "")
            index.unknown.pop(str(row.get(self.module.id_field)), None)
        return len(unknown)

    # --- full records ----------------------------------------------------------------------

    def get(self, record: dict, payload: dict | None = None) -> dict:
        """`record` in full: known already (memory, an earlier read), the list row itself when
        it shows every field `payload` sends, else read by id."""
        found = self.known(record)
        if found is not None:
            return found
        if payload is not None and self.row_shows(record, payload):
            return record
        return self.read(record)

    __call__ = get

    def row_shows(self, row: dict, keys: Iterable[str]) -> bool:
        """Whether a list row carries every top-level key of `keys` (`custom_fields` in any
        form Zoho shows them); never for a document, whose rows leave its lines out."""
        if self.module.is_document:
            return False
        return all(records.shows_custom_fields(row) if key == "custom_fields" else key in row
                   for key in keys)

    def needs_read(self, record: dict, payload: dict | None = None) -> bool:
        """True when `get(record, payload)` would cost a read."""
        if payload is not None and self.row_shows(record, payload):
            return False
        return self.known(record) is None

    def read(self, record: dict) -> dict:
        """`record` as GET by id answers it, read at most once per run (and remembered)."""
        record_id = str(record[self.module.id_field])
        with self._lock:
            found = self._full.get(record_id)
        if found is None:
            found = self.client.get_record(self.module, record_id)
            self.remember(found, record_id, listed=record)
        return found

    def remember(self, record: dict, record_id: str | None = None, listed: dict | None = None) -> None:
        """A record as Zoho just answered it (a write's answer or a read). A full answer that
        leaves out last_modified_time is remembered with the one its list row showed, so the
        next run can still tell it unchanged."""
        record_id = record_id or (record.get(self.module.id_field) if record else None)
        if not record or record_id in (None, ""):
            return
        with self._lock:
            self._full[str(record_id)] = record
        if listed and not record.get("last_modified_time") and listed.get("last_modified_time"):
            record = {**record, "last_modified_time": listed["last_modified_time"]}
        self.memory.put(record, str(record_id))


def _pages(records: Iterable[dict], max_pages: int | None, index: ExistingIndex) -> Iterator[dict]:
    """The listed records, at most `max_pages` pages of them; marks the index incomplete when
    the budget runs out first. Zoho's lists give no total count, so asking for record
    200*n + 1 makes the client fetch page n + 1: decide before asking."""
    records = iter(records)
    seen = 0
    while True:
        if seen % PAGE_SIZE == 0 and max_pages is not None and seen // PAGE_SIZE >= max_pages:
            index.complete = False
            break
        try:
            record = next(records)
        except StopIteration:
            break
        seen += 1
        yield record
    index.pages = -(-seen // PAGE_SIZE) or (0 if max_pages == 0 else 1)


def _missing_key(index: ExistingIndex, item) -> bool:
    return (not item.record_id and item.key not in (None, "")
            and index.normal(item.key) not in index.by_key)


def _agrees(row: dict, remembered: dict) -> bool:
    """Whether everything a list row shows matches the remembered record (for modules whose
    rows carry no last_modified_time)."""
    for key, value in row.items():
        if key == "custom_fields":
            if records.entry_values(value) != records.entry_values(remembered.get(key)):
                return False
        elif not isinstance(value, (dict, list)) and not mapper.same_value(None, remembered.get(key), value):
            return False
    return True

