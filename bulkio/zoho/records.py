"""The one reader of values in a record as Zoho returns it: what an export writes and what
--skip-unchanged compares are read here, so that a file exported and imported again sends nothing.

A custom field's value can stand in three places. Read in this order:

1. `custom_field_hash` (`{"cf_x": value}`), its `cf_x_unformatted` twin first: in Zoho's own
   sample answer (zoho-docs/deluge-books-updateRecord.txt) beside `custom_fields`, keyed by the api
   name, so nothing needs matching.
2. the `custom_fields` list, the place Zoho documents (zoho-docs/items-api.txt answers and every
   OpenAPI file's record schema: `[{"customfield_id", "value"}]`), an entry matched by id, then api
   name, label or index (other modules' entries name the field so, zoho-api.md "Custom fields").
3. top-level `cf_x` keys (`cf_x_unformatted` first: list rows show "21 Nov 2026" beside
   "2026-11-21"), which no Zoho document shows: a last resort only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bulkio.catalogue import Field

#: The keys an entry of `custom_fields` gives the field's id under (bills say custom_field_id).
ID_KEYS = ("customfield_id", "custom_field_id")


class _Missing:
    """The type of MISSING."""

    def __repr__(self) -> str:
        return "MISSING"


#: What the readers return for a value the record does not carry (None is a value: "cleared").
MISSING: Any = _Missing()


def raw_value(record: Mapping[str, Any], f: Field) -> Any:
    """Field `f`'s value in `record` as Zoho wrote it, or MISSING."""
    return custom_value(record, f) if f.custom else standard_value(record, f.path)


def standard_value(record: Mapping[str, Any], path: tuple[str, ...] | str) -> Any:
    """A standard field's value, or MISSING; a dotted name (`billing_address.city`) walks nested
    objects, and a list on the way means its primary contact, else its first entry."""
    current: Any = record
    for part in path.split(".") if isinstance(path, str) else path:
        if isinstance(current, list):
            current = next((e for e in current if isinstance(e, Mapping) and e.get("is_primary_contact")),
                           current[0] if current else None)
        if not isinstance(current, Mapping) or part not in current:
            return MISSING
        current = current[part]
    return current


def custom_value(record: Mapping[str, Any], f: Field) -> Any:
    """Custom field `f`'s value in `record` (in the order the module docstring gives), or MISSING
    when the record carries it nowhere."""
    hashed = record.get("custom_field_hash")
    found = _by_api_name(hashed, f) if isinstance(hashed, Mapping) else MISSING
    if found is not MISSING:
        return found
    entries = [e for e in record.get("custom_fields") or () if isinstance(e, Mapping)]
    for names in MATCHES:
        entry = next((e for e in entries if names(e, f)), None)
        if entry is not None:
            return entry.get("value", MISSING)
    return _by_api_name(record, f)


def _by_api_name(source: Mapping[str, Any], f: Field) -> Any:
    for key in (f"{f.api_name}_unformatted", f.api_name):
        if key in source:
            return source[key]
    return MISSING


def shows_custom_fields(record: Mapping[str, Any]) -> bool:
    """Whether a record as Zoho returned it carries its custom fields in any of the three places."""
    return ("custom_field_hash" in record or "custom_fields" in record
            or any(str(k).startswith("cf_") for k in record))


def key_of(record: Mapping[str, Any], key: str | Field) -> str | None:
    """A record's value of the unique custom field `key`, as text (None if unset).

    Give the module's Field rather than its api name when there is one: list entries that name
    the field only by id or label are found too.
    """
    probe = key if isinstance(key, Field) else Field(api_name=key, label="", type="string", custom=True)
    value = custom_value(record, probe)
    if value is MISSING or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def field_of_entry(fields: tuple[Field, ...], entry: Mapping[str, Any]) -> Field | None:
    """The field among `fields` a `custom_fields` entry names (by id, api name, label or index, in
    that order), or None."""
    for names in MATCHES:
        found = next((f for f in fields if names(entry, f)), None)
        if found is not None:
            return found
    return None


def entry_values(entries: Any) -> dict[str, str]:
    """A `custom_fields` list as {the entry's id, else api name, else label: value as text}: two
    answers' lists compare equal when they hold the same values."""
    return {str(e.get("customfield_id") or e.get("api_name") or e.get("label")): str(e.get("value"))
            for e in entries or () if isinstance(e, Mapping)}


def _same_id(entry: Mapping[str, Any], f: Field) -> bool:
    return f.customfield_id not in (None, "") and any(
        str(entry.get(k)) == str(f.customfield_id) for k in ID_KEYS if entry.get(k) not in (None, ""))


def _same(attr: str) -> Callable[[Mapping[str, Any], Field], bool]:
    # "" names nothing: a probe Field has no label, and an entry's empty label is no name
    def names(entry: Mapping[str, Any], f: Field) -> bool:
        mine = getattr(f, attr)
        return mine not in (None, "") and entry.get(attr) not in (None, "") and str(entry[attr]) == str(mine)
    return names


#: How an entry of `custom_fields` may name a field, the surest first.
MATCHES = (_same_id, _same("api_name"), _same("label"), _same("index"))
