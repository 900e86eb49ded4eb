"""The sandbox answers no more generously than Zoho's documents: list rows as the list-response
schemas, active items and contacts by default, contact persons replaced on update, upsert
answered 200, grant codes used once, scopes checked, organizations as documented."""

from __future__ import annotations

import time

import pytest
import requests
from sandbox_clients import Zoho

from bulkio.sandbox.schema_data import LIST_FIELDS

TOKEN = "/oauth/v2/token"


def token_call(sb, **params):
    base = {"client_id": sb.client_id, "client_secret": sb.client_secret}
    return requests.post(sb.accounts_url + TOKEN, data={**base, **params}, timeout=10)


# --- list rows ----------------------------------------------------------------------------------


def test_item_rows_carry_only_the_list_schema_properties(sandbox, zoho):
    sandbox.add_custom_field("item", label="External ID", is_unique=True)
    zoho.item("W", sku="W-1", custom_fields=[{"api_name": "cf_external_id", "value": "K"}])
    [row] = zoho.get("/items").json()["items"]
    assert set(row) <= set(LIST_FIELDS["items"])
    assert "last_modified_time" not in row and "item_type" not in row and "custom_field_hash" not in row
    assert row["sku"] == "W-1" and row["custom_fields"][0]["value"] == "K"
    full = zoho.get(f"/items/{row['item_id']}").json()["item"]
    assert {"last_modified_time", "item_type", "custom_field_hash"} <= set(full)


def test_contact_rows_have_no_custom_fields_but_their_modified_time(sandbox, zoho):
    sandbox.add_custom_field("contact", label="Account No")
    zoho.post("/contacts", json={"contact_name": "Bowman",
                                 "custom_fields": [{"api_name": "cf_account_no", "value": "A1"}]})
    [row] = zoho.get("/contacts").json()["contacts"]
    assert "custom_fields" not in row and "last_modified_time" in row
    assert set(row) <= set(LIST_FIELDS["contacts"])


@pytest.mark.parametrize("module, carries", [
    ("invoices", True), ("salesorders", True), ("purchaseorders", True),
    ("bills", False), ("estimates", False), ("creditnotes", False),
])
def test_document_rows_never_carry_lines_and_custom_fields_only_where_documented(module, carries):
    fields = LIST_FIELDS[module]
    assert "line_items" not in fields
    assert ("custom_fields" in fields) is carries


def test_invoice_rows_as_served(sandbox, zoho):
    customer = zoho.post("/contacts", json={"contact_name": "C"}).json()["contact"]["contact_id"]
    item = zoho.item("Widget")["item_id"]
    zoho.post("/invoices", json={"customer_id": customer, "line_items": [{"item_id": item, "quantity": 2}]})
    [row] = zoho.get("/invoices").json()["invoices"]
    assert "line_items" not in row and set(row) <= set(LIST_FIELDS["invoices"])
    assert "custom_fields" in row and row["total"] == 20


# --- default list filter ------------------------------------------------------------------------


@pytest.mark.parametrize("module, make", [
    ("items", lambda z: z.item("Old")["item_id"]),
    ("contacts", lambda z: z.post("/contacts", json={"contact_name": "Old"}).json()["contact"]["contact_id"]),
])
def test_inactive_records_are_listed_only_when_asked(zoho, module, make):
    rid = make(zoho)
    assert zoho.post(f"/{module}/{rid}/inactive").status_code == 200
    assert zoho.get(f"/{module}").json()[module] == []
    assert len(zoho.get(f"/{module}", params={"filter_by": "Status.All"}).json()[module]) == 1
    assert len(zoho.get(f"/{module}", params={"filter_by": "Status.Inactive"}).json()[module]) == 1


# --- contact persons ----------------------------------------------------------------------------


def test_contact_persons_are_replaced_by_the_update(zoho):
    contact = zoho.post("/contacts", json={"contact_name": "Bowman", "contact_persons": [
        {"first_name": "Will", "email": "will@bowman.com", "is_primary_contact": True},
        {"first_name": "Ann", "email": "ann@bowman.com"}]}).json()["contact"]
    will, ann = contact["contact_persons"]
    assert will["contact_person_id"] and ann["contact_person_id"] != will["contact_person_id"]
    assert (contact["first_name"], contact["email"]) == ("Will", "will@bowman.com")
    answer = zoho.put(f"/contacts/{contact['contact_id']}", json={"contact_persons": [
        {"contact_person_id": ann["contact_person_id"], "first_name": "Ann", "phone": "555",
         "is_primary_contact": True},
        {"first_name": "Zed"}]}).json()["contact"]
    persons = answer["contact_persons"]
    assert [p["first_name"] for p in persons] == ["Ann", "Zed"]  # Will, left out, is removed
    assert persons[0]["contact_person_id"] == ann["contact_person_id"] and persons[0]["phone"] == "555"
    assert persons[1]["contact_person_id"] not in (will["contact_person_id"], ann["contact_person_id"])
    # Ann's entry left her email out: an existing person becomes what the entry sends
    assert persons[0].get("email") in (None, "")
    assert (answer["first_name"], answer["email"], answer["phone"]) == ("Ann", "", "555")
    assert answer["primary_contact_id"] == ann["contact_person_id"]
    assert zoho.get(f"/contacts/{contact['contact_id']}").json()["contact"]["contact_persons"] == persons


def test_an_update_without_contact_persons_removes_them(zoho):
    # contacts.yml is silent on an update without the list; the less convenient reading
    contact = zoho.post("/contacts", json={"contact_name": "B", "contact_persons": [{"first_name": "Will"}]})
    contact = contact.json()["contact"]
    after = zoho.put(f"/contacts/{contact['contact_id']}", json={"company_name": "B Ltd"}).json()["contact"]
    assert after["contact_persons"] == [] and after["first_name"] == ""


def test_an_empty_contact_persons_list_removes_all_and_the_top_fields(zoho):
    contact = zoho.post("/contacts", json={"contact_name": "B", "contact_persons": [
        {"first_name": "Will", "email": "w@b.com"}]}).json()["contact"]
    emptied = zoho.put(f"/contacts/{contact['contact_id']}", json={"contact_persons": []}).json()["contact"]
    assert emptied["contact_persons"] == [] and (emptied["first_name"], emptied["email"]) == ("", "")


@pytest.mark.parametrize("persons, field", [
    ([{"contact_person_id": "999", "first_name": "Ghost"}], "contact_person_id"),
    ([{"first_name": "A", "is_primary_contact": True}, {"first_name": "B", "is_primary_contact": True}],
     "is_primary_contact"),
])
def test_unknown_person_ids_and_two_primaries_are_refused(zoho, persons, field):
    contact = zoho.post("/contacts", json={"contact_name": "B"}).json()["contact"]
    answer = zoho.put(f"/contacts/{contact['contact_id']}", json={"contact_persons": persons})
    assert (answer.status_code, answer.json()["message"]) == (400, f"Invalid value passed for {field}")


# --- upsert status ------------------------------------------------------------------------------


def test_upsert_can_answer_201_when_configured(sandbox_factory):
    sb = sandbox_factory(upsert_created_status=201, field_metadata="full")
    sb.add_custom_field("item", label="External ID", is_unique=True)
    zoho = Zoho(sb)
    created = zoho.upsert("items", "cf_external_id", "K", {"name": "W", "rate": 1})
    assert (created.status_code, created.json()["message"]) == (201, "The item has been added.")
    updated = zoho.upsert("items", "cf_external_id", "K", {"rate": 2})
    assert (updated.status_code, updated.json()["message"]) == (200, "Item details have been saved.")


def test_upsert_created_status_must_be_200_or_201(sandbox_factory):
    with pytest.raises(ValueError, match="upsert_created_status"):
        sandbox_factory(upsert_created_status=202)


# --- OAuth: grant codes and scopes --------------------------------------------------------------


def test_a_grant_code_gives_tokens_once(sandbox):
    code = sandbox.grant_code()
    first = token_call(sandbox, grant_type="authorization_code", code=code).json()
    assert set(first) == {"access_token", "refresh_token", "api_domain", "token_type", "expires_in"}
    assert (first["token_type"], first["expires_in"]) == ("Bearer", 3600)
    assert token_call(sandbox, grant_type="authorization_code", code=code).json() == {"error": "invalid_code"}
    minted = token_call(sandbox, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    assert "access_token" in minted and "refresh_token" not in minted
    answer = requests.get(sandbox.api_url() + "/items", params={"organization_id": sandbox.org_id},
                          headers={"Authorization": "Zoho-oauthtoken " + minted["access_token"]}, timeout=10)
    assert answer.status_code == 200


def test_a_grant_code_expires(sandbox_factory):
    sb = sandbox_factory(grant_code_ttl_s=0.2)
    code = sb.grant_code()
    time.sleep(0.3)
    assert token_call(sb, grant_type="authorization_code", code=code).json() == {"error": "invalid_code"}


def test_a_grant_code_made_for_a_redirect_uri_needs_it(sandbox):
    code = sandbox.grant_code(redirect_uri="https://example.com/cb")
    wrong = token_call(sandbox, grant_type="authorization_code", code=code, redirect_uri="https://x.com/")
    assert wrong.json() == {"error": "invalid_redirect_uri"}
    code = sandbox.grant_code(redirect_uri="https://example.com/cb")
    right = token_call(sandbox, grant_type="authorization_code", code=code, redirect_uri="https://example.com/cb")
    assert "refresh_token" in right.json()


def test_a_call_outside_the_tokens_scopes_is_401_code_57(sandbox):
    code = sandbox.grant_code(scopes=["ZohoBooks.contacts.READ"])
    token = token_call(sandbox, grant_type="authorization_code", code=code).json()["access_token"]
    headers = {"Authorization": "Zoho-oauthtoken " + token}
    params = {"organization_id": sandbox.org_id}
    assert requests.get(sandbox.api_url() + "/contacts", params=params, headers=headers, timeout=10).status_code == 200
    for method, path in (("GET", "/items"), ("POST", "/contacts"), ("GET", "/organizations")):
        answer = requests.request(method, sandbox.api_url() + path, params=params, headers=headers,
                                  json={"contact_name": "X"}, timeout=10)
        assert (answer.status_code, answer.json()) == (
            401, {"code": 57, "message": "You are not authorized to perform this operation"}), path
    assert sandbox.records("contacts") == []


def test_narrower_scopes_of_the_built_in_credentials(sandbox_factory):
    zoho = Zoho(sandbox_factory(scopes=("ZohoBooks.settings.READ",)))
    assert zoho.get("/items").status_code == 200
    assert zoho.get("/settings/fields", params={"entity": "item"}).status_code == 200
    assert zoho.post("/items", json={"name": "W", "rate": 1}).status_code == 401
    assert zoho.get("/invoices").json()["code"] == 57


# --- organizations ------------------------------------------------------------------------------


def test_organizations_carry_the_documented_keys(sandbox_factory):
    from openapi import load_spec

    documented = load_spec("organizations")["components"]["schemas"]["list-organizations-response"]
    keys = set(documented["properties"]["organizations"]["items"]["properties"])
    sb = sandbox_factory(orgs=("1", "2"))
    orgs = Zoho(sb).get("/organizations", org=False).json()["organizations"]
    assert [set(o) for o in orgs] == [keys, keys]
    assert [(o["organization_id"], o["is_default_org"]) for o in orgs] == [("1", True), ("2", False)]
