"""A contact's people on update, as Zoho's contacts.yml documents them.

"Update a contact": "For contact person, you can add new contact persons, update existing ones,
or remove them by excluding them from the contact_persons list", and an existing person is
named by its `contact_person_id` ("For an existing contact person, pass the
contact_person_id"). A sheet holds one person per contact (email, phone, first and last name),
which is the primary one. So an update sends every person Zoho holds, each with its id, and
the sheet's values go to the primary person: nobody the sheet does not mention is removed, and
nobody is added twice. contacts.yml is silent on an update that sends no contact_persons and
on the fields of a person it leaves out, so every contact update sends every person whole.
"""

from __future__ import annotations

from typing import Any

KEY = "contact_persons"
ID = "contact_person_id"
#: a person's fields the update request documents (update-a-contact-request, contact_persons)
PERSON_FIELDS = ("contact_person_id", "salutation", "first_name", "last_name", "email", "phone",
                 "mobile", "designation", "department", "skype", "is_primary_contact",
                 "enable_portal", "communication_preference")


def applies(module) -> bool:
    """Whether the module's records hold contact persons (contacts)."""
    return any(f.path[0] == KEY for f in module.fields)


def mentions_people(payload: dict) -> bool:
    """Whether a payload would send contact persons (and so replace Zoho's list of them)."""
    return isinstance(payload.get(KEY), list) and bool(payload[KEY])


def merge(payload: dict, existing: dict) -> dict:
    """The update body for `payload` over the contact `existing` (as GET answers it): every
    existing person sent again with its id and every documented field Zoho showed, the
    sheet's person merged into the primary one. Sent even when the sheet names nobody:
    contacts.yml does not say what an update without contact_persons does to them."""
    people = [p for p in existing.get(KEY) or () if isinstance(p, dict) and p.get(ID)]
    if not people:
        return payload
    primary = primary_person(people)
    sheet = {k: v for k, v in payload[KEY][0].items() if k != ID} if mentions_people(payload) else {}
    merged = []
    for person in people:
        kept = {k: person[k] for k in PERSON_FIELDS if k in person and person[k] is not None}
        if person is primary:
            kept.update(sheet)
        merged.append(kept)
    return {**payload, KEY: merged}


def primary_person(people: list[dict[str, Any]]) -> dict[str, Any]:
    """The person marked primary, else the first."""
    return next((p for p in people if _true(p.get("is_primary_contact"))), people[0])


def _true(value: Any) -> bool:
    return value is True or str(value).strip().lower() == "true"
