"""How one row is written: which call (create, update by id, upsert by key), to which record,
with which body, and whether the write created its record."""

from __future__ import annotations

from bulkio.modes import Mode
from bulkio.prepare.mapper import reshape_custom_fields as reshape
from bulkio.prepare.workitem import WorkItem
from bulkio.run import persons
from bulkio.run.existing import FullRecords, id_of, is_custom_key
from bulkio.run.inputs import RunOptions
from bulkio.run.plan import is_keyed


class RowWriter:
    """Writes rows of one run through `client`, deciding from the run's list of the module
    (`records`) what each write goes to."""

    def __init__(self, client, module, options: RunOptions, records: FullRecords):
        self.client = client
        self.module = module
        self.options = options
        self.records = records

    @property
    def standard_key(self) -> bool:
        """Whether rows are keyed by a standard field (name, sku, number), not a custom one."""
        return bool(self.options.key_field) and not is_custom_key(self.module, self.options.key_field)

    def keyed(self, item: WorkItem) -> bool:
        """Whether the row's write goes by key or id (sending it twice does no harm)."""
        if self.standard_key and not item.record_id:
            return self.target_id(item) is not None
        return is_keyed(item, self.options.mode)

    def write(self, item: WorkItem, payload: dict, target: str | None):
        """Send the row's write: an update of `target` (or the row's id), a create, or an
        upsert by its key; the client's WriteResult."""
        mode = self.options.mode
        record_id = target or (item.record_id if mode != Mode.CREATE else None)
        # each call gets the custom-field entries its own request schema documents
        if record_id and (target or mode == Mode.UPDATE or not item.key):
            return self.client.update(self.module, record_id, reshape(self.module, payload, Mode.UPDATE))
        if mode == Mode.CREATE or item.key in (None, "") or self.standard_key or self.create_own_number(item):
            return self.client.create(self.module, reshape(self.module, payload, Mode.CREATE))
        return self.client.upsert(self.module, self.options.key_field, item.key,
                                  reshape(self.module, payload, Mode.UPSERT), create=(mode == Mode.UPSERT))

    def target_id(self, item: WorkItem) -> str | None:
        """The id of the record a row keyed by a standard field (name, sku, number) writes to,
        found in the run's list of the module; None for other rows."""
        if not self.standard_key or item.key in (None, "") or self.options.mode == Mode.CREATE:
            return None
        index = self.records.indexed
        record = index.record_for(item, self.options.mode) if index is not None else None
        return id_of(record, self.module)

    def outgoing(self, item: WorkItem, target: str | None) -> dict:
        """The body to send: for a contact update, every person Zoho holds is kept (persons)."""
        if self.options.mode == Mode.CREATE or not persons.applies(self.module):
            return item.payload
        index = self.records.indexed
        record = index.by_id.get(str(target)) if index is not None and target else None
        if record is None and index is not None:
            record = index.record_for(item, self.options.mode)
        if record is None:
            return item.payload
        return persons.merge(item.payload, self.records.get(record))

    def created(self, item: WorkItem, result, target: str | None) -> bool:
        """Whether a write created its record, from what the run knew before sending it (the
        list read, the row's id): the OpenAPI files declare only 200 for the upsert, so its
        status says nothing. Without that knowledge, the client's reading of the answer."""
        mode = self.options.mode
        if target or (item.record_id and mode != Mode.CREATE):
            return False
        if mode == Mode.CREATE or item.key in (None, "") or self.standard_key:
            return True
        index = self.records.indexed
        if index is not None:
            written = id_of(result.record, self.module)
            if index.record_for(item, mode) is not None or (written and written in index.by_id):
                return False
            if index.knows_absent(item) or (written and index.complete):
                return True
        return result.created or _new_record(result.record)

    def create_own_number(self, item: WorkItem) -> bool:
        """A new document that gives its own number, known to be absent from Zoho, is created
        with POST: only the create (and update by id) documents ignore_auto_number_generation,
        the upsert does not, and without it Zoho may number the document itself."""
        if self.options.mode != Mode.UPSERT or not self.module.number_field:
            return False
        if Mode.CREATE not in getattr(self.module, "ignore_auto_number_kinds", ()):
            return False
        if not str(item.payload.get(self.module.number_field) or "").strip():
            return False
        index = self.records.indexed
        return index is not None and index.knows_absent(item)


def _new_record(record: dict) -> bool:
    """A written record last modified when it was created: new, unless it was created in the
    same second (Zoho counts seconds). Used only when the records listed before writing cannot
    tell."""
    created = record.get("created_time")
    return bool(created) and created == record.get("last_modified_time")
