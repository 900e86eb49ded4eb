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
    """Defaults of a contact, its persons as the request lists them, and the primary person's
    fields on top."""
    if existing is None:
        record.setdefault("contact_type", "customer")
    if "contact_persons" in body:
        record["contact_persons"] = _persons(records, body["contact_persons"], existing)
    elif existing is not None:
        record["contact_persons"] = []  # rule: CONTACT-PERSONS-ABSENT
    persons = record.get("contact_persons") or []
    # rule: CONTACT-PRIMARY
    marked = [p for p in persons if p.get("is_primary_contact")]
    if len(marked) > 1:
        raise errors.invalid_value("is_primary_contact")  # "Only one per contact"
    kept = next((p for p in persons if p["contact_person_id"] == (existing or {}).get("primary_contact_id")), None)
    primary = marked[0] if marked else kept or (persons[0] if persons else None)
    for person in persons:
        person["is_primary_contact"] = person is primary
    record["primary_contact_id"] = primary["contact_person_id"] if primary else ""
    for key in PERSON_FIELDS:
        record[key] = primary.get(key, "") if primary else ""


def _persons(records, sent, existing) -> list[dict]:
    """The contact's persons after a request that sends `contact_persons`: the list replaces
    the persons there were (one left out is removed); an entry with a `contact_person_id`
    updates that person, which must be one of this contact's; an entry without one is new."""
    # rule: CONTACT-PERSONS-REPLACED
    if not isinstance(sent, list):
        raise errors.invalid_value("contact_persons")
    before = {p["contact_person_id"]: p for p in (existing or {}).get("contact_persons") or []}
    out = []
    for person in sent:
        if not isinstance(person, dict):
            raise errors.invalid_value("contact_persons")
        for key, limit in PERSON_MAX_LENGTH.items():
            if person.get(key) is not None:
                rules.check(key, "string", limit, person[key])
        pid = person.get("contact_person_id")
        if rules.is_empty(pid):
            out.append({**person, "contact_person_id": records.store.new_id()})
        elif str(pid) in before:
            before.pop(str(pid))
            out.append({**person, "contact_person_id": str(pid)})  # rule: CONTACT-PERSON-WHOLE
        else:
            raise errors.invalid_value("contact_person_id")
    return out
