"""Pure functions between typed values and Zoho's JSON: payloads, their hash, and what a write
would change in a record as Zoho returns it.

Standard fields go top level (dotted api names nest: `billing_address.city`, and the first entry
of `contact_persons`); custom fields go in a `custom_fields` list in the shape the module's request
schema documents for the write kind (`shape_for`; `reshape_custom_fields` re-shapes a built
payload once the kind is known). Values that are None are left out; "" (a cell holding the
--clear-marker text, see `bulkio.prepare.validation`) is sent so Zoho clears the field. Line-item fields are not mapped
here (documents assemble their lines separately and pass them in `values` under the module's
`line_items_key`, which is copied as it is).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from bulkio.catalogue import NUMBER_TYPES, EntryShape, Field, Module
from bulkio.modes import Mode
from bulkio.zoho.records import MISSING, custom_value, field_of_entry, shows_custom_fields, standard_value

DEFAULT_SHAPE = ("customfield_id", "value")
LINE_CUSTOM_KEY = "item_custom_fields"  # a line item's custom fields
# Nested api names whose parent is a list of objects in Zoho: the dotted field is the first entry.
ARRAY_PARENTS = frozenset({"contact_persons"})
_TRUE = frozenset({"true", "yes", "y", "1", "on"})
_FALSE = frozenset({"false", "no", "n", "0", "off"})
MAX_LAYOUTS = 256  # PayloadBuilder: field sets remembered per builder


#: The kind a payload is shaped for when none is given: the runner's default mode (RunOptions).
#: An upsert may create or update, and Zoho documents one body for it: the upsert operation
#: (PUT /{module}, update_*_using_custom_field in every OpenAPI file) takes update-*-request.
DEFAULT_KIND = Mode.UPSERT
# Entry keys that name the field; an entry with none of them (and no index) cannot be matched.
NAMING_KEYS = frozenset({"customfield_id", "custom_field_id", "index", "label", "api_name"})


def shape_for(module: Module, kind: str = DEFAULT_KIND, line: bool = False) -> EntryShape:
    """The custom-field entry shape of `module` for a write of `kind` (create, update, upsert):
    the keys its create or update request schema documents (Module.entry_shape), `line` for
    a line's item_custom_fields.

    >>> shape_for(load_module("contacts"), "create")
    EntryShape(keys=('index', 'value'), fallback='label')
    """
    return module.entry_shape(kind, line)


def build_payload(module: Module, values: dict[str, Any], kind: str = DEFAULT_KIND) -> dict:
    """Typed values (api name -> value) -> the JSON body for a write of `kind`.

    >>> build_payload(items, {"name": "Pen", "cf_external_id": "A-1"})
    {'name': 'Pen', 'custom_fields': [{'customfield_id': 7, 'value': 'A-1'}]}

    For many rows of one module, build a `PayloadBuilder` once and call it per row.
    """
    return PayloadBuilder(module, kind)(values)


def reshape_custom_fields(module: Module, payload: dict, kind: str) -> dict:
    """`payload` with its `custom_fields` entries, and each line's `item_custom_fields`, in the
    shape of a write of `kind`; a new dict, `payload` is left as it is. Entries that name no
    field of the module are kept as they are. Call it just before sending, once the write's
    kind is decided: `client.create(module, reshape_custom_fields(module, payload, Mode.CREATE))`.
    """
    out = dict(payload)
    if isinstance(payload.get("custom_fields"), list):
        out["custom_fields"] = _reshaped(module.custom_fields, payload["custom_fields"],
                                         shape_for(module, kind))
    lines = payload.get(module.line_items_key) if module.line_items_key else None
    if isinstance(lines, list):
        fields = tuple(f for f in module.line_fields if f.custom)
        shape = shape_for(module, kind, line=True)
        out[module.line_items_key] = [
            {**line, LINE_CUSTOM_KEY: _reshaped(fields, line[LINE_CUSTOM_KEY], shape)}
            if isinstance(line, dict) and isinstance(line.get(LINE_CUSTOM_KEY), list) else line
            for line in lines]
    return out


def _reshaped(fields: tuple[Field, ...], entries: list, shape: EntryShape) -> list:
    out = []
    for entry in entries:
        f = field_of_entry(fields, entry) if isinstance(entry, dict) else None
        out.append(entry if f is None else custom_field_entry(f, entry.get("value"), shape))
    return out


class PayloadBuilder:
    """`build_payload` for one module, with the per-field decisions (sendable? nested? custom
    entry shape?) taken once instead of once per row: mapping 100,000 rows spent most of its
    time re-deciding them.

    >>> to_payload = PayloadBuilder(items)
    >>> payloads = [to_payload(record.values) for record in records]
    """

    def __init__(self, module: Module, kind: str = DEFAULT_KIND):
        shape = shape_for(module, kind)
        self._known = frozenset(f.api_name for f in module.fields)
        self._layouts: dict[tuple[str, ...], list[tuple[str, Any]]] = {}
        # (api name, route): route is None for a top-level field, a (parent, child) pair for a
        # nested one, or the custom_fields entry with a placeholder value
        self._routes: list[tuple[str, Any]] = []
        for f in module.fields:
            if not _sendable(module, f):
                continue
            if f.custom:
                self._routes.append((f.api_name, custom_field_entry(f, None, shape)))
            elif len(f.path) == 1:
                self._routes.append((f.api_name, None))
            else:
                self._routes.append((f.api_name, (f.path[0], ".".join(f.path[1:]))))

    def __call__(self, values: dict[str, Any]) -> dict:
        payload: dict[str, Any] = {}
        custom = []
        for api, route in self._present(values):
            value = values[api]
            if value is None:
                continue
            if route is None:
                payload[api] = value
            elif type(route) is dict:
                entry = dict(route)       # keeps the shape's key order; "value" stays in place
                entry["value"] = value
                custom.append(entry)
            else:
                _put(payload, route, value)
        if not self._known.issuperset(values):  # set by later stages (line items, looked-up ids)
            for api, value in values.items():
                if api not in self._known and value is not None:
                    payload[api] = value
        if custom:
            payload["custom_fields"] = custom
        return payload

    def _present(self, values: dict[str, Any]) -> list[tuple[str, Any]]:
        """The routes of the fields `values` holds, in module order. Rows of one file mostly
        hold the same fields, so the list is kept per set of keys (a few, at most MAX_LAYOUTS)."""
        keys = tuple(values)
        found = self._layouts.get(keys)
        if found is None:
            found = [(api, route) for api, route in self._routes if api in values]
            if len(self._layouts) < MAX_LAYOUTS:
                self._layouts[keys] = found
        return found


def _sendable(module: Module, f: Field) -> bool:
    # a lookup column holds a name; the id it resolves to travels under lookup.target
    return not (f.read_only or f.lookup or f.level != "header" or f.api_name == module.id_field)


def _put(payload: dict, route: tuple[str, str], value: Any) -> None:
    parent, child = route
    if parent in ARRAY_PARENTS:
        payload.setdefault(parent, [{}])[0][child] = value
    else:
        payload.setdefault(parent, {})[child] = value


def custom_field_entry(f: Field, value: Any, shape: EntryShape | tuple[str, ...] = DEFAULT_SHAPE) -> dict:
    """One `custom_fields` entry in `shape` (an EntryShape, or just its keys), each key filled
    from the Field.

    Zoho types the ids as integers (customfield_id in items.yml, invoices.yml, ...;
    custom_field_id in bills.yml), so a numeric id is sent as int; both hold the Custom Fields
    API's field_id. A key the Field cannot fill is left out. When what is left names the field
    no way, typically a shape of `index` and `value` (contacts' create, bills, estimates) and a
    field whose index Zoho's metadata does not give (custom-fields-api.txt: no index in the
    documented answers), the shape's fallback is added: the identifier the same module's file
    documents elsewhere for custom fields (bills: custom_field_id, estimates: customfield_id,
    contacts: label; see tools/gen_catalogue.py fallback_key). Last, `api_name`.
    """
    keys, fallback = shape if isinstance(shape, EntryShape) else (tuple(shape), None)
    source = {"customfield_id": _id(f.customfield_id), "custom_field_id": _id(f.customfield_id),
              "index": f.index, "label": f.label or None, "api_name": f.api_name, "value": value}
    entry = {k: source.get(k) for k in keys or DEFAULT_SHAPE}
    entry = {k: v for k, v in entry.items() if v is not None or k == "value"}
    if not NAMING_KEYS & set(entry):
        name = fallback if fallback and source.get(fallback) is not None else "api_name"
        entry = {name: source[name], **entry}
    return entry


def _id(value: Any) -> Any:
    text = "" if value is None else str(value).strip()
    return int(text) if text.isdigit() else (text or None)


def payload_hash(payload: dict) -> str:
    """sha256 of the payload as canonical JSON (sorted keys, no spaces): equal payloads, equal
    hashes, whatever order their keys were added in. orjson, because the standard library's
    encoder made hashing the slowest step of preparing a large file."""
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS, default=str)).hexdigest()


def changed_fields(module: Module, payload: dict, existing: dict) -> dict[str, tuple[Any, Any]]:
    """{api name: (value in Zoho, value to send)} for what the write would change; {} if nothing.

    `existing` is a record as GET returns it, read by `bulkio.zoho.records` as an export reads
    it. Numbers compare by value (10 == "10.00"), check boxes by truth ("true" == True), dates
    by day, text after trimming; a document's line items as `same_lines` says.
    """
    changes = {}
    for api, new, f in _flatten(module, payload):
        if module.line_items_key and api == module.line_items_key:
            old = existing.get(api)
            if not same_lines(module, old, new):
                changes[api] = (old, new)
            continue
        old = custom_value(existing, f) if f is not None and f.custom else standard_value(existing, api)
        if old is MISSING and f is not None and f.custom and not shows_custom_fields(existing):
            changes[api] = (None, new)  # a list answer without custom fields tells nothing
            continue
        old = None if old is MISSING else old
        if not same_value(f.type if f else None, old, new):
            changes[api] = (old, new)
    return changes


def same_lines(module: Module, old: Any, new: Any) -> bool:
    """Whether a document's line items in Zoho (`old`) already are the lines to send (`new`):
    as many lines, in the same order, each with the values sent (items, quantities, rates,
    descriptions...). What Zoho adds (line_item_id, item_total, tax_amount, a rate or name
    taken from the item when none was sent) does not count."""
    old = old if isinstance(old, list) else []
    new = new if isinstance(new, list) else []
    if len(old) != len(new):
        return False
    for have, want in zip(old, new, strict=False):
        if not isinstance(have, dict) or not isinstance(want, dict):
            return False
        for key, value in want.items():
            f = module.line_field(key)
            if not same_value(f.type if f else None, have.get(key), value):
                return False
    return True


def _flatten(module: Module, payload: dict):
    """(api name, value, Field or None) for every leaf of a payload build_payload made."""
    for key, value in payload.items():
        if key == "custom_fields" and isinstance(value, list):
            for entry in value:
                f = custom_field_for(module, entry)
                yield (f.api_name if f else str(entry.get("label"))), entry.get("value"), f
        elif isinstance(value, dict) or (key in ARRAY_PARENTS and isinstance(value, list)):
            inner = value if isinstance(value, dict) else (value[0] if value else {})
            for child, v in inner.items():
                yield f"{key}.{child}", v, module.field(f"{key}.{child}")
        else:
            yield key, value, module.field(key)


def custom_field_for(module: Module, entry: dict) -> Field | None:
    """The module's custom Field a `custom_fields` entry stands for (by id, api name, label or
    index, in that order)."""
    return field_of_entry(module.custom_fields, entry)


def same_value(kind: str | None, old: Any, new: Any) -> bool:
    """Whether Zoho's `old` and the payload's `new` mean the same for a field of type `kind`."""
    if _empty(old) or _empty(new):
        return _empty(old) and _empty(new)
    if isinstance(new, dict):
        return isinstance(old, dict) and all(same_value(None, old.get(k), v) for k, v in new.items())
    if isinstance(new, list):
        return (isinstance(old, list) and len(old) == len(new)
                and all(same_value(None, o, n) for o, n in zip(old, new, strict=False)))
    if kind == "check_box" or isinstance(new, bool):
        return _truth(old) is not None and _truth(old) == _truth(new)
    if kind in NUMBER_TYPES or (kind is None and _is_number(new)):
        a, b = _number(old), _number(new)
        if a is not None and b is not None:
            return a == b
    if kind == "date":
        return str(old).strip()[:10] == str(new).strip()[:10]
    if kind == "dropdown":
        return str(old) == str(new)
    return str(old).strip() == str(new).strip()


def _empty(value: Any) -> bool:
    return value is None or value is MISSING or (isinstance(value, str) and value.strip() == "")


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _truth(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    text = str(value).strip()
    for char in "$€£₹,% ":
        text = text.replace(char, "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None
