"""Checks of a record's standard fields: known keys, JSON types, documented max lengths and
allowed values. Unknown keys are dropped, as Zoho ignores them."""

from __future__ import annotations

import datetime as dt
import re

from . import errors
from .modules import ModuleSpec

# Allowed values, from the "Allowed values" sentences of the OpenAPI descriptions.
ENUMS = {
    "items": {
        "product_type": ("goods", "service", "digital_service", "capital_service", "capital_goods"),
        "item_type": ("sales", "purchases", "sales_and_purchases", "inventory"),
    },
    "contacts": {
        "contact_type": ("customer", "vendor"),
        "customer_sub_type": ("individual", "business"),
        "language_code": ("de", "en", "es", "fr", "it", "ja", "nl", "pt", "pt_br", "sv", "zh", "en_gb"),
        "gst_treatment": ("business_gst", "business_none", "overseas", "consumer"),
    },
}
DOCUMENT_ENUMS = {"discount_type": ("entity_level", "item_level")}
# Max lengths Zoho documents on its attribute pages but not in the OpenAPI request schemas.
EXTRA_MAX_LENGTH = {"contacts": {"contact_name": 200}}
DATE_FIELDS = ("date", "due_date", "expected_delivery_date", "shipment_date", "expiry_date", "delivery_date")

_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PERCENT = re.compile(r"^\s*[0-9]*\.?[0-9]+\s*%\s*$")


def clean(spec: ModuleSpec, body: dict) -> dict:
    """The known standard fields of a request body, type-checked (custom_fields and line_items
    are left to their own checks)."""
    out = {}
    fields = spec.fields
    for key, value in body.items():
        if key not in fields or key in ("custom_fields", "line_items") or value is None:
            continue  # rule: UNKNOWN-BODY-DROPPED
        json_type, max_length = fields[key]
        max_length = EXTRA_MAX_LENGTH.get(spec.name, {}).get(key, max_length)
        out[key] = check(key, json_type, max_length, value, _enum(spec, key))
    return out


def check(key: str, json_type: str, max_length: int | None, value, allowed=None):
    """One value of a standard field in its stored form; ZohoError when it cannot be."""
    if key == "discount" and isinstance(value, str) and _PERCENT.match(value):
        return value.strip()  # Zoho takes a discount as an amount or as "12.5%", whatever the schema says
    if json_type == "string":
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise errors.invalid_value(key)
        if max_length and isinstance(value, str) and len(value) > max_length:  # rule: MAX-LENGTH
            raise errors.too_long(key, max_length)
        if allowed and value not in allowed and value != "":
            raise errors.invalid_value(key)
        if key in DATE_FIELDS and value != "":
            _check_date(key, value)
        return value
    if json_type in ("number", "integer"):
        return _number(key, json_type, value)
    if json_type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise errors.invalid_value(key)
    if json_type == "array" and not isinstance(value, list):
        raise errors.invalid_value(key)
    if json_type == "object" and not isinstance(value, dict):
        raise errors.invalid_value(key)
    return value


def require(fields, record: dict) -> None:
    """Raise for the first required field that is absent or empty."""
    for name in fields:
        if is_empty(record.get(name)):
            raise errors.required(name)


def is_empty(value) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def _enum(spec: ModuleSpec, key: str):
    if spec.is_document:
        return DOCUMENT_ENUMS.get(key)
    return ENUMS.get(spec.name, {}).get(key)


def _number(key: str, json_type: str, value):
    if isinstance(value, bool):
        raise errors.invalid_value(key)
    if isinstance(value, str):
        if value.strip() == "":
            return None
        if not _NUMBER.match(value.strip()):
            raise errors.invalid_value(key)
        value = float(value)
    if not isinstance(value, (int, float)):
        raise errors.invalid_value(key)
    if json_type == "integer":
        if float(value) != int(value):
            raise errors.invalid_value(key)
        return int(value)
    return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 2**53 else value


def _check_date(key: str, value) -> None:
    if not isinstance(value, str) or not _DATE.match(value):
        raise errors.invalid_value(key)
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise errors.invalid_value(key) from None
