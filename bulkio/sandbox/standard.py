"""What items and contacts add to a record before it is stored: defaults, derived fields and
lookups Zoho performs."""

from __future__ import annotations

from . import errors, rules, settings

# Contact person fields Zoho also shows at the top of a contact (from its primary person).
PERSON_FIELDS = ("salutation", "first_name", "last_name", "email", "phone", "mobile")
PERSON_MAX_LENGTH = {"salutation": 25, "first_name": 100, "last_name": 100, "email": 100, "phone": 50,
                     "mobile": 50, "designation": 100, "department": 50, "skype": 50}


def item_hook(records, org, spec, record, body, existing) -> None:
    """Defaults and the tax lookup of an item."""
    if existing is None:
        record.setdefault("item_type", "sales")
        record.setdefault("product_type", "goods")
    if "tax_id" in body and not rules.is_empty(record.get("tax_id")):
        found = settings.tax(records.store, org, record["tax_id"])
        if found is None:
            raise errors.lookup_missing("tax_id")
        record["tax_name"] = found["tax_name"]
        record["tax_percentage"] = found["tax_percentage"]


def contact_hook(records, org, spec, record, body, existing) -> None:
    """Defaults of a contact, ids of its persons and the primary person's fields on top."""
    if existing is None:
        record.setdefault("contact_type", "customer")
    persons = record.get("contact_persons") or []
    if "contact_persons" in body:
        persons = [_person(records, p) for p in persons]
        record["contact_persons"] = persons
    primary = next((p for p in persons if p.get("is_primary_contact")), persons[0] if persons else None)
    if primary is not None:
        primary["is_primary_contact"] = True
        record["primary_contact_id"] = primary["contact_person_id"]
        for key in PERSON_FIELDS:
            record[key] = primary.get(key, "")


def _person(records, person) -> dict:
    if not isinstance(person, dict):
        raise errors.invalid_value("contact_persons")
    out = dict(person)
    for key, limit in PERSON_MAX_LENGTH.items():
        value = out.get(key)
        if value is not None:
            rules.check(key, "string", limit, value)
    out.setdefault("contact_person_id", records.store.new_id())
    out.setdefault("is_primary_contact", False)
    return out
