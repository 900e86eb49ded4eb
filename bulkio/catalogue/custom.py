"""An organisation's custom fields: one entry of Zoho's custom-field metadata as a Field.

The metadata comes from GET /settings/fields (Custom Fields API); `Module.with_custom_fields`
merges the Fields made here into a catalogue module.
"""

from __future__ import annotations

import re
from typing import Any

from bulkio.catalogue.field import Field

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


def is_active(meta: dict) -> bool:
    """Whether a metadata entry (a field or a dropdown option) is active: only an explicit
    false (JSON false, "false" or 0) makes it inactive."""
    return meta.get("is_active", True) not in (False, "false", 0)


def custom_fields(metadata: list[dict] | None) -> tuple[Field, ...]:
    """The active custom fields of a metadata list, as Fields, in its order."""
    return tuple(custom_field(m) for m in metadata or () if is_active(m) and is_custom_field_meta(m))


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


def derive_api_name(label: str) -> str:
    """Zoho's api name for a label without one: `"External ID"` -> `"cf_external_id"`."""
    slug = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")
    return f"cf_{slug}"


def _meta_label(meta: dict) -> str:
    return str(meta.get("label") or meta.get("field_name_formatted") or "").strip()


def _meta_api_name(meta: dict) -> str:
    return str(meta.get("api_name") or "").strip() or derive_api_name(_meta_label(meta))


def _field_id(meta: dict) -> Any:
    found = meta.get("field_id")
    return meta.get("customfield_id") if found in (None, "") else found


def _flag(value: Any) -> bool:
    """A metadata flag: JSON true as Zoho documents it, or written as text ("true", "false")."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1")
    return value is True or (isinstance(value, int) and value == 1)


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
            if not is_active(value):
                continue
            value = value.get("name", value.get("value"))
        if value not in (None, ""):
            out.append(str(value))
    return tuple(out)
