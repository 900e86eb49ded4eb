"""Golden answers from Zoho's pages: every JSON answer printed in spec/zoho-docs/*.txt is served
over loopback HTTP and read by the client's own code (records, pages, custom-field metadata,
upsert outcome, errors), and what it read is compared with what the page printed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from canned_zoho import API_ROOT, CannedZoho
from zoho_examples import all_response_examples, response_examples, without_placeholders

from bulkio.catalogue import Field, Lookup, load_module
from bulkio.errors import ApiError, OrganizationError
from bulkio.prepare.lookups import LookupResolver
from bulkio.zoho.records import custom_value

CUSTOM_FIELDS = "custom-fields-api.txt"
ITEMS = "items-api.txt"
DELUGE = "deluge-books-updateRecord.txt"
#: answers each page prints; a page that printed more would still pass, one that printed fewer
#: (or an extractor that found none) fails
EXAMPLES_PER_PAGE = {CUSTOM_FIELDS: 14, ITEMS: 8, DELUGE: 3,
                     "upsert-by-unique-custom-field.txt": 0, "odbc-driver-books-data.txt": 0}
ITEM_ID = "903000000045027"
#: the custom field that Items API § Create an Item and § List items show on their item
ITEM_FIELD = Field("cf_grade", "Grade", "string", custom=True, customfield_id="46000000012845")


@pytest.mark.parametrize("page, count", EXAMPLES_PER_PAGE.items())
def test_the_extractor_finds_every_answer_a_page_prints(page, count):
    found = response_examples(page)
    assert len(found) >= count
    assert all(isinstance(e.body, dict) and "code" in e.body for e in found)
    assert all(e.section for e in found)


def test_placeholders_are_dropped_before_parsing():
    assert without_placeholders('[ {...}, {...} ]') == "[ ]"
    assert without_placeholders('[ { "a": 1 }, {...}, {...} ]') == '[ { "a": 1 } ]'
    listed = [e.body for e in response_examples(CUSTOM_FIELDS) if e.section == "List custom fields"]
    assert [len(body["fields"]) for body in listed] == [1]


# --- readers: one per kind of answer, each asserting what the client read ---------------------


def read_custom_field_metadata(canned: CannedZoho, body: dict, path: str = "/settings/fields") -> None:
    """A custom-field answer (a list under `fields`, or one field under `field`) read by
    client.custom_fields and merged into the module as Zoho printed it."""
    canned.answer("GET", API_ROOT + path, 200, body)
    client = canned.client()
    metadata = client.custom_fields("invoice")
    printed = body.get("fields") or [body["field"]]
    assert [m["field_id"] for m in metadata] == [p["field_id"] for p in printed]
    field = load_module("invoices").with_custom_fields(metadata).field("cf_accnumber")
    assert (field.customfield_id, field.label, field.type, field.custom) == (
        "982000000567001", "Account Number", "string", True)
    assert (field.required, field.max_length, field.unique, field.read_only) == (False, 255, None, False)
    # the printed field is a string field: its `values` list (dropdown options) must not make
    # "Option 1" the only text it accepts
    assert field.values == ()


def read_simple_custom_field_list(canned: CannedZoho, body: dict) -> None:
    """§ List custom fields (simple) at /customfields, where /settings/fields is unknown (404)."""
    read_custom_field_metadata(canned, body, path="/customfields")
    assert [p for m, p, q in canned.calls] == [API_ROOT + "/settings/fields", API_ROOT + "/customfields"]


def read_no_custom_fields(canned: CannedZoho, body: dict) -> None:
    """An answer to a metadata call that prints no fields: no custom fields, no error."""
    canned.answer("GET", API_ROOT + "/settings/fields", 200, body)
    assert canned.client().custom_fields("invoice") == []


def read_acknowledgement(method: str) -> Callable[[CannedZoho, dict], None]:
    """An answer with only code 0 and a message (delete, mark active, reorder, ...)."""
    def read(canned: CannedZoho, body: dict) -> None:
        canned.answer(method, API_ROOT + "/acknowledged", 200, body)
        status, envelope = canned.client().request(method, "/acknowledged")
        assert (status, envelope["code"], envelope["message"]) == (200, 0, body["message"])
    return read


def assert_printed_item(record: dict, body: dict) -> None:
    printed = body["item"] if "item" in body else body["items"][0]
    assert record == printed
    assert str(record["item_id"]) == ITEM_ID and record["name"] == "Hard Drive"
    assert custom_value(record, ITEM_FIELD) == "Normal"


def read_created_item(canned: CannedZoho, body: dict) -> None:
    """§ Create an Item, as the answer to a create and to an upsert that created (201)."""
    canned.answer("POST", API_ROOT + "/items", 201, body)
    canned.answer("PUT", API_ROOT + "/items", 201, body)
    client = canned.client()
    created = client.create("items", {"name": "Hard Drive", "rate": 120})
    assert (created.created, created.status) == (True, 201)
    assert_printed_item(created.record, body)
    upserted = client.upsert("items", "cf_grade", "G-1", {"name": "Hard Drive"})
    assert (upserted.created, str(upserted.record["item_id"])) == (True, ITEM_ID)


def read_item_list(canned: CannedZoho, body: dict) -> None:
    """§ List items: no page_context printed, so one page; ids found by name and SKU."""
    canned.answer("GET", API_ROOT + "/items", 200, body)
    client = canned.client()
    records = list(client.iter_records("items"))
    assert len(records) == 1
    assert_printed_item(records[0], body)
    assert [q["page"] for m, p, q in canned.calls] == ["1"]
    resolver = LookupResolver(client)
    assert resolver.resolve(Lookup("items", ("name",), "item_id"), "hard drive").id == ITEM_ID
    assert resolver.resolve(Lookup("items", ("sku",), "item_id"), "s12345").id == ITEM_ID


def read_updated_item(canned: CannedZoho, body: dict) -> None:
    """§ Update an item, as the answer to an update by id and to an upsert that updated."""
    canned.answer("PUT", f"{API_ROOT}/items/{ITEM_ID}", 200, body)
    canned.answer("PUT", API_ROOT + "/items", 200, body)
    client = canned.client()
    updated = client.update("items", ITEM_ID, {"rate": 120})
    assert (updated.created, updated.status) == (False, 200)
    assert_printed_item(updated.record, body)
    upserted = client.upsert("items", "cf_grade", "G-1", {"rate": 120})
    assert (upserted.created, upserted.status) == (False, 200)
    assert_printed_item(upserted.record, body)


def read_item(canned: CannedZoho, body: dict) -> None:
    """§ Retrieve an item, read by id."""
    canned.answer("GET", f"{API_ROOT}/items/{ITEM_ID}", 200, body)
    assert_printed_item(canned.client().get_record("items", ITEM_ID), body)


def read_updated_invoice(canned: CannedZoho, body: dict) -> None:
    """Deluge's updateRecord sample: the invoice Zoho answers to an update by id."""
    invoice_id = "XXXXXXXXXXXX11003"
    canned.answer("PUT", f"{API_ROOT}/invoices/{invoice_id}", 200, body)
    updated = canned.client().update("invoices", invoice_id, {"line_items": []})
    assert (updated.created, updated.status) == (False, 200)
    record = updated.record
    assert record == body["invoice"]
    assert (record["invoice_id"], record["invoice_number"], record["total"]) == (invoice_id, "INV-000196", 14112.0)
    assert [line["line_item_id"] for line in record["line_items"]] == ["XXXXXXXXXXXX11017", "XXXXXXXXXXXX11019"]


def read_error(expected: type[ApiError]) -> Callable[[CannedZoho, dict], None]:
    """A failure answer: the page prints no HTTP status, so it is served with 200; its body code
    alone must make the call fail, with Zoho's code and message."""
    def read(canned: CannedZoho, body: dict) -> None:
        canned.answer("GET", f"{API_ROOT}/invoices/XXXXXXXXXXXX11003", 200, body)
        with pytest.raises(ApiError) as info:
            canned.client().get_record("invoices", "XXXXXXXXXXXX11003")
        assert type(info.value) is expected
        assert (info.value.code, info.value.message) == (body["code"], body["message"])
    return read


READERS: dict[tuple[str, str], Callable[[CannedZoho, Any], None]] = {
    (CUSTOM_FIELDS, "Create a custom field"): read_custom_field_metadata,
    (CUSTOM_FIELDS, "List custom fields"): read_custom_field_metadata,
    (CUSTOM_FIELDS, "Update a custom field"): read_custom_field_metadata,
    (CUSTOM_FIELDS, "Delete a custom field"): read_acknowledgement("DELETE"),
    (CUSTOM_FIELDS, "Reorder custom fields"): read_acknowledgement("POST"),
    (CUSTOM_FIELDS, "Update field status"): read_acknowledgement("PUT"),
    (CUSTOM_FIELDS, "Update field dropdown options"): read_acknowledgement("PUT"),
    (CUSTOM_FIELDS, "Bulk fetch fields"): read_custom_field_metadata,
    (CUSTOM_FIELDS, "Get custom field usage"): read_no_custom_fields,
    (CUSTOM_FIELDS, "Check formula syntax"): read_acknowledgement("POST"),
    (CUSTOM_FIELDS, "List lookup fields"): read_custom_field_metadata,
    (CUSTOM_FIELDS, "List custom fields (simple)"): read_simple_custom_field_list,
    (CUSTOM_FIELDS, "Get fields meta"): read_no_custom_fields,
    (CUSTOM_FIELDS, "Get entity fields meta"): read_custom_field_metadata,
    (ITEMS, "Create an Item"): read_created_item,
    (ITEMS, "List items"): read_item_list,
    (ITEMS, "Update an item"): read_updated_item,
    (ITEMS, "Retrieve an item"): read_item,
    (ITEMS, "Delete an item"): read_acknowledgement("DELETE"),
    (ITEMS, "Update custom field in existing items"): read_acknowledgement("PUT"),
    (ITEMS, "Mark as active"): read_acknowledgement("POST"),
    (ITEMS, "Mark as inactive"): read_acknowledgement("POST"),
    (DELUGE, "Sample Response"): read_updated_invoice,
    (DELUGE, "Sample Response (failure: incorrect record id)"): read_error(ApiError),
    (DELUGE, "Sample Response (failure: incorrect org id)"): read_error(OrganizationError),
}


@pytest.mark.parametrize("example", all_response_examples(), ids=str)
def test_every_printed_answer_is_read_by_the_client(canned, example):
    reader = READERS.get((example.file, example.section))
    assert reader is not None, f"no reader for the answer printed in {example}"
    reader(canned, example.body)


def test_every_reader_has_its_answer_on_the_pages():
    printed = {(e.file, e.section) for e in all_response_examples()}
    assert set(READERS) <= printed
