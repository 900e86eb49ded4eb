"""The module catalogue: what each Zoho module's records look like, read from templates/modules/*.toml.

Every module is data, not code: a TOML file per module (see docs/architecture.md) names its
endpoint, response keys, custom-field shape and fields. `load_module("items")` returns a frozen
`Module`; `Module.with_custom_fields(metadata)` adds an organisation's custom fields to it.

Field api names may be dotted for a few nested values worth a spreadsheet column:
`billing_address.city` is `{"billing_address": {"city": ...}}`, and for an array of objects
(`contact_persons.email`) the first, primary entry is meant. `Field.path` splits them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, NamedTuple

import bulkio
from bulkio.errors import ConfigError

FIELD_TYPES = frozenset({
    "string", "multiline", "number", "decimal", "amount", "percent", "date", "check_box",
    "dropdown", "email", "url", "phone", "id",
})
IMPORTABLE_KINDS = ("record", "document")
#: How a record is written, each one Zoho operation: create = POST /{module}, update =
#: PUT /{module}/{id}, upsert = PUT /{module} by a unique custom field (X-Unique-Identifier-Key,
#: with or without X-Upsert; upsert-by-unique-custom-field.txt).
WRITE_KINDS = ("create", "update", "upsert")


class EntryShape(NamedTuple):
    """How one custom-field entry is written: `keys` as the request schema documents them, and
    `fallback`, the key that names the field when none of `keys` but `index` does and the
    field's index is unknown (the Custom Fields API's metadata has none)."""

    keys: tuple[str, ...]
    fallback: str | None = None


@dataclass(frozen=True)
class Lookup:
    """A column holding a name that is resolved to an id by reading another module's list.

    `module` is a catalogue name (contacts, items, taxes, chartofaccounts, ...), `match` the
    fields of that module compared with the cell, in order, and `target` the field of this
    record (or line) that receives the id found.
    """

    module: str
    match: tuple[str, ...]
    target: str


@dataclass(frozen=True)
class Field:
    """One field of a module, standard or custom."""

    api_name: str
    label: str
    type: str
    required: bool = False
    max_length: int | None = None
    values: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    unique: bool | None = False  # None: Zoho's metadata did not say (its documented answer omits it)
    custom: bool = False
    customfield_id: str | None = None
    index: int | None = None
    active: bool = True
    read_only: bool = False
    level: str = "header"
    lookup: Lookup | None = None

    @property
    def path(self) -> tuple[str, ...]:
        """The api name split on dots: `("billing_address", "city")`, `("name",)`."""
        return tuple(self.api_name.split("."))

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling a column may use for this field: api name, label, aliases."""
        return (self.api_name, self.label, *self.aliases)


@dataclass(frozen=True)
class Module:
    """One catalogue entry: a Zoho module bulkio can import, export or read for lookups."""

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

    def entry_shape(self, kind: str = "create", line: bool = False) -> EntryShape:
        """The custom-field entry shape for a write of `kind` (WRITE_KINDS), of the header's
        `custom_fields` or, with `line`, of a line's `item_custom_fields`.

        Update and upsert take the update request schema's shape: each OpenAPI file's upsert
        operation (PUT /{module}, update_*_using_custom_field) has the update-*-request body.
        A module whose line schemas document no object entry (invoices, estimates; credit notes
        say "array of strings") writes line entries in its header shape.
        """
        if kind not in WRITE_KINDS:
            raise ValueError(f"unknown write kind {kind!r}; one of {', '.join(WRITE_KINDS)}")
        create, update, fallback = (self.custom_field_shape, self.update_custom_field_shape,
                                    self.custom_field_fallback)
        if line and (self.line_custom_field_shape or self.update_line_custom_field_shape):
            create, update, fallback = (self.line_custom_field_shape,
                                        self.update_line_custom_field_shape,
                                        self.line_custom_field_fallback)
        keys = (create or update) if kind == "create" else (update or create)
        return EntryShape(tuple(keys), fallback)

    def with_custom_fields(self, metadata: list[dict]) -> "Module":
        """This module plus the custom fields in `metadata` (from GET /settings/fields).

        Inactive fields are dropped; each kept one becomes a `Field(custom=True)`, also when its
        label or api name equals a standard field's. Fields of another module's metadata
        already merged are replaced, not doubled.

        >>> load_module("items").with_custom_fields(
        ...     [{"field_id": 7, "label": "External ID", "data_type": "string",
        ...       "is_unique": True}]).field("cf_external_id").customfield_id
        '7'
        """
        merged = [custom_field(m) for m in metadata or () if _is_active(m) and is_custom_field_meta(m)]
        standard = tuple(f for f in self.fields if not f.custom)
        return replace(self, fields=standard + tuple(merged))


# ---------------------------------------------------------------------------------------------
# Query parameters of a write

#: The query parameter invoices.yml, estimates.yml, sales-order.yml, purchase-order.yml and
#: credit-notes.yml document on POST /{module} and PUT /{module}/{id}: "Ignore auto ... number
#: generation for this ... This mandates the invoice number." (invoices.yml, create_invoice).
#: No upsert operation (PUT /{module}) and no bills or contacts operation documents it; which
#: kinds do is generated into Module.ignore_auto_number_kinds by tools/gen_catalogue.py.
AUTO_NUMBER_PARAM = "ignore_auto_number_generation"


def write_params(module: Module, payload: Mapping[str, Any], kind: str) -> dict[str, str]:
    """The query parameters a write of `kind` (WRITE_KINDS) sends besides organization_id:
    `ignore_auto_number_generation=true` when the payload carries its own document number
    (the module's number_field) and the operation documents that parameter, else {}.

    >>> write_params(load_module("invoices"), {"invoice_number": "INV-7"}, "create")
    {'ignore_auto_number_generation': 'true'}
    """
    if kind not in WRITE_KINDS:
        raise ValueError(f"unknown write kind {kind!r}; one of {', '.join(WRITE_KINDS)}")
    number = payload.get(module.number_field) if module.number_field else None
    if kind in module.ignore_auto_number_kinds and str(number or "").strip():
        return {AUTO_NUMBER_PARAM: "true"}
    return {}


# ---------------------------------------------------------------------------------------------
# Custom-field metadata -> Field

ZOHO_TYPES = {
    "string": "string", "text": "string", "multiline": "multiline", "textarea": "multiline",
    "number": "number", "integer": "number", "decimal": "decimal", "amount": "amount",
    "currency": "amount", "percent": "percent", "date": "date", "datetime": "date",
    "date_time": "date", "check_box": "check_box", "checkbox": "check_box", "boolean": "check_box",
    "dropdown": "dropdown", "multiselect": "dropdown", "email": "email", "url": "url",
    "phone": "phone", "lookup": "id",
}
# Zoho computes these; they come back in responses and are never sent.
COMPUTED_TYPES = frozenset({"autonumber", "auto_number", "formula"})
# Files (Custom Fields API's data types image and attachment): a cell's text cannot be one.
FILE_TYPES = frozenset({"image", "attachment"})


def is_custom_field_meta(meta: Any) -> bool:
    """Whether a `/settings/fields` entry is a custom field: its api name starts with `cf_` and
    it has a field id. Zoho lists system fields (`name`, `rate`, ...) in the same shape unless
    asked for `filter_custom_fields=true` (Custom Fields API, "List custom fields"). An entry
    with no api name is named from its label, as Zoho names custom fields."""
    if not isinstance(meta, dict) or _field_id(meta) in (None, ""):
        return False
    return _meta_api_name(meta).startswith("cf_")


def custom_field(meta: dict) -> Field:
    """One custom-field metadata entry as a Field (custom=True). A flag the entry does not
    carry is not invented: without `is_unique`, `unique` is None (unknown)."""
    label = _meta_label(meta)
    raw_type = str(meta.get("data_type") or "string").strip().lower()
    kind = ZOHO_TYPES.get(raw_type, "string")
    field_id = _field_id(meta)
    api_name = _meta_api_name(meta)
    return Field(
        api_name=api_name,
        label=label or api_name,
        type=kind,
        required=_flag(meta.get("is_mandatory")),
        max_length=_int_or_none(meta.get("max_length", meta.get("value_length"))),
        # options only bind a dropdown: Zoho's documented answers print `values` on a string field
        values=_active_values(meta.get("values")) if kind == "dropdown" else (),
        unique=_flag(meta["is_unique"]) if meta.get("is_unique") is not None else None,
        custom=True,
        customfield_id=None if field_id in (None, "") else str(field_id),
        index=_int_or_none(meta.get("index")),
        active=True,
        read_only=raw_type in COMPUTED_TYPES or raw_type in FILE_TYPES,
    )


def _meta_label(meta: dict) -> str:
    return str(meta.get("label") or meta.get("field_name_formatted") or "").strip()


def _meta_api_name(meta: dict) -> str:
    return str(meta.get("api_name") or "").strip() or derive_api_name(_meta_label(meta))


def _field_id(meta: dict) -> Any:
    found = meta.get("field_id")
    return meta.get("customfield_id") if found in (None, "") else found


def derive_api_name(label: str) -> str:
    """Zoho's api name for a label without one: `"External ID"` -> `"cf_external_id"`."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return f"cf_{slug}"


def _flag(value: Any) -> bool:
    """A metadata flag: JSON true as Zoho documents it, or written as text ("true", "false")."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return value is True or (isinstance(value, int) and value == 1)


def _is_active(meta: dict) -> bool:
    return meta.get("is_active", True) not in (False, "false", 0)


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _active_values(values: Any) -> tuple[str, ...]:
    """Dropdown options as text, leaving out inactive ones; Zoho sends strings or objects."""
    out = []
    for value in values or ():
        if isinstance(value, dict):
            if not _is_active(value):
                continue
            value = value.get("name", value.get("value"))
        if value not in (None, ""):
            out.append(str(value))
    return tuple(out)


# ---------------------------------------------------------------------------------------------
# Loading the catalogue


def catalogue_dir():
    """Where the module TOML files are: templates/modules/ of the installed package
    `bulkio.templates`, else of the source checkout (a plain checkout on sys.path)."""
    try:
        found = resources.files("bulkio.templates") / "modules"
        if any(p.name.endswith(".toml") for p in found.iterdir()):
            return found
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, TypeError):
        pass
    return Path(bulkio.__file__).resolve().parent.parent / "templates" / "modules"


@lru_cache(maxsize=None)
def _catalogue() -> dict[str, dict]:
    """Every TOML file of the catalogue, parsed, by module name."""
    out = {}
    for entry in catalogue_dir().iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            out[data.get("name", entry.name[:-5])] = data
    if not out:
        raise ConfigError(f"no module catalogue found in {catalogue_dir()}")
    return out


def module_names() -> list[str]:
    """Modules that can be imported and exported (records and documents), sorted."""
    return sorted(n for n, d in _catalogue().items() if d.get("kind") in IMPORTABLE_KINDS)


def _canonical(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(name).strip().lower())


# Spellings people type that plain normalisation and a trailing "s" do not reach.
ALIASES = {"chartofaccount": "chartofaccounts", "accounts": "chartofaccounts",
           "customers": "contacts", "vendors": "contacts", "tax": "taxes",
           "po": "purchaseorders", "so": "salesorders", "quotes": "estimates"}


def resolve_name(name: str) -> str:
    """The catalogue name for `name`: "item", "Sales-Orders" and "sales_order" all work."""
    known = _catalogue()
    key = _canonical(name)
    for candidate in (key, key + "s", ALIASES.get(key), ALIASES.get(key + "s")):
        if candidate in known:
            return candidate
    raise ConfigError(
        f"unknown module {name!r}; known modules: {', '.join(module_names())}")


def load_module(name: str) -> Module:
    """The catalogue entry for `name` (see `resolve_name` for accepted spellings).

    >>> load_module("item").endpoint
    '/items'
    """
    return _build(resolve_name(name))


@lru_cache(maxsize=None)
def _build(name: str) -> Module:
    data = dict(_catalogue()[name])
    try:
        fields = tuple(_field(f, "header") for f in data.pop("fields", ()))
        lines = tuple(_field(f, "line") for f in data.pop("line_fields", ()))
        for key in ("custom_field_shape", "update_custom_field_shape", "upsert_requires",
                    "line_custom_field_shape", "update_line_custom_field_shape",
                    "ignore_auto_number_kinds"):
            data[key] = tuple(data.get(key, ()))
        known = Module.__dataclass_fields__
        return Module(fields=fields, line_fields=lines,
                      **{k: v for k, v in data.items() if k in known})
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"catalogue entry {name!r} is malformed: {exc}") from exc


def _field(raw: dict, level: str) -> Field:
    raw = dict(raw)
    lookup = raw.pop("lookup", None)
    kind = raw.get("type", "string")
    if kind not in FIELD_TYPES:
        raise ValueError(f"field {raw.get('api_name')!r} has unknown type {kind!r}")
    for key in ("values", "aliases"):
        raw[key] = tuple(raw.get(key, ()))
    if lookup:
        lookup = Lookup(module=lookup["module"], match=tuple(lookup["match"]),
                        target=lookup["target"])
    return Field(level=raw.pop("level", level), lookup=lookup, **raw)


def header_key(text: str) -> str:
    """How column names compare: case, spaces, underscores, dashes and dots ignored."""
    return re.sub(r"[\s_\-.]+", "", str(text).lower())


# The query parameters each module's list endpoint documents (Zoho's OpenAPI files), besides
# page/per_page which bulkio sets itself. `<field>_startswith` etc. are allowed for these.
DOCUMENTED_FILTERS: dict[str, tuple[str, ...]] = {
    "items": ("name", "description", "rate", "tax_id", "tax_name", "is_taxable", "tax_exemption_id",
              "account_id", "sat_item_key_code", "unitkey_code"),
    "contacts": ("contact_type", "contact_name", "company_name", "first_name", "last_name", "address",
                 "email", "phone", "zcrm_contact_id", "zcrm_account_id", "zcrm_vendor_id"),
    "invoices": ("invoice_number", "item_name", "item_id", "item_description", "reference_number",
                 "customer_name", "recurring_invoice_id", "email", "total", "balance", "custom_field",
                 "date", "due_date", "created_date", "last_modified_time", "status", "customer_id",
                 "zcrm_potential_id"),
    "bills": ("bill_number", "reference_number", "date", "status", "description", "vendor_name", "total",
              "vendor_id", "item_id", "recurring_bill_id", "purchaseorder_id", "last_modified_time"),
    "estimates": ("estimate_number", "reference_number", "customer_name", "total", "customer_id", "item_id",
                  "item_name", "item_description", "custom_field", "expiry_date", "date", "status",
                  "zcrm_potential_id"),
    "salesorders": ("salesorder_number", "item_name", "item_id", "item_description", "reference_number",
                    "customer_name", "total", "date", "shipment_date", "status", "customer_id",
                    "salesperson_id", "zcrm_potential_id", "last_modified_time", "customview_id"),
    "purchaseorders": ("purchaseorder_number", "reference_number", "date", "status", "item_description",
                       "vendor_name", "total", "vendor_id", "last_modified_time", "item_id", "custom_field"),
    "creditnotes": ("creditnote_number", "date", "status", "total", "reference_number", "customer_name",
                    "item_name", "customer_id", "item_description", "item_id", "line_item_id", "tax_id"),
}
