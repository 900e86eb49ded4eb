"""The record logic every module shares: create, read, list, update by id, update or upsert by a
unique custom field, delete, mark active/inactive, uniqueness."""

from __future__ import annotations

import copy
import time

from . import errors, listing, rules
from .customfields import CustomFields, resolve_field, unique_key
from .modules import ModuleSpec
from .store import Store


def now_text() -> str:
    """Zoho's timestamp format: 2024-03-05T14:02:11+0000."""
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime())


class Records:
    """Operations on the records of every module, for every organization. `hooks` maps a module
    name to a function (records, org, spec, record, body, existing) that completes a record
    before it is stored (derived fields, lookups, line totals)."""

    def __init__(self, store: Store, custom_fields: CustomFields, hooks: dict | None = None):
        self.store = store
        self.custom_fields = custom_fields
        self.hooks = hooks or {}
        self._indexes: dict[tuple[str, str], dict[str, dict[str, str]]] = {}

    # --- reading -------------------------------------------------------------------------------

    def get(self, org: str, spec: ModuleSpec, rid: str) -> dict:
        """One record as Zoho answers it; 1002 when absent."""
        return self.render(org, spec, self._stored(org, spec, rid))

    def list(self, org: str, spec: ModuleSpec, query: dict) -> tuple[list[dict], dict]:
        """(one page of records, page_context) for a list call."""
        with self.store.lock:
            selected = listing.select(spec, self.store.all(org, spec.name), query)
            page, context = listing.paginate(selected, query)
            rendered = [_row(spec, self.render(org, spec, r)) for r in page]
        context.update({
            "report_name": spec.title + "s",
            "applied_filter": query.get("filter_by") or listing.default_filter(spec),
            "sort_column": query.get("sort_column") or spec.default_sort,
            "sort_order": (query.get("sort_order") or "A").upper()[:1],
            "search_criteria": [],
        })
        return rendered, context

    def all(self, org: str, spec: ModuleSpec) -> list[dict]:
        """Every record of a module, rendered, in insertion order."""
        with self.store.lock:
            return [self.render(org, spec, r) for r in self.store.all(org, spec.name)]

    def exists(self, org: str, module: str, rid) -> dict | None:
        """The stored record of another module (for lookups), or None."""
        return self.store.get(org, module, str(rid)) if rid not in (None, "") else None

    def render(self, org: str, spec: ModuleSpec, record: dict) -> dict:
        """The stored record as an answer shows it: private keys dropped, custom fields added."""
        out = {k: copy.deepcopy(v) for k, v in record.items() if not k.startswith("_")}
        listing_, hashed = self.custom_fields.render(org, spec.entity, record.get("_cf") or {})
        out["custom_fields"] = listing_
        out["custom_field_hash"] = hashed
        return out

    # --- writing -------------------------------------------------------------------------------

    def create(self, org: str, spec: ModuleSpec, body: dict) -> dict:
        """Create a record from a request body; returns it rendered."""
        with self.store.lock:
            return self.render(org, spec, self._write(org, spec, body, None))

    def update(self, org: str, spec: ModuleSpec, rid: str, body: dict) -> dict:
        """Update the fields the body sends (line items are replaced); 1002 when absent."""
        with self.store.lock:
            existing = self._stored(org, spec, rid)
            return self.render(org, spec, self._write(org, spec, body, existing))

    def upsert(self, org: str, spec: ModuleSpec, key: str, value: str, body: dict, create: bool) -> tuple[dict, bool]:
        """Update the record whose unique custom field `key` holds `value`; when none does,
        create it if `create` (X-Upsert: true), else 1002. Returns (record, created)."""
        meta = self.custom_fields.find(org, spec.entity, key or "")
        if meta is None or not meta["is_unique"]:  # rule: UPSERT-KEY-UNIQUE
            raise errors.bad_unique_key(key or "")
        if value is None or not str(value).strip():
            raise errors.invalid_value("X-Unique-Identifier-Value")
        with self.store.lock:
            owner = self.unique_index(org, spec).get("cf:" + meta["field_id"], {}).get(unique_key(value))
            if owner is not None:
                return self.update(org, spec, owner, body), False
            if not create:  # rule: UPSERT-NO-MATCH-1002
                raise errors.not_found(spec.title)
            body = _with_key_value(body, self.custom_fields.fields(org, spec.entity), meta, value)
            rules.require(spec.upsert_requires, body)
            return self.create(org, spec, body), True

    def delete(self, org: str, spec: ModuleSpec, rid: str) -> None:
        with self.store.lock:
            record = self._stored(org, spec, rid)
            self.store.delete(org, spec.name, rid)
            self._reindex(org, spec, rid, record, None)

    def set_status(self, org: str, spec: ModuleSpec, rid: str, status: str) -> None:
        with self.store.lock:
            record = self._stored(org, spec, rid)
            record["status"] = status
            record["last_modified_time"] = now_text()
            self.store.put(org, spec.name, rid, record)

    # --- internals -----------------------------------------------------------------------------

    def _stored(self, org: str, spec: ModuleSpec, rid: str) -> dict:
        record = self.store.get(org, spec.name, rid)
        if record is None:
            raise errors.not_found(spec.title)
        return record

    def _write(self, org: str, spec: ModuleSpec, body: dict, existing: dict | None) -> dict:
        if not isinstance(body, dict):
            raise errors.bad_json()
        record = copy.deepcopy(existing) if existing else {}
        record.update(rules.clean(spec, body))
        if existing is None:
            rules.require([f for f in spec.required if f != "line_items"], record)
        else:
            # Fields required on create cannot be emptied later.
            rules.require([f for f in spec.required if f in body and f != "line_items"], record)
        record["_cf"] = self._custom_values(org, spec, body, record.get("_cf") or {}, existing is None)
        hook = self.hooks.get(spec.name)
        if hook is not None:
            hook(self, org, spec, record, body, existing)
        rid = existing[spec.id_field] if existing else None
        self._check_unique(org, spec, record, rid)
        stamp = now_text()
        if existing is None:
            rid = self.store.new_id()
            record[spec.id_field] = rid
            record.setdefault("status", spec.default_status)
            record["created_time"] = stamp
        record["last_modified_time"] = stamp
        self.store.put(org, spec.name, rid, record)
        self._reindex(org, spec, rid, existing, record)
        return record

    def _custom_values(self, org: str, spec: ModuleSpec, body: dict, current: dict, creating: bool) -> dict:
        changes = self.custom_fields.parse(org, spec.entity, body.get("custom_fields"))
        values = dict(current)
        for field_id, value in changes.items():
            if value is None:
                values.pop(field_id, None)
            else:
                values[field_id] = value
        for meta in self.custom_fields.fields(org, spec.entity):
            touched = creating or meta["field_id"] in changes
            if meta["is_mandatory"] and meta["is_active"] and touched and meta["field_id"] not in values:
                raise errors.required(meta["label"])
        return values

    def _keys(self, spec: ModuleSpec, record: dict | None) -> dict[str, str]:
        """The values a record holds that must be unique, by index name."""
        if not record:
            return {}
        keys = {}
        for index_name, field in (("name", spec.name_field), ("number", spec.number_field)):
            if field and not rules.is_empty(record.get(field)):
                keys[index_name] = unique_key(record[field])
        for field_id, value in (record.get("_cf") or {}).items():
            keys["cf:" + field_id] = unique_key(value)
        return keys

    def unique_index(self, org: str, spec: ModuleSpec) -> dict[str, dict[str, str]]:
        """{index name: {normalised value: record id}} for names, numbers and custom values;
        built on first use, kept current by every write. Hold the store lock while using it."""
        index = self._indexes.get((org, spec.name))
        if index is None:
            index = {}
            for record in self.store.all(org, spec.name):
                for name, key in self._keys(spec, record).items():
                    index.setdefault(name, {})[key] = record[spec.id_field]
            self._indexes[(org, spec.name)] = index
        return index

    def _reindex(self, org: str, spec: ModuleSpec, rid: str, old: dict | None, new: dict | None) -> None:
        index = self.unique_index(org, spec)
        for name, key in self._keys(spec, old).items():
            if index.get(name, {}).get(key) == rid:
                del index[name][key]
        for name, key in self._keys(spec, new).items():
            index.setdefault(name, {})[key] = rid

    def _check_unique(self, org: str, spec: ModuleSpec, record: dict, rid: str | None) -> None:
        index = self.unique_index(org, spec)
        keys = self._keys(spec, record)
        for name, key in keys.items():
            owner = index.get(name, {}).get(key)
            if owner is None or owner == rid:
                continue
            if name == "name":
                raise errors.duplicate_name(spec.title, record[spec.name_field])
            if name == "number":
                raise errors.duplicate_number(spec.title, record[spec.number_field])
            meta = next((f for f in self.custom_fields.fields(org, spec.entity) if f["field_id"] == name[3:]), None)
            if meta is not None and meta["is_unique"]:  # rule: UNIQUE-CF-1001
                raise errors.duplicate_custom_value(meta["label"], record["_cf"][name[3:]])


def _with_key_value(body: dict, fields: list[dict], meta: dict, value: str) -> dict:
    """The body of an upsert that creates, holding the header's key value: the header names the
    record, so an entry of the body for the key field gives way to it (otherwise a retried
    upsert could not find the record it created)."""
    entries = body.get("custom_fields") if isinstance(body.get("custom_fields"), list) else []
    kept = [entry for entry in entries if _names_field(fields, entry) != meta["field_id"]]
    body = dict(body)
    body["custom_fields"] = [*kept, {"api_name": meta["api_name"], "value": value}]
    return body


def _names_field(fields: list[dict], entry) -> str | None:
    """The id of the field a `custom_fields` entry names (None when it names none; the create
    then refuses the entry)."""
    if not isinstance(entry, dict):
        return None
    try:
        return resolve_field(fields, entry)["field_id"]
    except errors.ZohoError:
        return None


def _row(spec: ModuleSpec, record: dict) -> dict:
    """A list row: only the properties the module's list-response schema documents for a row
    (no line items; custom fields only where that schema lists them). GET by id answers all."""
    # rule: LIST-ROWS
    return {k: record[k] for k in spec.list_fields if k in record}
