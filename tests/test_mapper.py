"""Payloads, their hash, and comparison with Zoho records (bulkio.prepare.mapper)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bulkio.catalogue import Field, Module
from bulkio.prepare.mapper import build_payload, changed_fields, payload_hash
from bulkio.zoho.records import key_of

CUSTOM = (
    Field("cf_external_id", "External ID", "string", unique=True, custom=True,
          customfield_id="46000000012845", index=1),
    Field("cf_launch", "Launch Date", "date", custom=True, customfield_id="46000000012846",
          index=2),
    Field("cf_weight", "Weight", "decimal", custom=True, customfield_id="46000000012847", index=3),
    Field("cf_fragile", "Fragile", "check_box", custom=True, customfield_id="46000000012848",
          index=4),
)
ITEMS = Module(
    name="items", title="Items", kind="record", endpoint="/items", id_field="item_id",
    singular="item", plural="items", custom_field_shape=("customfield_id", "value"),
    fields=(
        Field("name", "Item Name", "string", required=True),
        Field("rate", "Selling Price", "amount"),
        Field("product_type", "Product Type", "dropdown", values=("goods", "service")),
        Field("is_taxable", "Taxable", "check_box"),
        Field("item_id", "Item ID", "id", read_only=True),
        Field("status", "Status", "string", read_only=True),
        Field("billing_address.city", "City", "string"),
        Field("contact_persons.email", "Email", "email"),
    ) + CUSTOM,
)
VALUES = {"name": "Pen", "rate": 12.5, "cf_external_id": "A-1", "cf_launch": "2026-11-21"}

# A record as GET /items/{id} returns it (trimmed), custom fields in both of Zoho's forms.
ZOHO_ITEM = {
    "item_id": "460000000027009", "name": "Pen", "rate": 12.5, "status": "active",
    "product_type": "goods", "is_taxable": True,
    "custom_fields": [
        {"customfield_id": "46000000012845", "index": 1, "label": "External ID",
         "api_name": "cf_external_id", "data_type": "string", "value": "A-1",
         "value_formatted": "A-1"},
        {"customfield_id": "46000000012846", "index": 2, "label": "Launch Date",
         "api_name": "cf_launch", "data_type": "date", "value": "2026-11-21",
         "value_formatted": "21/11/2026"},
    ],
    "custom_field_hash": {"cf_external_id": "A-1", "cf_external_id_unformatted": "A-1",
                          "cf_launch": "21/11/2026", "cf_launch_unformatted": "2026-11-21"},
}


@pytest.mark.parametrize("shape, entry", [
    (("customfield_id", "value"), {"customfield_id": 46000000012845, "value": "A-1"}),
    (("index", "label", "value"), {"index": 1, "label": "External ID", "value": "A-1"}),
    (("custom_field_id", "index", "label", "value"),
     {"custom_field_id": 46000000012845, "index": 1, "label": "External ID", "value": "A-1"}),
    (("customfield_id", "index", "label", "value"),
     {"customfield_id": 46000000012845, "index": 1, "label": "External ID", "value": "A-1"}),
])
def test_custom_fields_in_each_documented_shape(shape, entry):
    module = replace(ITEMS, custom_field_shape=shape)
    payload = build_payload(module, {"name": "Pen", "cf_external_id": "A-1"})
    assert payload == {"name": "Pen", "custom_fields": [entry]}


def test_non_numeric_custom_field_id_stays_text_and_missing_id_falls_back_to_api_name():
    module = replace(ITEMS, fields=(
        Field("cf_a", "A", "string", custom=True, customfield_id="cf-77"),
        Field("cf_b", "B", "string", custom=True)))
    assert build_payload(module, {"cf_a": "x", "cf_b": "y"}) == {"custom_fields": [
        {"customfield_id": "cf-77", "value": "x"}, {"api_name": "cf_b", "value": "y"}]}


def test_payload_leaves_out_unset_and_read_only_fields_and_keeps_clears():
    payload = build_payload(ITEMS, {"name": "Pen", "rate": None, "item_id": "9",
                                    "status": "active", "product_type": ""})
    assert payload == {"name": "Pen", "product_type": ""}


def test_custom_fields_follow_the_module_order_not_the_column_order():
    one = build_payload(ITEMS, {"cf_launch": "2026-11-21", "cf_external_id": "A-1"})
    two = build_payload(ITEMS, {"cf_external_id": "A-1", "cf_launch": "2026-11-21"})
    assert one == two
    assert [e["customfield_id"] for e in one["custom_fields"]] == [46000000012845, 46000000012846]


def test_dotted_fields_nest():
    payload = build_payload(ITEMS, {"billing_address.city": "Paris",
                                    "contact_persons.email": "ann@example.com"})
    assert payload == {"billing_address": {"city": "Paris"},
                       "contact_persons": [{"email": "ann@example.com"}]}


def test_hash_is_stable_across_key_order_and_changes_with_content():
    a = {"name": "Pen", "rate": 12.5, "custom_fields": [{"customfield_id": 1, "value": "x"}]}
    b = {"custom_fields": [{"value": "x", "customfield_id": 1}], "rate": 12.5, "name": "Pen"}
    assert payload_hash(a) == payload_hash(b)
    assert len(payload_hash(a)) == 64
    assert payload_hash(a) != payload_hash({**a, "rate": 12.51})


def test_unchanged_record_gives_nothing():
    payload = build_payload(ITEMS, {**VALUES, "product_type": "goods", "is_taxable": True})
    assert changed_fields(ITEMS, payload, ZOHO_ITEM) == {}


@pytest.mark.parametrize("existing_rate", [12.5, "12.50", "12.5", 12.50000])
def test_numbers_compare_by_value(existing_rate):
    payload = build_payload(ITEMS, VALUES)
    assert changed_fields(ITEMS, payload, {**ZOHO_ITEM, "rate": existing_rate}) == {}


def test_changes_are_reported_old_and_new():
    payload = build_payload(ITEMS, {**VALUES, "rate": 13.0, "cf_launch": "2026-12-01",
                                    "product_type": "service"})
    assert changed_fields(ITEMS, payload, ZOHO_ITEM) == {
        "rate": (12.5, 13.0), "product_type": ("goods", "service"),
        "cf_launch": ("2026-11-21", "2026-12-01")}


def test_custom_field_hash_alone_is_enough():
    existing = {"name": "Pen", "rate": "12.50",
                "custom_field_hash": {"cf_external_id": "A-1", "cf_launch_unformatted": "2026-11-21",
                                      "cf_launch": "21 Nov 2026", "cf_weight": "1.50",
                                      "cf_fragile": "true"}}
    payload = build_payload(ITEMS, {**VALUES, "cf_weight": 1.5, "cf_fragile": True})
    assert changed_fields(ITEMS, payload, existing) == {}
    payload = build_payload(ITEMS, {**VALUES, "cf_weight": 2.0, "cf_fragile": False})
    assert changed_fields(ITEMS, payload, existing) == {
        "cf_weight": ("1.50", 2.0), "cf_fragile": ("true", False)}


def test_custom_fields_list_matched_by_label_or_index_for_contacts_shape():
    contacts = replace(ITEMS, custom_field_shape=("index", "label", "value"))
    existing = {"name": "Pen", "custom_fields": [{"index": 1, "label": "External ID", "value": "A-1"}]}
    payload = build_payload(contacts, {"name": "Pen", "cf_external_id": "A-1"})
    assert changed_fields(contacts, payload, existing) == {}
    assert changed_fields(contacts, payload, {"name": "Pen", "custom_fields": []}) == {
        "cf_external_id": (None, "A-1")}


def test_top_level_cf_key_and_text_trimmed():
    existing = {"name": " Pen ", "cf_external_id": "A-1"}
    payload = build_payload(ITEMS, {"name": "Pen", "cf_external_id": "A-1"})
    assert changed_fields(ITEMS, payload, existing) == {}


def test_clearing_compares_with_empty():
    payload = build_payload(ITEMS, {"name": "Pen", "product_type": ""})
    assert changed_fields(ITEMS, payload, {"name": "Pen", "product_type": ""}) == {}
    assert changed_fields(ITEMS, payload, {"name": "Pen", "product_type": "goods"}) == {
        "product_type": ("goods", "")}


def test_dropdown_is_exact_and_check_box_accepts_text():
    payload = build_payload(ITEMS, {"product_type": "goods", "is_taxable": True})
    assert changed_fields(ITEMS, payload, {"product_type": "Goods", "is_taxable": "true"}) == {
        "product_type": ("Goods", "goods")}


def test_nested_fields_compare_with_nested_record():
    payload = build_payload(ITEMS, {"billing_address.city": "Paris",
                                    "contact_persons.email": "ann@example.com"})
    existing = {"billing_address": {"city": "Paris", "zip": "75001"},
                "contact_persons": [{"email": "bob@example.com"},
                                    {"email": "ann@example.com", "is_primary_contact": True}]}
    assert changed_fields(ITEMS, payload, existing) == {}
    existing["billing_address"]["city"] = "Lyon"
    assert changed_fields(ITEMS, payload, existing) == {"billing_address.city": ("Lyon", "Paris")}


def test_key_of_reads_every_form():
    assert key_of(ZOHO_ITEM, "cf_external_id") == "A-1"
    assert key_of({"custom_fields": [{"api_name": "cf_external_id", "value": " B-2 "}]},
                  "cf_external_id") == "B-2"
    assert key_of({"cf_external_id": 1001.0}, "cf_external_id") == "1001"
    assert key_of({"custom_field_hash": {"cf_external_id": ""}}, "cf_external_id") is None
    assert key_of({"name": "Pen"}, "cf_external_id") is None
