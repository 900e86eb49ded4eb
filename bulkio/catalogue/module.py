"""A module of the catalogue: what one Zoho module's records look like and how they are written.

Every module is data, not code: `bulkio.catalogue.loader` builds a frozen `Module` from its file
in templates/modules/ (endpoint, response keys, custom-field shape, fields, list filters, noun,
aliases); `Module.with_custom_fields(metadata)` adds an organisation's custom fields to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, NamedTuple

from bulkio.catalogue.custom import custom_fields
from bulkio.catalogue.field import Field
from bulkio.modes import MODE_NAMES, MODES, Mode

IMPORTABLE_KINDS = ("record", "document")


class EntryShape(NamedTuple):
    """How one custom-field entry is written: `keys` as the request schema documents them, and
    `fallback`, the key that names the field when none of `keys` but `index` does and the
    field's index is unknown (the Custom Fields API's metadata has none)."""

    keys: tuple[str, ...]
    fallback: str | None = None


@dataclass(frozen=True)
class Module:
    """One catalogue entry: a Zoho module bulkio can import, export or read for lookups.

    `list_filters`: the query parameters its list operation documents (Zoho's OpenAPI file),
    besides paging and the list options; None for a module without a documented list.
    `noun`: how messages name one record ("an invoice"). `aliases`: other names `-m` accepts.
    `scopes`: the OAuth scopes a token needs for the calls bulkio makes to it.
    """

    name: str
    title: str
    kind: str
    endpoint: str
    id_field: str
    singular: str
    plural: str
    custom_field_entity: str | None = None
    # custom_fields entry keys of the create and the update request schemas (see entry_shape)
    custom_field_shape: tuple[str, ...] = ()
    update_custom_field_shape: tuple[str, ...] = ()
    custom_field_fallback: str | None = None
    name_field: str | None = None
    upsert_requires: tuple[str, ...] = ()
    openapi: str | None = None
    # the OAuth scopes its OpenAPI file's GET, POST and PUT operations list (bulkio.zoho.scopes)
    scopes: tuple[str, ...] = ()
    create_schema: str | None = None
    update_schema: str | None = None
    fields: tuple[Field, ...] = ()
    line_items_key: str | None = None
    number_field: str | None = None
    party_field: str | None = None
    line_fields: tuple[Field, ...] = ()
    line_custom_field_shape: tuple[str, ...] = ()
    update_line_custom_field_shape: tuple[str, ...] = ()
    line_custom_field_fallback: str | None = None
    # write kinds whose operation documents the query parameter ignore_auto_number_generation
    ignore_auto_number_kinds: tuple[str, ...] = ()
    list_filters: tuple[str, ...] | None = None
    # POST path marking one record inactive, when its OpenAPI file documents one (items, contacts)
    inactive_path: str | None = None
    noun: str = ""
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.noun:
            object.__setattr__(self, "noun", f"a {self.singular.replace('_', ' ')}")

    @cached_property
    def _by_name(self) -> dict[str, Field]:
        # reversed so that a standard field wins over a custom one of the same api name
        return {f.api_name: f for f in reversed(self.fields)}

    def field(self, api_name: str) -> Field | None:
        """The header field with this api name (standard first, then custom), or None."""
        return self._by_name.get(api_name)

    def line_field(self, api_name: str) -> Field | None:
        """The line-item field with this api name, or None."""
        return next((f for f in self.line_fields if f.api_name == api_name), None)

    @cached_property
    def text_line_fields(self) -> frozenset[str]:
        """Api names of the line fields whose values are sent as text (Field.sent_as_text)."""
        return frozenset(f.api_name for f in self.line_fields if f.sent_as_text)

    @property
    def custom_fields(self) -> tuple[Field, ...]:
        """The organisation's custom fields merged in by `with_custom_fields`."""
        return tuple(f for f in self.fields if f.custom)

    @property
    def writable_fields(self) -> tuple[Field, ...]:
        """Header fields a payload may carry: not read-only, not inactive."""
        return tuple(f for f in self.fields if not f.read_only and f.active)

    @property
    def is_document(self) -> bool:
        return self.kind == "document"

    def entry_shape(self, kind: str = Mode.CREATE, line: bool = False) -> EntryShape:
        """The custom-field entry shape for a write of `kind` (a Mode), of the header's
        `custom_fields` or, with `line`, of a line's `item_custom_fields`.

        Update and upsert take the update request schema's shape: each OpenAPI file's upsert
        operation (PUT /{module}, update_*_using_custom_field) has the update-*-request body.
        A module whose line schemas document no object entry (invoices, estimates; credit notes
        say "array of strings") writes line entries in its header shape.
        """
        check_write_kind(kind)
        create, update, fallback = (self.custom_field_shape, self.update_custom_field_shape,
                                    self.custom_field_fallback)
        if line and (self.line_custom_field_shape or self.update_line_custom_field_shape):
            create, update, fallback = (self.line_custom_field_shape,
                                        self.update_line_custom_field_shape,
                                        self.line_custom_field_fallback)
        keys = (create or update) if kind == Mode.CREATE else (update or create)
        return EntryShape(tuple(keys), fallback)

    def with_custom_fields(self, metadata: list[dict]) -> Module:
        """This module plus the custom fields in `metadata` (from GET /settings/fields).

        Inactive fields are dropped; each kept one becomes a `Field(custom=True)`, also when its
        label or api name equals a standard field's. Fields of another module's metadata
        already merged are replaced, not doubled.

        >>> from bulkio.catalogue import load_module
        >>> load_module("items").with_custom_fields(
        ...     [{"field_id": 7, "label": "External ID", "data_type": "string",
        ...       "is_unique": True}]).field("cf_external_id").customfield_id
        '7'
        """
        standard = tuple(f for f in self.fields if not f.custom)
        return replace(self, fields=standard + custom_fields(metadata))


def check_write_kind(kind: str) -> None:
    """ValueError unless `kind` is a Mode."""
    if kind not in MODES:
        raise ValueError(f"unknown write kind {kind!r}; one of {MODE_NAMES}")


#: The query parameter invoices.yml, estimates.yml, sales-order.yml, purchase-order.yml and
#: credit-notes.yml document on POST /{module} and PUT /{module}/{id}: "Ignore auto ... number
#: generation for this ... This mandates the invoice number." (invoices.yml, create_invoice).
#: No upsert operation (PUT /{module}) and no bills or contacts operation documents it; which
#: kinds do is generated into Module.ignore_auto_number_kinds by tools/gen_catalogue.py.
AUTO_NUMBER_PARAM = "ignore_auto_number_generation"


def write_params(module: Module, payload: Mapping[str, Any], kind: str) -> dict[str, str]:
    """The query parameters a write of `kind` (a Mode) sends besides organization_id:
    `ignore_auto_number_generation=true` when the payload carries its own document number
    (the module's number_field) and the operation documents that parameter, else {}.

    >>> from bulkio.catalogue import load_module
    >>> write_params(load_module("invoices"), {"invoice_number": "INV-7"}, "create")
    {'ignore_auto_number_generation': 'true'}
    """
    check_write_kind(kind)
    number = payload.get(module.number_field) if module.number_field else None
    if kind in module.ignore_auto_number_kinds and str(number or "").strip():
        return {AUTO_NUMBER_PARAM: "true"}
    return {}
