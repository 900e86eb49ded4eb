"""Zoho Books / Inventory calls for bulkio: one method per thing the pipeline needs.

Each module operation is one or more calls through `ZohoTransport` (pacing, OAuth, 429s, and
the errors a call raises, OutcomeUnknown included), its answer read by `answers`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bulkio.catalogue import load_module, write_params
from bulkio.modes import Mode
from bulkio.zoho.answers import one_record, records_as_list, says_created, with_page_end
from bulkio.zoho.fieldmeta import read_custom_fields
from bulkio.zoho.paginate import PER_PAGE, iter_records
from bulkio.zoho.transport import ZohoTransport


@dataclass(frozen=True)
class WriteResult:
    """A written record as Zoho returned it; `created` tells a new record from an update."""

    record: dict[str, Any]
    created: bool
    status: int


class ZohoClient(ZohoTransport):
    """The Zoho API as bulkio uses it. Thread-safe: share one client across a run's workers.

    `module` arguments are `bulkio.catalogue.Module` objects or module names ("items").

    Example:
        client = ZohoClient(load_settings())
        for item in client.iter_records("items"): ...
    """

    def __repr__(self) -> str:
        return f"ZohoClient(api_url={self.settings.api_url!r}, organization_id={self.settings.organization_id!r})"

    # --- reads -------------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET `path` (relative to the API root) and return Zoho's envelope."""
        return self.request("GET", path, params=params)[1]

    def iter_records(self, module, params: Mapping[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every record of a module, read in pages of 200, with optional Zoho filters.

        Records and documents are listed whatever their status (filter_by=Status.All) unless the
        caller filters by status: which records Zoho lists by default is undocumented, and an
        inactive item missed here would be taken for one that does not exist."""
        module = _module(module)
        params = dict(params or {})
        if getattr(module, "kind", None) in ("record", "document"):
            params.setdefault("filter_by", "Status.All")
        plural = module.plural
        return iter_records(
            lambda p: with_page_end(records_as_list(self.get(module.endpoint, p), plural), plural, p["per_page"]),
            plural, params, PER_PAGE)

    def get_record(self, module, record_id: str) -> dict[str, Any]:
        """One record by its Zoho id; NotFoundError when it does not exist."""
        module = _module(module)
        return one_record(self.get(f"{module.endpoint}/{record_id}"), module.singular, module.id_field)

    def item_details(self, item_ids: list[str]) -> list[dict[str, Any]]:
        """Items in full by id, many per call: "Bulk fetch item details" (items.yml,
        GET /itemdetails, item_ids separated by commas)."""
        envelope = self.get("/itemdetails", {"item_ids": ",".join(str(i) for i in item_ids)})
        found = envelope.get("items")
        return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []

    def find_by_name(self, module, name: str) -> list[dict[str, Any]]:
        """Records whose display name (module.name_field) is exactly `name`."""
        module = _module(module)
        key = module.name_field
        if not key:
            raise ValueError(f"module {module.name} has no name_field to search by")
        wanted = name.strip()
        return [r for r in self.iter_records(module, {key: wanted}) if str(r.get(key, "")).strip() == wanted]

    def custom_fields(self, entity: str) -> list[dict[str, Any]]:
        """The organisation's custom-field metadata for an entity ("item", "contact", ...).

        Asks /settings/fields with filter_custom_fields=true (without it Zoho lists the
        module's system fields too: Custom Fields API, "List custom fields"), and the simple
        /customfields list when that path is unknown (404/405). A server that lists system
        fields anyway has them dropped where metadata becomes Fields (`Module.with_custom_fields`).
        """
        return read_custom_fields(self.get, entity)

    # --- writes ------------------------------------------------------------------------------

    def create(self, module, payload: Mapping[str, Any]) -> WriteResult:
        """POST a new record. A lost reply raises OutcomeUnknown and is never resent."""
        module = _module(module)
        status, envelope = self.request("POST", module.endpoint, json=payload,
                                        params=write_params(module, payload, Mode.CREATE))
        return WriteResult(one_record(envelope, module.singular), True, status)

    def update(self, module, record_id: str, payload: Mapping[str, Any]) -> WriteResult:
        """PUT changes to the record with this Zoho id."""
        module = _module(module)
        status, envelope = self.request("PUT", f"{module.endpoint}/{record_id}", json=payload,
                                        params=write_params(module, payload, Mode.UPDATE))
        return WriteResult(one_record(envelope, module.singular), False, status)

    def upsert(
        self, module, key_api_name: str, key_value: str, payload: Mapping[str, Any], create: bool = True
    ) -> WriteResult:
        """PUT by unique custom field: update the record holding `key_value`, or create it.

        With `create=False` a missing record is an error (update only). `created` is read from
        Zoho's message (`says_created`), never from the status.
        """
        module = _module(module)
        headers = {"X-Unique-Identifier-Key": key_api_name, "X-Unique-Identifier-Value": _header_value(key_value)}
        if create:
            headers["X-Upsert"] = "true"
        status, envelope = self.request("PUT", module.endpoint, json=payload, headers=headers,
                                        params=write_params(module, payload, Mode.UPSERT))
        record = one_record(envelope, module.singular)
        return WriteResult(record, create and says_created(status, envelope, record), status)

    def mark_inactive(self, module, record_id: str) -> None:
        """POST the module's documented "Mark as inactive" path (items.yml, contacts.yml) for one
        record. Marking twice changes nothing, so a lost answer may simply be sent again."""
        module = _module(module)
        if not module.inactive_path:
            raise ValueError(f"module {module.name} cannot mark records inactive")
        path = module.inactive_path.replace("{" + module.id_field + "}", str(record_id))
        self.request("POST", path)


def _header_value(value) -> str | bytes:
    """HTTP header values are Latin-1; a key beyond it (東京-1) goes as UTF-8 bytes, which Zoho
    does not document either way, rather than failing the row."""
    text = str(value)
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8")
    return text


def _module(module):
    """A Module from a Module or a module name."""
    if isinstance(module, str):
        return load_module(module)
    return module
