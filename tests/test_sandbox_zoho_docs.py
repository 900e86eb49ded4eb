"""The sandbox against Zoho's own documents: the OpenAPI example messages, the documented list
shapes, upsert by unique key, and what a lost reply looks like on the wire."""

from __future__ import annotations

import json
import socket
from urllib.parse import urlsplit

import pytest
from openapi import load_spec
from sandbox_clients import Zoho

from bulkio.sandbox.modules import MODULES

# (module, action) -> (OpenAPI file, response schema whose `message` example Zoho documents)
EXAMPLES = {
    ("items", "created"): ("items", "create-an-item-response"),
    ("items", "updated"): ("items", "update-an-item-response"),
    ("items", "deleted"): ("items", "delete-an-item-response"),
    ("items", "active"): ("items", "mark-as-active-response"),
    ("items", "inactive"): ("items", "mark-as-inactive-response"),
    ("contacts", "created"): ("contacts", "create-a-contact-response"),
    ("contacts", "updated"): ("contacts", "update-a-contact-response"),
    ("contacts", "deleted"): ("contacts", "delete-a-contact-response"),
    ("contacts", "active"): ("contacts", "mark-as-active-response"),
    ("contacts", "inactive"): ("contacts", "mark-as-inactive-response"),
    ("invoices", "created"): ("invoices", "create-an-invoice-response"),
    ("invoices", "updated"): ("invoices", "update-an-invoice-response"),
    ("invoices", "deleted"): ("invoices", "delete-an-invoice-response"),
    ("bills", "created"): ("bills", "create-a-bill-response"),
    ("bills", "updated"): ("bills", "update-a-bill-response"),
    ("bills", "deleted"): ("bills", "delete-a-bill-response"),
    ("estimates", "created"): ("estimates", "create-an-estimate-response"),
    ("estimates", "updated"): ("estimates", "update-an-estimate-response"),
    ("estimates", "deleted"): ("estimates", "delete-an-estimate-response"),
    ("salesorders", "created"): ("sales-order", "create-a-sales-order-response"),
    ("salesorders", "updated"): ("sales-order", "update-a-sales-order-response"),
    ("salesorders", "deleted"): ("sales-order", "delete-a-sales-order-response"),
    ("purchaseorders", "created"): ("purchase-order", "create-a-purchase-order-response"),
    ("purchaseorders", "updated"): ("purchase-order", "update-a-purchase-order-response"),
    ("purchaseorders", "deleted"): ("purchase-order", "delete-purchase-order-response"),
    ("creditnotes", "created"): ("credit-notes", "create-a-credit-note-response"),
    ("creditnotes", "updated"): ("credit-notes", "update-a-credit-note-response"),
    ("creditnotes", "deleted"): ("credit-notes", "delete-a-credit-note-response"),
}


def documented_message(spec_file: str, schema: str) -> str:
    return load_spec(spec_file)["components"]["schemas"][schema]["properties"]["message"]["example"]


@pytest.mark.parametrize("module, action", sorted(EXAMPLES))
def test_messages_are_zohos_documented_examples(module, action):
    assert MODULES[module].messages[action] == documented_message(*EXAMPLES[module, action])


def test_every_module_message_is_checked_against_zoho():
    sent = {(name, action) for name, spec in MODULES.items() for action, text in spec.messages.items() if text}
    assert sent == set(EXAMPLES)


def test_bill_create_answers_201_success_as_documented(zoho):
    vendor = zoho.contact("Supplier", contact_type="vendor")
    item = zoho.item("Widget")
    answer = zoho.post("/bills", json={"vendor_id": vendor["contact_id"], "bill_number": "B-1",
                                       "line_items": [{"item_id": item["item_id"]}]})
    assert (answer.status_code, answer.json()["code"], answer.json()["message"]) == (201, 0, "success")


def test_document_list_omits_line_items_but_get_has_them(zoho):
    customer, item = zoho.contact("Bowman"), zoho.item("Widget")
    created = zoho.post("/invoices", json={"customer_id": customer["contact_id"],
                                           "line_items": [{"item_id": item["item_id"]}]}).json()["invoice"]
    [listed] = zoho.get("/invoices").json()["invoices"]
    assert "line_items" not in listed and listed["invoice_id"] == created["invoice_id"]
    assert len(zoho.get(f"/invoices/{created['invoice_id']}").json()["invoice"]["line_items"]) == 1


def test_item_list_carries_documented_custom_fields(sandbox, zoho):
    sandbox.add_custom_field("item", label="External ID", is_unique=True)
    zoho.item("W", custom_fields=[{"api_name": "cf_external_id", "value": "K"}])
    [listed] = zoho.get("/items").json()["items"]
    assert [(f["api_name"], f["value"]) for f in listed["custom_fields"]] == [("cf_external_id", "K")]


def test_list_page_context_keys(zoho):
    context = zoho.get("/items").json()["page_context"]
    assert {"page", "per_page", "has_more_page", "applied_filter", "sort_column", "sort_order"} <= set(context)
    assert (context["page"], context["per_page"], context["applied_filter"]) == (1, 200, "Status.Active")


def test_unknown_query_parameters_are_ignored(zoho):
    zoho.item("Widget")
    answer = zoho.get("/items", params={"colour": "blue", "zcrm_whatever": "1"})
    assert answer.status_code == 200 and [i["name"] for i in answer.json()["items"]] == ["Widget"]


def test_malformed_json_is_1038_and_changes_nothing(zoho):
    answer = zoho.post("/items", data="{not json", headers={"Content-Type": "application/json"})
    assert answer.status_code == 400
    assert answer.json() == {"code": 1038, "message": "JSON is not well formed"}
    assert zoho.sb.records("items") == []


# --- upsert by unique custom field --------------------------------------------------------------


@pytest.fixture
def external_id(sandbox):
    return sandbox.add_custom_field("item", label="External ID", is_unique=True)


@pytest.mark.parametrize("flag", ["true", "TRUE", "True"])
def test_x_upsert_true_is_case_insensitive(zoho, external_id, flag):
    answer = zoho.put("/items", json={"name": "W", "rate": 1}, headers={
        "X-Unique-Identifier-Key": "cf_external_id", "X-Unique-Identifier-Value": "K1", "X-Upsert": flag})
    assert answer.status_code == 200 and len(zoho.sb.records("items")) == 1, answer.text


@pytest.mark.parametrize("flag", ["false", "yes", "1", ""])
def test_x_upsert_other_than_true_never_creates(zoho, external_id, flag):
    answer = zoho.put("/items", json={"name": "W", "rate": 1}, headers={
        "X-Unique-Identifier-Key": "cf_external_id", "X-Unique-Identifier-Value": "K1", "X-Upsert": flag})
    assert (answer.status_code, answer.json()["code"]) == (404, 1002)
    assert zoho.sb.records("items") == []


def test_upsert_create_takes_the_key_value_from_the_header(zoho, external_id):
    body = {"name": "W", "rate": 1, "custom_fields": [{"api_name": "cf_external_id", "value": "FROM-BODY"}]}
    created = zoho.upsert("items", "cf_external_id", "FROM-HEADER", body)
    assert created.status_code == 200
    assert created.json()["item"]["custom_field_hash"] == {"cf_external_id": "FROM-HEADER"}
    # A retry of the same call finds the record it created.
    again = zoho.upsert("items", "cf_external_id", "FROM-HEADER", body)
    assert again.status_code == 200 and again.json()["item"]["item_id"] == created.json()["item"]["item_id"]


def test_upsert_create_keeps_the_other_custom_fields(sandbox, zoho, external_id):
    sandbox.add_custom_field("item", label="Colour")
    body = {"name": "W", "rate": 1, "custom_fields": [{"label": "External ID", "value": "X"},
                                                      {"api_name": "cf_colour", "value": "blue"}]}
    created = zoho.upsert("items", "cf_external_id", "K1", body).json()["item"]
    assert created["custom_field_hash"] == {"cf_external_id": "K1", "cf_colour": "blue"}


def test_contact_upsert_that_would_create_needs_contact_name(sandbox, zoho):
    sandbox.add_custom_field("contact", label="External ID", is_unique=True)
    answer = zoho.upsert("contacts", "cf_external_id", "C1", {"company_name": "No name"})
    assert answer.status_code == 400 and answer.json() == {"code": 4, "message": "contact_name cannot be empty."}
    assert sandbox.records("contacts") == []


def test_upsert_without_a_value_header_is_refused(zoho, external_id):
    answer = zoho.put("/items", json={"name": "W", "rate": 1},
                      headers={"X-Unique-Identifier-Key": "cf_external_id", "X-Upsert": "true"})
    assert answer.status_code == 400 and zoho.sb.records("items") == []


# --- faults and limits on the wire -------------------------------------------------------------


def raw_post(sb, token: str, path: str, body: dict) -> bytes:
    """POST over a bare socket; every byte the sandbox sends back until it closes."""
    url = urlsplit(sb.api_url())
    payload = json.dumps(body).encode()
    request = (f"POST {url.path}{path}?organization_id={sb.org_id} HTTP/1.1\r\nHost: {url.netloc}\r\n"
               f"Authorization: Zoho-oauthtoken {token}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode() + payload
    received = b""
    with socket.create_connection((url.hostname, url.port), timeout=5) as conn:
        conn.sendall(request)
        try:
            while chunk := conn.recv(4096):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def test_lost_reply_sends_not_one_byte_but_applies_the_write(sandbox_factory):
    sb = sandbox_factory(lost_reply_rate=1.0)
    token = Zoho(sb).token
    assert raw_post(sb, token, "/items", {"name": "W", "rate": 1}) == b""
    assert [i["name"] for i in sb.records("items")] == ["W"]
    sb.configure(lost_reply_rate=0.0)
    assert raw_post(sb, token, "/items", {"name": "V", "rate": 1}).startswith(b"HTTP/1.1 201")


def test_in_flight_refusal_carries_the_rate_limit_headers(sandbox_factory):
    sb = sandbox_factory(max_concurrent=0, daily_limit=50)
    answer = Zoho(sb).get("/items")
    assert (answer.status_code, answer.json()["code"]) == (429, 1070)
    assert answer.headers["X-Rate-Limit-Limit"] == "50" and "X-Rate-Limit-Reset" in answer.headers


@pytest.mark.parametrize("params, expected", [
    ({"date_start": "2024-02-01"}, ["B", "C"]),
    ({"date_end": "2024-02-01"}, ["A", "B"]),
    ({"date_start": "2024-01-15", "date_end": "2024-02-15"}, ["B"]),
    ({"total_less_equals": "20"}, ["A", "B"]),
    ({"total_greater_than": "20"}, ["C"]),
])
def test_document_date_and_number_ranges(zoho, params, expected):
    customer, item = zoho.contact("Bowman"), zoho.item("Widget", rate=10)
    for ref, date, qty in (("A", "2024-01-01", 1), ("B", "2024-02-01", 2), ("C", "2024-03-01", 3)):
        zoho.post("/invoices", json={"customer_id": customer["contact_id"], "date": date, "reference_number": ref,
                                     "line_items": [{"item_id": item["item_id"], "quantity": qty}]})
    found = zoho.get("/invoices", params={**params, "sort_column": "date"}).json()["invoices"]
    assert [i["reference_number"] for i in found] == expected
