"""Custom fields: their metadata (`/settings/fields`), the payload shapes that name them, and the
check of each value against its data type."""

from __future__ import annotations

import datetime as dt
import re

from . import errors
from .modules import MODULES
from .store import Store

COLLECTION = "customfields"
#: Custom Fields API, "Create a custom field": the arguments marked (Required)
CREATE_REQUIRED = ("label", "data_type", "entity", "show_on_pdf")  # rule: CF-CREATE-REQUIRED
ENTITIES = ("item", "contact", "invoice", "bill", "estimate", "salesorder", "purchaseorder", "creditnote")
TEXT_TYPES = {"string": 255, "multiline": None, "email": 100, "url": 255, "phone": 50}
NUMBER_TYPES = ("number", "decimal", "amount", "percent")
DATA_TYPES = (*TEXT_TYPES, *NUMBER_TYPES, "date", "check_box", "dropdown")

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^(https?://)?[^\s/.]+(\.[^\s/.]+)+(/\S*)?$", re.IGNORECASE)
_PHONE = re.compile(r"^[0-9+()\-.\s/x]+$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")


def api_name_for(label: str) -> str:
    """Zoho's api name for a label: "External ID" -> "cf_external_id"."""
    return "cf_" + re.sub(r"[^a-z0-9]", "_", label.strip().lower())


class CustomFields:
    """Custom field metadata per organization and entity, kept in the store."""

    def __init__(self, store: Store):
        self.store = store

    def create(self, org: str, seed: dict) -> dict:
        """Create a field from Zoho's seed (label, data_type, entity, show_on_pdf, is_unique,
        values, ...); the arguments "Create a custom field" marks (Required) must be there."""
        for name in CREATE_REQUIRED:
            if seed.get(name) in (None, ""):
                raise errors.required(name)
        entity = seed.get("entity")
        if entity not in ENTITIES:
            raise errors.invalid_value("entity")
        label = seed.get("label")
        if not isinstance(label, str) or not label.strip():
            raise errors.required("label")
        data_type = seed["data_type"]
        if data_type not in DATA_TYPES:
            raise errors.invalid_value("data_type")
        values = _seed_values(seed.get("values"))
        if data_type == "dropdown" and not values:
            raise errors.required("values")
        with self.store.lock:
            existing = self.fields(org, entity)
            api_name = api_name_for(label)
            if any(f["label"].lower() == label.strip().lower() or f["api_name"] == api_name for f in existing):
                raise errors.custom_field_exists(label.strip())
            field_id = self.store.new_id()
            meta = {
                "field_id": field_id,
                "entity": entity,
                "label": label.strip(),
                "api_name": api_name,
                "data_type": data_type,
                "is_mandatory": bool(seed.get("is_mandatory", False)),
                "show_on_pdf": bool(seed.get("show_on_pdf", False)),
                "is_unique": bool(seed.get("is_unique", False)),
                "is_active": bool(seed.get("is_active", True)),
                "index": max((f["index"] for f in existing), default=0) + 1,
                "max_length": _max_length(seed.get("max_length"), data_type),
                "values": values,
            }
            self.store.put(org, COLLECTION, field_id, meta)
        return dict(meta)

    def listing(self, org: str, entity: str, *, custom_only: bool, documented: bool) -> list[dict]:
        """`GET /settings/fields`: the entity's system fields, then its custom fields, each in
        the documented answer shape (`metadata`). Custom Fields API, "List custom fields":
        filter_custom_fields=true "returns only custom fields (excludes system fields)"."""
        system = [] if custom_only else system_fields(entity)
        return [metadata(m, documented) for m in system + self.fields(org, entity)]

    def fields(self, org: str, entity: str | None = None) -> list[dict]:
        """The fields of an entity (every entity when None), in index order."""
        found = [f for f in self.store.all(org, COLLECTION) if entity is None or f["entity"] == entity]
        return sorted(found, key=lambda f: (f["entity"], f["index"]))

    def find(self, org: str, entity: str, api_name: str) -> dict | None:
        return next((f for f in self.fields(org, entity) if f["api_name"] == api_name), None)

    def parse(self, org: str, entity: str, entries) -> dict[str, object]:
        """Payload `custom_fields` -> {field_id: checked value, or None to clear it}."""
        if entries is None:
            return {}
        if not isinstance(entries, list):
            raise errors.invalid_value("custom_fields")
        fields = self.fields(org, entity)
        out: dict[str, object] = {}
        for entry in entries:
            if not isinstance(entry, dict):
                raise errors.invalid_value("custom_fields")
            meta = resolve_field(fields, entry)
            if "value" in entry:
                out[meta["field_id"]] = check_value(meta, entry["value"])
        return out

    def render(self, org: str, entity: str, values: dict) -> tuple[list[dict], dict]:
        """Stored {field_id: value} -> (`custom_fields` list, `custom_field_hash`) of an answer."""
        listing, hashed = [], {}
        if not values:
            return listing, hashed
        for meta in self.fields(org, entity):
            if meta["field_id"] not in values:
                continue
            value = values[meta["field_id"]]
            listing.append({
                "customfield_id": meta["field_id"],
                "index": meta["index"],
                "label": meta["label"],
                "api_name": meta["api_name"],
                "data_type": meta["data_type"],
                "is_active": meta["is_active"],
                "value": value,
                "value_formatted": _formatted(meta["data_type"], value),
            })
            hashed[meta["api_name"]] = value
        return listing, hashed


#: the keys of a field in the documented answers (Custom Fields API: "Create a custom field"
#: and "List custom fields", Response Example); `is_unique` and `index` are not among them
DOCUMENTED_KEYS = ("field_id", "label", "api_name", "data_type", "entity", "is_active", "is_mandatory",
                   "show_on_pdf", "max_length", "values")
UNDOCUMENTED_KEYS = ("is_unique", "index")


def metadata(meta: dict, documented: bool) -> dict:
    """A stored field as the API shows it: the documented keys, dropdown options with their id
    and order; `is_unique` and `index` too unless `documented` (the sandbox's
    --field-metadata documented, as Zoho's examples show it)."""
    # rule: CF-METADATA-DOCUMENTED
    keys = DOCUMENTED_KEYS if documented else DOCUMENTED_KEYS + UNDOCUMENTED_KEYS
    shown = {k: meta.get(k) for k in keys}
    shown["show_on_pdf"] = bool(meta.get("show_on_pdf", False))
    shown["values"] = [{"name": v["name"], "id": v.get("id", order), "order": order,
                        "is_active": v.get("is_active", True)}
                       for order, v in enumerate(meta.get("values") or (), start=1)]
    return shown


#: first id of the entities' system fields, apart from the store's record ids
SYSTEM_FIELD_ID = 982000000100000
SYSTEM_TYPES = {"string": "string", "number": "decimal", "integer": "number", "boolean": "check_box"}


def system_fields(entity: str) -> list[dict]:
    """The entity's standard fields as `GET /settings/fields` lists them without
    filter_custom_fields: the same shape as a custom field, an api name without `cf_`. Zoho
    does not document their values; they come from the module's OpenAPI request schema."""
    spec = next((m for m in MODULES.values() if m.entity == entity), None)
    if spec is None:
        return []
    out = []
    for position, (name, (json_type, max_length)) in enumerate(sorted(spec.fields.items())):
        if json_type not in SYSTEM_TYPES or name in ("custom_fields", "line_items"):
            continue
        out.append({
            "field_id": str(SYSTEM_FIELD_ID + 1000 * ENTITIES.index(entity) + position), "entity": entity,
            "label": name.replace("_", " ").title(), "api_name": name, "data_type": SYSTEM_TYPES[json_type],
            "is_active": True, "is_mandatory": name in spec.required, "is_unique": False,
            "max_length": max_length, "values": [],
        })
    return out


def unique_key(value) -> str:
    """How two values of a unique field are compared: as trimmed text, case ignored."""
    return str(value).strip().casefold()


def check_value(meta: dict, value):
    """The stored form of `value` for the field, None for "clear it"; ZohoError when invalid."""
    if value is None or (isinstance(value, str) and not value.strip() and meta["data_type"] != "check_box"):
        return None
    kind = meta["data_type"]
    if kind in TEXT_TYPES:
        return _check_text(meta, value)
    if kind in NUMBER_TYPES:
        return _check_number(meta, value)
    if kind == "date":
        if isinstance(value, str) and _DATE.match(value.strip()):
            try:
                dt.date.fromisoformat(value.strip())
                return value.strip()
            except ValueError:
                pass
        raise errors.invalid_value(meta["label"])
    if kind == "check_box":
        if isinstance(value, bool):
            return value
        raise errors.invalid_value(meta["label"])
    if kind == "dropdown":
        options = [v["name"] for v in meta["values"] if v.get("is_active", True)]
        if isinstance(value, str) and value in options:
            return value
        raise errors.invalid_value(meta["label"])
    raise errors.invalid_value(meta["label"])


def _check_text(meta: dict, value) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise errors.invalid_value(meta["label"])
    text = str(value)
    limit = meta.get("max_length")
    if limit and len(text) > limit:
        raise errors.too_long(meta["label"], limit)
    pattern = {"email": _EMAIL, "url": _URL, "phone": _PHONE}.get(meta["data_type"])
    if pattern is not None and not pattern.match(text.strip()):
        raise errors.invalid_value(meta["label"])
    return text


def _check_number(meta: dict, value):
    if isinstance(value, bool):
        raise errors.invalid_value(meta["label"])
    if isinstance(value, str):
        text = value.strip()
        pattern = _INTEGER if meta["data_type"] == "number" else _DECIMAL
        if not pattern.match(text):
            raise errors.invalid_value(meta["label"])
        value = int(text) if _INTEGER.match(text) else float(text)
    if isinstance(value, float) and meta["data_type"] == "number":
        if not value.is_integer():
            raise errors.invalid_value(meta["label"])
        value = int(value)
    if not isinstance(value, (int, float)):
        raise errors.invalid_value(meta["label"])
    return value


def resolve_field(fields: list[dict], entry: dict) -> dict:
    """The field an entry names, in any of the shapes Zoho accepts."""
    for key in ("customfield_id", "custom_field_id"):
        if entry.get(key) not in (None, ""):
            wanted = str(entry[key]).strip()
            match = next((f for f in fields if f["field_id"] == wanted), None)
            if match is None:
                raise errors.invalid_value(key)
            return match
    if entry.get("api_name"):
        match = next((f for f in fields if f["api_name"] == entry["api_name"]), None)
        if match is None:
            raise errors.invalid_value("api_name")
        return match
    if entry.get("index") not in (None, ""):
        try:
            index = int(entry["index"])
        except (TypeError, ValueError):
            raise errors.invalid_value("index") from None
        match = next((f for f in fields if f["index"] == index), None)
        if match is None:
            raise errors.invalid_value("index")
        return match
    if entry.get("label"):
        label = str(entry["label"]).strip()
        match = next((f for f in fields if f["label"] == label), None)
        match = match or next((f for f in fields if f["label"].casefold() == label.casefold()), None)
        if match is None:
            raise errors.invalid_value("label")
        return match
    raise errors.invalid_value("custom_fields")


def _seed_values(values) -> list[dict]:
    if values in (None, ""):
        return []
    if not isinstance(values, list):
        raise errors.invalid_value("values")
    out = []
    for v in values:
        if isinstance(v, str):
            out.append({"name": v, "is_active": True})
        elif isinstance(v, dict) and (v.get("name") or v.get("value")):
            out.append({"name": str(v.get("name") or v.get("value")), "is_active": bool(v.get("is_active", True))})
        else:
            raise errors.invalid_value("values")
    return out


def _max_length(given, data_type: str):
    if given in (None, ""):
        return TEXT_TYPES.get(data_type)
    try:
        return int(given)
    except (TypeError, ValueError):
        raise errors.invalid_value("max_length") from None


def _formatted(data_type: str, value) -> str:
    if data_type == "date":
        return dt.date.fromisoformat(value).strftime("%d %b %Y")
    if data_type == "check_box":
        return "true" if value else "false"
    if data_type in ("decimal", "amount"):
        return f"{value:.2f}"
    if data_type == "percent":
        return f"{value}%"
    return str(value)
