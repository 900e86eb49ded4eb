"""ignore_auto_number_generation=true on the writes whose OpenAPI operation documents it, when the
row gives its own document number (bulkio.catalogue.write_params, sent by the client's writes)."""

from __future__ import annotations

import pytest
from openapi import load_spec
from sandbox_clients import client_for

from bulkio.catalogue import load_module, write_params
from bulkio.modes import MODES

NUMBERS = {"invoices": "invoice_number", "estimates": "estimate_number",
           "salesorders": "salesorder_number", "purchaseorders": "purchaseorder_number",
           "creditnotes": "creditnote_number", "bills": "bill_number"}


def documented_kinds(name: str) -> set[str]:
    """Straight from the yml: the write operations listing the query parameter."""
    module = load_module(name)
    paths = load_spec(module.openapi)["paths"]
    kinds = set()
    for path, ops in paths.items():
        for method, op in ops.items():
            if not isinstance(op, dict) or not any(
                    p.get("name") == "ignore_auto_number_generation" and p.get("in") == "query"
                    for p in op.get("parameters", [])):
                continue
            if path == module.endpoint:
                kinds.add({"post": "create", "put": "upsert"}[method])
            elif path.startswith(module.endpoint + "/{") and path.count("/") == 2:
                kinds.add("update")
    return kinds


@pytest.mark.parametrize("name", sorted(NUMBERS))
def test_the_kinds_are_those_the_openapi_file_documents(name):
    module = load_module(name)
    assert set(module.ignore_auto_number_kinds) == documented_kinds(name)
    for kind in MODES:
        own = write_params(module, {NUMBERS[name]: "N-1"}, kind)
        assert own == ({"ignore_auto_number_generation": "true"}
                       if kind in documented_kinds(name) else {})
        assert write_params(module, {NUMBERS[name]: " "}, kind) == {}
        assert write_params(module, {}, kind) == {}


def test_which_modules_and_kinds_document_it():
    # invoices.yml, estimates.yml, sales-order.yml, purchase-order.yml, credit-notes.yml: POST
    # /{module} and PUT /{module}/{id}; no PUT /{module} (upsert) and nothing in bills.yml
    assert {n: load_module(n).ignore_auto_number_kinds for n in NUMBERS} == {
        **{n: ("create", "update") for n in NUMBERS if n != "bills"}, "bills": ()}
    assert load_module("items").ignore_auto_number_kinds == ()
    with pytest.raises(ValueError):
        write_params(load_module("invoices"), {}, "insert")


def test_the_client_sends_it_on_create_and_update_not_on_upsert(sandbox):
    sandbox.add_custom_field("invoice", "Order Ref", is_unique=True)
    client = client_for(sandbox)
    customer = client.create("contacts", {"contact_name": "Acme", "contact_type": "customer"}).record
    item = client.create("items", {"name": "Pen", "rate": 2}).record
    body = {"customer_id": customer["contact_id"], "date": "2026-01-05",
            "line_items": [{"item_id": item["item_id"], "quantity": 1}]}

    own = client.create("invoices", {**body, "invoice_number": "OWN-1"}).record
    client.create("invoices", body)
    client.update("invoices", own["invoice_id"], {**body, "invoice_number": "OWN-1"})
    client.upsert("invoices", "cf_order_ref", "R-9", {
        **body, "invoice_number": "OWN-2", "custom_fields": [{"api_name": "cf_order_ref", "value": "R-9"}]})

    sent = [(m, p, q.get("ignore_auto_number_generation")) for m, p, q, h, b in sandbox.stats.requests
            if "/invoices" in p]
    assert sent == [("POST", "/books/v3/invoices", "true"), ("POST", "/books/v3/invoices", None),
                    ("PUT", f"/books/v3/invoices/{own['invoice_id']}", "true"),
                    ("PUT", "/books/v3/invoices", None)]
    assert "OWN-1" in [r["invoice_number"] for r in sandbox.records("invoices")]
