"""Custom fields: metadata endpoints, every payload shape, type checks, uniqueness, upsert."""

from __future__ import annotations

import pytest
from sandbox_clients import Zoho


@pytest.fixture
def external_id(sandbox):
    return sandbox.add_custom_field("item", label="External ID", is_unique=True)


def test_add_custom_field_returns_zoho_metadata(sandbox):
    meta = sandbox.add_custom_field("item", label="External ID", is_unique=True)
    assert meta["api_name"] == "cf_external_id" and meta["field_id"].isdigit()
    assert (meta["data_type"], meta["is_unique"], meta["is_active"], meta["index"]) == ("string", True, True, 1)
    assert "customfield_id" not in meta  # the documented metadata names the id field_id only


def test_create_answers_as_documented_under_field(zoho):
    answer = zoho.post("/settings/fields", json={"entity": "contact", "label": "Tier", "data_type": "dropdown",
                                                  "show_on_pdf": False, "values": [{"name": "Gold"}]})
    assert answer.status_code == 201
    body = answer.json()
    assert (body["code"], body["message"]) == (0, "The custom field has been created.")
    assert body["field"]["api_name"] == "cf_tier" and "fields" not in body


@pytest.mark.parametrize("missing", ["label", "data_type", "entity", "show_on_pdf"])
def test_create_needs_the_documented_required_arguments(zoho, missing):
    seed = {"entity": "contact", "label": "Tier", "data_type": "string", "show_on_pdf": False}
    answer = zoho.post("/settings/fields", json={k: v for k, v in seed.items() if k != missing})
    assert (answer.status_code, answer.json()["code"]) == (400, 4)
    assert zoho.get("/customfields", params={"entity": "contact"}).json()["fields"] == []


def test_fields_created_over_http_are_listed_under_fields(zoho):
    answer = zoho.post("/settings/fields", json={"entity": "contact", "label": "Tier", "data_type": "dropdown",
                                                  "show_on_pdf": True, "values": ["Gold", "Silver"]})
    assert answer.status_code == 201
    for path, params in (("/settings/fields", {"filter_custom_fields": "true"}), ("/customfields", {})):
        listed = zoho.get(path, params={"entity": "contact", **params}).json()
        assert listed["code"] == 0 and "customfields" not in listed
        [field] = listed["fields"]
        assert field["api_name"] == "cf_tier"
        assert field["values"] == [{"name": "Gold", "id": 1, "order": 1, "is_active": True},
                                   {"name": "Silver", "id": 2, "order": 2, "is_active": True}]
    custom_only = {"entity": "item", "filter_custom_fields": "true"}
    assert zoho.get("/settings/fields", params=custom_only).json()["fields"] == []


def test_settings_fields_lists_system_fields_unless_filtered(zoho, external_id):
    listed = zoho.get("/settings/fields", params={"entity": "item"}).json()["fields"]
    names = [f["api_name"] for f in listed]
    assert {"name", "rate", "sku"} <= set(names) and names[-1] == "cf_external_id"
    assert all(f["field_id"] for f in listed)  # system fields carry an id too: only cf_ tells them apart
    filtered = zoho.get("/settings/fields", params={"entity": "item", "filter_custom_fields": "true"}).json()
    assert [f["api_name"] for f in filtered["fields"]] == ["cf_external_id"]


def test_documented_metadata_leaves_out_is_unique_and_index(sandbox_factory):
    sandbox = sandbox_factory(field_metadata="documented")
    sandbox.add_custom_field("item", label="External ID", is_unique=True)
    listed = Zoho(sandbox).get("/settings/fields", params={"entity": "item", "filter_custom_fields": "true"})
    [field] = listed.json()["fields"]
    assert set(field) == {"field_id", "label", "api_name", "data_type", "entity", "is_active", "is_mandatory",
                          "show_on_pdf", "max_length", "values"}


def test_api_name_replaces_non_alphanumerics(sandbox):
    assert sandbox.add_custom_field("contact", label="VAT-ID (EU)")["api_name"] == "cf_vat_id__eu_"


@pytest.mark.parametrize("shape", ["customfield_id", "custom_field_id", "index_label", "api_name", "label"])
def test_every_documented_custom_field_shape_is_accepted(zoho, external_id, shape):
    entry = {
        "customfield_id": {"customfield_id": int(external_id["field_id"])},
        "custom_field_id": {"custom_field_id": external_id["field_id"]},
        "index_label": {"index": 1, "label": "External ID"},
        "api_name": {"api_name": "cf_external_id"},
        "label": {"label": "External ID"},
    }[shape]
    item = zoho.item("Widget", custom_fields=[{**entry, "value": "EXT-1"}])
    assert item["custom_field_hash"] == {"cf_external_id": "EXT-1"}
    [field] = item["custom_fields"]
    expected = (external_id["field_id"], "External ID", "EXT-1")
    assert (field["customfield_id"], field["label"], field["value"]) == expected


def test_unknown_custom_field_is_refused(zoho, external_id):
    answer = zoho.post("/items", json={"name": "W", "rate": 1, "custom_fields": [{"api_name": "cf_nope", "value": 1}]})
    assert answer.status_code == 400 and zoho.sb.records("items") == []


@pytest.mark.parametrize("data_type, values, good, bad", [
    ("dropdown", ["Gold", "Silver"], "Gold", "Bronze"),
    ("date", None, "2024-02-29", "29/02/2024"),
    ("date", None, "2024-02-29", "2023-02-29"),
    ("check_box", None, True, "yes"),
    ("number", None, 42, "4.5"),
    ("decimal", None, "4.50", "four"),
    ("email", None, "a@b.com", "not-an-email"),
])
def test_custom_field_values_are_checked_by_type(sandbox, zoho, data_type, values, good, bad):
    sandbox.add_custom_field("item", label="Extra", data_type=data_type, values=values)
    ok = zoho.post("/items", json={"name": "Good", "rate": 1,
                                   "custom_fields": [{"api_name": "cf_extra", "value": good}]})
    assert ok.status_code == 201, ok.text
    refused = zoho.post("/items", json={"name": "Bad", "rate": 1,
                                        "custom_fields": [{"api_name": "cf_extra", "value": bad}]})
    assert refused.status_code == 400 and refused.json() == {"code": 2, "message": "Invalid value passed for Extra"}


def test_inactive_dropdown_option_is_refused(sandbox, zoho):
    sandbox.add_custom_field("item", label="Tier", data_type="dropdown",
                             values=[{"name": "Gold"}, {"name": "Old", "is_active": False}])
    answer = zoho.post("/items", json={"name": "W", "rate": 1, "custom_fields": [{"label": "Tier", "value": "Old"}]})
    assert answer.status_code == 400


def test_mandatory_custom_field_is_required_on_create(sandbox, zoho):
    sandbox.add_custom_field("contact", label="Region", is_mandatory=True)
    missing = zoho.post("/contacts", json={"contact_name": "A"})
    assert missing.json() == {"code": 4, "message": "Region cannot be empty."}
    ok = zoho.post("/contacts", json={"contact_name": "A", "custom_fields": [{"index": 1, "value": "EU"}]})
    assert ok.status_code == 201


def test_unique_value_is_enforced_on_create(zoho, external_id):
    zoho.item("A", custom_fields=[{"api_name": "cf_external_id", "value": "K1"}])
    answer = zoho.post("/items", json={"name": "B", "rate": 1,
                                       "custom_fields": [{"api_name": "cf_external_id", "value": "K1"}]})
    assert answer.status_code == 400 and answer.json()["code"] == 1001
    assert "External ID" in answer.json()["message"]


def test_unique_value_is_enforced_on_update(zoho, external_id):
    zoho.item("A", custom_fields=[{"api_name": "cf_external_id", "value": "K1"}])
    b = zoho.item("B", custom_fields=[{"api_name": "cf_external_id", "value": "K2"}])
    answer = zoho.put(f"/items/{b['item_id']}", json={"custom_fields": [{"api_name": "cf_external_id", "value": "K1"}]})
    assert answer.json()["code"] == 1001
    # Keeping its own value is no clash.
    own = zoho.put(f"/items/{b['item_id']}", json={"custom_fields": [{"api_name": "cf_external_id", "value": "K2"}]})
    assert own.status_code == 200


def test_unique_value_is_enforced_on_upsert(zoho, external_id):
    zoho.item("A", custom_fields=[{"api_name": "cf_external_id", "value": "K1"}])
    zoho.upsert("items", "cf_external_id", "K2", {"name": "B", "rate": 1})
    answer = zoho.upsert("items", "cf_external_id", "K2",
                         {"custom_fields": [{"api_name": "cf_external_id", "value": "K1"}]})
    assert answer.json()["code"] == 1001


def test_non_unique_custom_field_allows_repeats(sandbox, zoho):
    sandbox.add_custom_field("item", label="Colour")
    for name in ("A", "B"):
        zoho.item(name, custom_fields=[{"api_name": "cf_colour", "value": "blue"}])
    assert len(sandbox.records("items")) == 2


def test_upsert_answers_200_with_the_update_message_whether_it_creates_or_updates(zoho, external_id):
    created = zoho.upsert("items", "cf_external_id", "EXT-9", {"name": "Widget", "rate": 5})
    assert created.status_code == 200 and created.json()["message"] == "Item details have been saved."
    assert len(zoho.sb.records("items")) == 1
    item = created.json()["item"]
    assert item["custom_field_hash"] == {"cf_external_id": "EXT-9"}
    updated = zoho.upsert("items", "cf_external_id", "EXT-9", {"rate": 6})
    assert updated.status_code == 200 and updated.json()["message"] == "Item details have been saved."
    assert (updated.json()["item"]["item_id"], updated.json()["item"]["rate"]) == (item["item_id"], 6)
    assert len(zoho.sb.records("items")) == 1


def test_upsert_that_would_create_needs_name_and_rate(zoho, external_id):
    answer = zoho.upsert("items", "cf_external_id", "EXT-1", {"name": "No rate"})
    assert answer.status_code == 400 and answer.json()["message"] == "rate cannot be empty."
    assert zoho.sb.records("items") == []


def test_update_by_key_without_upsert_on_a_missing_key_is_1002(zoho, external_id):
    answer = zoho.upsert("items", "cf_external_id", "NOPE", {"name": "W", "rate": 1}, create=False)
    assert answer.status_code == 404 and answer.json() == {"code": 1002, "message": "Item does not exist."}
    assert zoho.sb.records("items") == []


def test_update_by_key_without_upsert_updates_the_holder(zoho, external_id):
    item = zoho.item("W", custom_fields=[{"api_name": "cf_external_id", "value": "K"}])
    answer = zoho.upsert("items", "cf_external_id", "k", {"rate": 99}, create=False)
    assert answer.status_code == 200 and answer.json()["item"]["item_id"] == item["item_id"]


def test_key_must_be_a_unique_custom_field(sandbox, zoho):
    sandbox.add_custom_field("item", label="Colour")
    for key in ("cf_colour", "cf_missing", "name"):
        answer = zoho.upsert("items", key, "x", {"name": "W", "rate": 1})
        assert answer.status_code == 400 and answer.json()["code"] == 2, key


def test_contacts_upsert_by_key(sandbox, zoho):
    sandbox.add_custom_field("contact", label="External ID", is_unique=True)
    assert zoho.upsert("contacts", "cf_external_id", "C1", {"contact_name": "Bowman"}).status_code == 200
    assert [c["contact_name"] for c in sandbox.records("contacts")] == ["Bowman"]
    again = zoho.upsert("contacts", "cf_external_id", "C1", {"company_name": "Bowman Ltd"})
    assert again.status_code == 200 and again.json()["contact"]["company_name"] == "Bowman Ltd"


def test_clearing_a_custom_value_removes_it(zoho, external_id):
    item = zoho.item("W", custom_fields=[{"api_name": "cf_external_id", "value": "K"}])
    cleared = {"custom_fields": [{"api_name": "cf_external_id", "value": ""}]}
    answer = zoho.put(f"/items/{item['item_id']}", json=cleared)
    assert answer.json()["item"]["custom_field_hash"] == {}


def test_custom_fields_appear_in_list_answers(zoho, external_id):
    zoho.item("W", custom_fields=[{"api_name": "cf_external_id", "value": "K"}])
    [item] = zoho.get("/items").json()["items"]
    # list-items-response documents custom_fields for a row, not custom_field_hash
    assert "custom_field_hash" not in item and item["custom_fields"][0]["api_name"] == "cf_external_id"


@pytest.mark.parametrize("entry", [{"api_name": "name", "value": "Widget"}, {"api_name": "rate", "value": 12}])
def test_a_system_field_inside_custom_fields_is_refused(zoho, external_id, entry):
    # what every write looked like when bulkio took /settings/fields' system fields for custom ones
    answer = zoho.post("/items", json={"name": "W", "rate": 1, "custom_fields": [entry]})
    assert (answer.status_code, answer.json()["code"]) == (400, 2)
    assert zoho.sb.records("items") == []
