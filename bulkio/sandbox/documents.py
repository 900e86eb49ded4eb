"""Documents with line items (invoices, bills, estimates, sales orders, purchase orders, credit
notes): the party and item lookups, line totals and taxes, document numbers. On update the
line items sent replace the stored ones, as Zoho does: lines not sent are deleted, a line sent
with its `line_item_id` keeps that id."""

from __future__ import annotations

import datetime as dt
import re

from . import errors, rules, settings

PARTY_NAME = {"customer_id": "customer_name", "vendor_id": "vendor_name"}
_PERCENT = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*%\s*$")


def document_hook(records, org, spec, record, body, existing) -> None:
    """Complete a document before it is stored (see the module docstring)."""
    creating = existing is None
    if creating or spec.party_field in body:
        _party(records, org, spec, record)
    if rules.is_empty(record.get(spec.number_field)):
        record[spec.number_field] = _next_number(records, org, spec)
    if creating:
        record.setdefault("date", dt.date.today().isoformat())
        record.setdefault("currency_code", "USD")
    if creating or "line_items" in body:
        lines = body.get("line_items")
        if "line_items" in spec.required and (creating or "line_items" in body) and rules.is_empty(lines):
            raise errors.required("line_items")
        if lines is not None and not isinstance(lines, list):
            raise errors.invalid_value("line_items")
        # rule: LINE-ITEMS-REPLACED
        kept = {line["line_item_id"]: line for line in (existing or {}).get("line_items", [])}
        record["line_items"] = [
            _line(records, org, spec, raw, kept, order) for order, raw in enumerate(lines or [], start=1)
        ]
    _totals(record)


def _party(records, org, spec, record) -> None:
    field = spec.party_field
    contact = records.exists(org, "contacts", record.get(field))
    if contact is None:
        raise errors.lookup_missing(field)
    record[field] = contact["contact_id"]
    record[PARTY_NAME[field]] = contact["contact_name"]


def _next_number(records, org, spec) -> str:
    """The next free number of the series: INV-000001, INV-000002, ..."""
    taken = records.unique_index(org, spec).get("number", {})
    meta_key = f"next_number:{org}:{spec.name}"
    n = int(records.store.get_meta(meta_key) or 1)
    while f"{spec.number_prefix}{n:06d}".casefold() in taken:
        n += 1
    records.store.set_meta(meta_key, str(n + 1))
    return f"{spec.number_prefix}{n:06d}"


def _line(records, org, spec, raw, kept: dict, order: int) -> dict:
    if not isinstance(raw, dict):
        raise errors.invalid_value("line_items")
    line_id = raw.get("line_item_id")
    if line_id not in (None, ""):
        if str(line_id) not in kept:
            raise errors.invalid_value("line_item_id")
        line = dict(kept[str(line_id)])
    else:
        line = {"line_item_id": records.store.new_id()}
    for key, value in raw.items():
        if key in spec.line_fields and key != "line_item_id" and value is not None:
            json_type, max_length = spec.line_fields[key]
            line[key] = rules.check(key, json_type, max_length, value)
    _line_item(records, org, line, raw)
    if all(rules.is_empty(line.get(key)) for key in ("item_id", "name", "description")):
        raise errors.required("line_items.item_id")
    line.setdefault("quantity", 1)
    line.setdefault("rate", 0)
    line["item_order"] = order
    _line_tax(records, org, line)
    gross = float(line["rate"]) * float(line["quantity"])
    line["discount_amount"] = _discount(line.get("discount"), gross, "discount")
    line["item_total"] = round(gross - line["discount_amount"], 2)
    line["tax_amount"] = round(line["item_total"] * float(line.get("tax_percentage") or 0) / 100, 2)
    return line


def _line_item(records, org, line: dict, raw: dict) -> None:
    """Fill a line from its item: the item must exist; its name, rate and unit are defaults."""
    if rules.is_empty(line.get("item_id")):
        return
    item = records.exists(org, "items", line["item_id"])
    if item is None:
        raise errors.lookup_missing("item_id")
    line["item_id"] = item["item_id"]
    line.setdefault("name", item.get("name"))
    if "rate" not in raw:
        line.setdefault("rate", item.get("rate", 0))
    for key in ("description", "unit", "sku"):
        if item.get(key) not in (None, ""):
            line.setdefault(key, item[key])
    if "tax_id" not in raw and not rules.is_empty(item.get("tax_id")):
        line.setdefault("tax_id", item["tax_id"])


def _line_tax(records, org, line: dict) -> None:
    if rules.is_empty(line.get("tax_id")):
        line.pop("tax_name", None)
        line["tax_percentage"] = 0
        return
    tax = settings.tax(records.store, org, line["tax_id"])
    if tax is None:
        raise errors.lookup_missing("tax_id")
    line["tax_id"] = tax["tax_id"]
    line["tax_name"] = tax["tax_name"]
    line["tax_percentage"] = tax["tax_percentage"]


def _discount(value, base: float, field: str) -> float:
    """A discount given as an amount (5) or a share ("10%") -> its amount."""
    if value in (None, ""):
        return 0.0
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match:
            return round(base * float(match.group(1)) / 100, 2)
        try:
            return float(value)
        except ValueError:
            raise errors.invalid_value(field) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise errors.invalid_value(field)
    return float(value)


def _totals(record: dict) -> None:
    lines = record.get("line_items") or []
    sub_total = round(sum(line["item_total"] for line in lines), 2)
    taxes: dict[str, dict] = {}
    for line in lines:
        if line.get("tax_amount"):
            entry = taxes.setdefault(line["tax_id"], {"tax_id": line["tax_id"], "tax_name": line["tax_name"],
                                                      "tax_amount": 0.0})
            entry["tax_amount"] = round(entry["tax_amount"] + line["tax_amount"], 2)
    tax_total = round(sum(t["tax_amount"] for t in taxes.values()), 2)
    discount = _discount(record.get("discount"), sub_total, "discount")
    extras = sum(float(record.get(k) or 0) for k in ("adjustment", "shipping_charge"))
    record.update({
        "sub_total": sub_total,
        "taxes": list(taxes.values()),
        "tax_total": tax_total,
        "discount_total": discount,
        "total": round(sub_total - discount + tax_total + extras, 2),
    })
    record["balance"] = record["total"]
