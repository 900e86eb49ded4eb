"""Items and contacts over real HTTP: envelope, auth, organizations, CRUD, filters, pagination."""

from __future__ import annotations

import time

import pytest
import requests
from sandbox_clients import Zoho, get_token


def test_create_item_answers_201_with_zoho_envelope(zoho):
    answer = zoho.post("/items", json={"name": "Hard Drive", "rate": 120, "sku": "HD-1"})
    assert answer.status_code == 201
    body = answer.json()
    assert body["code"] == 0 and body["message"] == "The item has been added."
    item = body["item"]
    assert item["item_id"].isdigit() and len(item["item_id"]) == 16
    assert (item["name"], item["rate"], item["sku"], item["status"]) == ("Hard Drive", 120, "HD-1", "active")
    assert item["custom_fields"] == [] and item["custom_field_hash"] == {}


def test_get_one_and_list_use_singular_and_plural_keys(zoho):
    item = zoho.item("Widget")
    one = zoho.get(f"/items/{item['item_id']}").json()
    assert (one["code"], one["message"], one["item"]["name"]) == (0, "success", "Widget")
    listed = zoho.get("/items").json()
    assert listed["message"] == "success" and [i["name"] for i in listed["items"]] == ["Widget"]
    assert listed["page_context"]["has_more_page"] is False


def test_update_by_id_keeps_unsent_fields(zoho):
    item = zoho.item("Widget", rate=5, sku="W-1")
    answer = zoho.put(f"/items/{item['item_id']}", json={"rate": 7.5})
    assert answer.status_code == 200 and answer.json()["message"] == "Item details have been saved."
    assert (answer.json()["item"]["rate"], answer.json()["item"]["sku"]) == (7.5, "W-1")


def test_update_of_a_missing_id_is_1002(zoho):
    answer = zoho.put("/items/4815000000099999", json={"rate": 1})
    assert answer.status_code == 404
    assert answer.json() == {"code": 1002, "message": "Item does not exist."}


def test_delete_removes_the_record(zoho):
    item = zoho.item("Widget")
    answer = zoho.delete(f"/items/{item['item_id']}")
    assert answer.json() == {"code": 0, "message": "The item has been deleted."}
    assert zoho.get(f"/items/{item['item_id']}").json()["code"] == 1002


def test_mark_inactive_and_active_and_filter_by_status(zoho):
    first, second = zoho.item("A"), zoho.item("B")
    answer = zoho.post(f"/items/{first['item_id']}/inactive")
    assert answer.json()["message"] == "The item has been marked as inactive."

    def names(status):
        return [i["name"] for i in zoho.get("/items", params={"filter_by": status}).json()["items"]]

    assert (names("Status.Inactive"), names("Status.Active"), names("Status.All")) == (["A"], ["B"], ["A", "B"])
    zoho.post(f"/items/{first['item_id']}/active")
    assert names("Status.Inactive") == []
    assert second["status"] == "active"


def test_missing_token_is_401_code_57(zoho):
    answer = zoho.get("/items", auth=False)
    assert answer.status_code == 401
    assert answer.json() == {"code": 57, "message": "You are not authorized to perform this operation"}


def test_unknown_token_is_401(zoho):
    answer = zoho.get("/items", headers={"Authorization": "Zoho-oauthtoken 1000.nope"})
    assert (answer.status_code, answer.json()["code"]) == (401, 57)


def test_token_expires_after_its_ttl(sandbox_factory):
    sb = sandbox_factory(token_ttl_s=1)
    client = Zoho(sb)
    assert client.get("/items").status_code == 200
    time.sleep(1.2)
    assert client.get("/items").status_code == 401
    assert sb.stats.unauthorized == 1


def test_token_grant_answers_expires_in_and_counts(sandbox):
    answer = requests.post(sandbox.accounts_url + "/oauth/v2/token", data={
        "grant_type": "refresh_token", "client_id": sandbox.client_id,
        "client_secret": sandbox.client_secret, "refresh_token": sandbox.refresh_token}).json()
    assert answer["expires_in"] == 3600 and answer["token_type"] == "Bearer"
    assert answer["api_domain"] == sandbox.base_url and sandbox.stats.tokens_issued == 1


@pytest.mark.parametrize("change, error", [
    ({"client_secret": "wrong"}, "invalid_client"),
    ({"client_id": "wrong"}, "invalid_client"),
    ({"refresh_token": "wrong"}, "invalid_code"),
])
def test_token_grant_with_wrong_credentials_is_200_with_error(sandbox, change, error):
    params = {"grant_type": "refresh_token", "client_id": sandbox.client_id,
              "client_secret": sandbox.client_secret, "refresh_token": sandbox.refresh_token, **change}
    answer = requests.post(sandbox.accounts_url + "/oauth/v2/token", params=params)
    assert answer.status_code == 200 and answer.json() == {"error": error}


def test_missing_organization_id_is_refused(zoho):
    answer = zoho.get("/items", org=False)
    assert answer.status_code == 400 and answer.json()["code"] == 6041


def test_unknown_organization_id_is_refused(zoho):
    answer = zoho.get("/items", params={"organization_id": "999"})
    assert answer.status_code == 400
    assert answer.json()["message"] == "This user is not associated with the CompanyID/CompanyName:999."


def test_organizations_keep_separate_data(sandbox_factory):
    sb = sandbox_factory(orgs=("111", "222"))
    first, second = Zoho(sb, org="111"), Zoho(sb, org="222")
    first.item("Only in 111")
    assert second.get("/items").json()["items"] == []
    assert [i["name"] for i in sb.records("items", org_id="111")] == ["Only in 111"]


def test_inventory_path_serves_the_same_api(sandbox):
    books, inventory = Zoho(sandbox), Zoho(sandbox, app="inventory")
    books.item("Shared")
    assert [i["name"] for i in inventory.get("/items").json()["items"]] == ["Shared"]
    assert inventory.post("/contacts", json={"contact_name": "Via inventory"}).status_code == 201


def test_pagination_of_450_items_in_pages_of_200(zoho):
    for n in range(450):
        zoho.item(f"Item {n:03d}")
    pages = [zoho.get("/items", params={"page": p}).json() for p in (1, 2, 3)]
    assert [len(p["items"]) for p in pages] == [200, 200, 50]
    assert [p["page_context"]["has_more_page"] for p in pages] == [True, True, False]
    names = [i["name"] for p in pages for i in p["items"]]
    assert names == sorted(names) and len(set(names)) == 450


def test_per_page_is_capped_at_200(zoho):
    for n in range(3):
        zoho.item(f"I{n}")
    small = zoho.get("/items", params={"per_page": 2}).json()
    assert len(small["items"]) == 2 and small["page_context"]["has_more_page"] is True
    assert zoho.get("/items", params={"per_page": 500}).json()["page_context"]["per_page"] == 200


@pytest.mark.parametrize("params, expected", [
    ({"name": "blue widget"}, ["Blue Widget"]),
    ({"name_startswith": "blue"}, ["Blue Gadget", "Blue Widget"]),
    ({"name_contains": "widget"}, ["Blue Widget", "Red Widget"]),
    ({"sku": "R-1"}, ["Red Widget"]),
    ({"search_text": "gadget"}, ["Blue Gadget"]),
    ({"rate_greater_than": "15"}, ["Red Widget"]),
    ({"sort_column": "rate", "sort_order": "D"}, ["Red Widget", "Blue Widget", "Blue Gadget"]),
])
def test_item_list_filters(zoho, params, expected):
    zoho.item("Blue Widget", rate=10, sku="B-1")
    zoho.item("Red Widget", rate=20, sku="R-1")
    zoho.item("Blue Gadget", rate=5, sku="B-2")
    assert [i["name"] for i in zoho.get("/items", params=params).json()["items"]] == expected


def test_unknown_sort_column_is_refused(zoho):
    assert zoho.get("/items", params={"sort_column": "colour"}).json()["code"] == 2


@pytest.mark.parametrize("params, expected", [
    ({"contact_name_contains": "bow"}, ["Bowman and Co"]),
    ({"company_name": "Acme Ltd"}, ["Acme"]),
    ({"email": "will@bowman.com"}, ["Bowman and Co"]),
    ({"contact_type": "vendor"}, ["Acme"]),
    ({"address_contains": "hopyard"}, ["Bowman and Co"]),
])
def test_contact_list_filters(zoho, params, expected):
    zoho.contact("Bowman and Co", contact_persons=[{"first_name": "Will", "email": "will@bowman.com"}],
                 billing_address={"address": "4900 Hopyard Rd"})
    zoho.contact("Acme", company_name="Acme Ltd", contact_type="vendor")
    assert [c["contact_name"] for c in zoho.get("/contacts", params=params).json()["contacts"]] == expected


def test_contact_create_and_update_messages(zoho):
    created = zoho.post("/contacts", json={"contact_name": "Bowman"})
    assert (created.status_code, created.json()["message"]) == (201, "The contact has been created")
    cid = created.json()["contact"]["contact_id"]
    updated = zoho.put(f"/contacts/{cid}", json={"company_name": "Bowman Ltd"})
    assert updated.json()["message"] == "Contact has been updated successfully"
    assert updated.json()["contact"]["contact_type"] == "customer"


def test_item_details_reads_several_items(zoho):
    a, b, _ = zoho.item("A"), zoho.item("B"), zoho.item("C")
    answer = zoho.get("/itemdetails", params={"item_ids": f"{a['item_id']},{b['item_id']}"}).json()
    assert sorted(i["name"] for i in answer["items"]) == ["A", "B"]


@pytest.mark.parametrize("body, message", [
    ({"rate": 1}, "name cannot be empty."),
    ({"name": "No rate"}, "rate cannot be empty."),
    ({"name": "x" * 101, "rate": 1}, "Invalid value passed for name. It cannot exceed 100 characters."),
    ({"name": "Bad type", "rate": 1, "product_type": "furniture"}, "Invalid value passed for product_type"),
    ({"name": "Bad rate", "rate": "cheap"}, "Invalid value passed for rate"),
])
def test_item_validation_errors(zoho, body, message):
    answer = zoho.post("/items", json=body)
    assert answer.status_code == 400 and answer.json()["message"] == message
    assert zoho.sb.records("items") == []


def test_contact_name_is_required(zoho):
    answer = zoho.post("/contacts", json={"company_name": "No name"})
    assert answer.json() == {"code": 4, "message": "contact_name cannot be empty."}


def test_item_names_are_unique_ignoring_case(zoho):
    zoho.item("Widget")
    answer = zoho.post("/items", json={"name": "WIDGET", "rate": 1})
    assert answer.status_code == 400 and answer.json() == {"code": 1001, "message": 'Item "WIDGET" already exists.'}


def test_contact_names_are_unique(zoho):
    zoho.contact("Bowman")
    assert zoho.post("/contacts", json={"contact_name": "bowman"}).json()["code"] == 3062


def test_renaming_onto_another_name_is_refused(zoho):
    zoho.item("A")
    b = zoho.item("B")
    assert zoho.put(f"/items/{b['item_id']}", json={"name": "a"}).json()["code"] == 1001


def test_unknown_keys_are_ignored(zoho):
    item = zoho.item("Widget", colour="blue", item_id="123")
    assert "colour" not in item and item["item_id"] != "123"


def test_form_body_with_jsonstring_is_accepted(zoho):
    answer = zoho.post("/items", data={"JSONString": '{"name": "Form item", "rate": 3}'})
    assert answer.status_code == 201 and answer.json()["item"]["name"] == "Form item"


def test_form_body_without_jsonstring_is_refused(zoho):
    answer = zoho.post("/items", data={"name": "No JSONString"})
    assert answer.status_code == 400 and answer.json()["code"] == 1038
    assert zoho.sb.records("items") == []


def test_unknown_path_is_404_and_wrong_method_405(zoho):
    assert (zoho.get("/nothing").status_code, zoho.get("/nothing").json()["code"]) == (404, 5)
    assert zoho.call("PATCH", "/items").status_code == 405


def test_stats_record_what_the_client_sent(zoho):
    zoho.item("Widget")
    zoho.get("/items")
    stats = zoho.sb.stats
    method, path, query, headers, body = stats.requests[0]
    assert (method, path, body) == ("POST", "/books/v3/items", {"name": "Widget", "rate": 10})
    assert query["organization_id"] == zoho.org and headers["Authorization"].startswith("Zoho-oauthtoken ")
    assert (stats["POST", "items"], stats["GET", "items"], stats.writes, stats.writes_applied) == (1, 1, 1, 1)
    assert stats.by_status == {201: 1, 200: 1}
    stats.reset()
    assert (stats.total, stats.requests) == (0, [])


def test_token_endpoint_is_not_counted_as_an_api_call(sandbox):
    for _ in range(3):
        get_token(sandbox)
    assert (sandbox.stats.total, sandbox.stats.tokens_issued) == (0, 3)
