"""The OAuth scope each API call needs: the scope the `security` of the operation names in
Zoho's OpenAPI files (generated into schema_data.OPERATION_SCOPES), and for the Custom Fields API
the "OAuth Scope" lines of its page."""

from __future__ import annotations

import re

from .schema_data import OPERATION_SCOPES

# rule: SCOPE-CUSTOM-FIELDS
EXTRA_SCOPES = {
    "GET /settings/fields": "ZohoBooks.settings.READ",
    "POST /settings/fields": "ZohoBooks.settings.CREATE",
    "GET /customfields": "ZohoBooks.settings.READ",
}
_ALL = {**OPERATION_SCOPES, **EXTRA_SCOPES}
# Literal templates before those with parameters, so /salesorders/templates is not /{salesorder_id}.
_TEMPLATES = sorted(
    ((re.compile("^" + re.sub(r"\{[^/}]+\}", "[^/]+", key) + "$"), key.count("{"), scope)
     for key, scope in _ALL.items()),
    key=lambda entry: entry[1],
)

#: Every scope an operation names: what the sandbox's built-in credentials are granted.
ALL_SCOPES = tuple(sorted(set(_ALL.values())))


def required(method: str, segments: list[str]) -> str | None:
    """The scope a call needs, or None when no document names the operation (the routes then
    answer it, with 404 or 405)."""
    # rule: SCOPE-PER-OPERATION
    call = f"{method} /" + "/".join(segments)
    return next((scope for pattern, _, scope in _TEMPLATES if pattern.match(call)), None)
