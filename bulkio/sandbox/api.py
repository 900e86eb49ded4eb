"""The API routes: a parsed request (organization, method, path segments, query, headers, body)
becomes (HTTP status, answer body, whether data changed). Auth, limits and faults are the
server's business, not this module's."""

from __future__ import annotations

from . import errors, settings
from .config import SandboxConfig
from .customfields import ENTITIES, CustomFields, metadata
from .modules import MODULES, ModuleSpec
from .records import Records

SUCCESS = {"code": 0, "message": "success"}  # rule: ENVELOPE


class Api:
    """Routes one organization's API calls to the record operations."""

    def __init__(self, records: Records, custom_fields: CustomFields, config=lambda: SandboxConfig()):
        self.records = records
        self.custom_fields = custom_fields
        self.config = config  # the sandbox's current SandboxConfig, read on every call

    def handle(self, org: str, method: str, segments: list[str], query: dict, headers: dict, body):
        """Answer one call: (status, body dict, applied)."""
        head = segments[0] if segments else ""
        if head in MODULES:
            return self._module(org, MODULES[head], method, segments[1:], query, headers, body)
        if head == "itemdetails" and len(segments) == 1:
            _allow(method, "GET")
            return self._item_details(org, query)
        if segments in (["settings", "fields"], ["customfields"]):
            return self._fields(org, method, segments, query, body)
        if segments[:2] == ["settings", "taxes"] and len(segments) <= 3:
            _allow(method, "GET")
            return self._settings(org, settings.TAXES, "tax", "tax_id", segments[2:], "Tax")
        if head == "chartofaccounts" and len(segments) <= 2:
            _allow(method, "GET")
            return self._settings(org, settings.ACCOUNTS, "chart_of_account", "account_id", segments[1:], "Account")
        raise errors.bad_url()

    def _module(self, org, spec: ModuleSpec, method, rest, query, headers, body):
        if not rest:
            if method == "GET":
                found, context = self.records.list(org, spec, query)
                return 200, {**SUCCESS, spec.name: found, "page_context": context}, False
            if method == "POST":
                record = self.records.create(org, spec, _body(body))
                return 201, _one(spec, spec.messages["created"], record), True
            if method == "PUT":
                return self._upsert(org, spec, headers, body)
            raise errors.bad_method(method)
        rid = rest[0]
        if len(rest) == 1:
            if method == "GET":
                return 200, _one(spec, "success", self.records.get(org, spec, rid)), False
            if method == "PUT":
                record = self.records.update(org, spec, rid, _body(body))
                return 200, _one(spec, spec.messages["updated"], record), True
            if method == "DELETE":
                self.records.delete(org, spec, rid)
                return 200, {"code": 0, "message": spec.messages["deleted"]}, True
            raise errors.bad_method(method)
        if len(rest) == 2 and rest[1] in ("active", "inactive") and spec.messages.get(rest[1]):
            # rule: MARK-INACTIVE
            _allow(method, "POST")
            self.records.set_status(org, spec, rid, rest[1])
            return 200, {"code": 0, "message": spec.messages[rest[1]]}, True
        raise errors.bad_url()

    def _upsert(self, org, spec, headers, body):
        # rule: UPSERT-HEADERS
        key = _header(headers, "X-Unique-Identifier-Key")
        if not key:
            raise errors.bad_method("PUT")  # PUT on the collection path means nothing without a key
        value = _header(headers, "X-Unique-Identifier-Value")
        create = _true(_header(headers, "X-Upsert"))
        record, created = self.records.upsert(org, spec, key, value, _body(body), create)
        # rule: UPSERT-200
        status = self.config().upsert_created_status if created else 200
        if created and status == 201:
            return 201, _one(spec, spec.messages["created"], record), True
        return 200, _one(spec, spec.messages["updated"], record), True

    def _item_details(self, org, query):
        spec = MODULES["items"]
        ids = [i.strip() for i in (query.get("item_ids") or "").split(",") if i.strip()]
        if not ids:
            raise errors.invalid_value("item_ids")
        found = []
        for rid in ids:
            stored = self.records.store.get(org, "items", rid)
            if stored is not None:
                found.append(self.records.render(org, spec, stored))
        return 200, {**SUCCESS, "items": found}, False

    def _fields(self, org, method, segments, query, body):
        """Custom Fields API: "List custom fields" (`/settings/fields`: system fields too unless
        filter_custom_fields=true), "List custom fields (simple)" (`/customfields`: custom
        fields only), "Create a custom field"; the answers under `fields` and `field`."""
        documented = self.config().field_metadata == "documented"
        if method == "GET":
            entity = query.get("entity")
            if entity not in ENTITIES:
                raise errors.invalid_value("entity")
            # rule: CF-LIST
            custom_only = segments[0] == "customfields" or _true(query.get("filter_custom_fields"))
            listed = self.custom_fields.listing(org, entity, custom_only=custom_only, documented=documented)
            return 200, {**SUCCESS, "fields": listed}, False
        if method == "POST" and segments == ["settings", "fields"]:
            meta = metadata(self.custom_fields.create(org, _body(body)), documented)
            return 201, {"code": 0, "message": "The custom field has been created.", "field": meta}, True
        raise errors.bad_method(method)

    def _settings(self, org, collection, singular, id_field, rest, title):
        store = self.records.store
        if not rest:
            found = sorted(store.all(org, collection), key=lambda r: r[id_field])
            return 200, {**SUCCESS, collection: found, "page_context": {
                "page": 1, "per_page": 200, "has_more_page": False}}, False
        record = store.get(org, collection, rest[0])
        if record is None:
            raise errors.not_found(title)
        return 200, {**SUCCESS, singular: record}, False


def _one(spec: ModuleSpec, message: str, record: dict) -> dict:
    return {"code": 0, "message": message, spec.singular: record}


def _body(body):
    if not isinstance(body, dict):
        raise errors.bad_json()
    return body


def _true(value) -> bool:
    return str(value or "").strip().lower() == "true"


def _allow(method: str, allowed: str) -> None:
    if method != allowed:
        raise errors.bad_method(method)


def _header(headers: dict, name: str) -> str | None:
    lowered = name.lower()
    value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return _utf8(value) if value is not None else None


def _utf8(value: str) -> str:
    # http.server reads header bytes as latin-1; a client sending UTF-8 bytes means UTF-8
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value
