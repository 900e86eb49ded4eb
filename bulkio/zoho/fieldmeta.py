"""The organisation's custom-field metadata, as Zoho's Custom Fields API lists it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bulkio.errors import ApiError

#: Custom Fields API: "List custom fields" takes filter_custom_fields; "List custom fields
#: (simple)" at /customfields lists custom fields only and documents no such parameter
FIELD_PATHS = (("/settings/fields", {"filter_custom_fields": "true"}), ("/customfields", {}))


def read_custom_fields(get: Callable[..., dict[str, Any]], entity: str) -> list[dict[str, Any]]:
    """The custom-field metadata for `entity` read with `get(path, params)` (see
    `ZohoClient.custom_fields`)."""
    for path, params in FIELD_PATHS:
        try:
            envelope = get(path, {"entity": entity, **params})
        except ApiError as exc:
            if exc.status in (404, 405) and path != FIELD_PATHS[-1][0]:
                continue
            raise
        return field_list(envelope)
    return []  # pragma: no cover - the loop returns or raises


#: where custom-field metadata is listed: Zoho documents `fields` (Custom Fields API, every
#: list answer); the others were seen on other servers or guessed
FIELD_LIST_KEYS = ("fields", "customfields", "custom_fields")


def field_list(envelope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The custom-field metadata of an answer: under a known key, one field under `field` (the
    documented answer to a create or update), else the first list of objects."""
    if isinstance(envelope.get("field"), dict):
        return [envelope["field"]]
    for key in FIELD_LIST_KEYS:
        value = envelope.get(key)
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return value
    return _first_list_of_dicts(envelope)


def _first_list_of_dicts(envelope: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The first list of objects in an envelope, whatever its key (customfields, fields, ...),
    looking into nested objects too."""
    for value in envelope.values():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return value
        if isinstance(value, dict):
            found = _first_list_of_dicts(value)
            if found:
                return found
    return []
