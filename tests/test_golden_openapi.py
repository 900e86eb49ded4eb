"""Golden answers from Zoho's OpenAPI files: for every module endpoint the client calls (list, get,
create, update, upsert PUT), an answer is built from the operation's documented response schema
(its per-property `example` values), served over loopback HTTP, and read by the client; the
record ids, pages, lookups and custom values it reads are compared with the schema's examples."""

from __future__ import annotations

import re

import pytest
from canned_zoho import API_ROOT
from openapi import documented_answer, load_spec

from bulkio.catalogue import Field, Lookup, load_module, module_names
from bulkio.prepare.lookups import LookupResolver
from bulkio.zoho.auth import TOKEN_PATH, ZohoAuth
from bulkio.zoho.records import custom_value
from bulkio.zoho.session import build_session

REFERENCE_MODULES = ("taxes", "chartofaccounts", "currencies")
MODULES = [m for m in (*module_names(), *REFERENCE_MODULES) if load_module(m).openapi]
ENVELOPE_KEYS = ("code", "message")


def answer(module, method: str, by_id: bool) -> tuple[str, int, dict]:
    """The module's documented operation on its endpoint (or `endpoint/{id}`): the path as the
    OpenAPI file writes it, the documented status and an answer built from its schema."""
    spec_name = module.openapi.removesuffix(".yml")
    pattern = re.escape(module.endpoint) + (r"/\{[^/]+\}" if by_id else "")
    paths = [p for p, ops in load_spec(spec_name)["paths"].items()
             if re.fullmatch(pattern, p) and method.lower() in ops]
    if not paths:
        pytest.fail(f"{module.openapi} documents no {method} {module.endpoint}{'/{id}' if by_id else ''}")
    status, body = documented_answer(spec_name, method, paths[0])
    return paths[0], status, body


def documented_record(module, body: dict) -> dict:
    """The record an answer documents: under the module's singular key (an array of one in
    taxes.yml and sales-order.yml), or (GET /chartofaccounts/{account_id}) the answer itself,
    flat beside code and message."""
    if module.singular in body:
        return only(body[module.singular])
    return {k: v for k, v in body.items() if k not in ENVELOPE_KEYS}


def only(value):
    """A documented record, whether the schema makes it an object or an array of one."""
    return value[0] if isinstance(value, list) else value


def record_id(module, record: dict) -> str:
    assert record.get(module.id_field) not in (None, ""), f"no {module.id_field} in {record}"
    return str(record[module.id_field])


@pytest.mark.parametrize("name", MODULES)
def test_a_documented_list_is_read_page_by_page(canned, name):
    module = load_module(name)
    _, status, page = answer(module, "GET", by_id=False)
    first = only(page[module.plural])  # credit-notes.yml: one object, not an array
    paged = isinstance(page.get("page_context"), dict)
    if paged:  # two pages: the first says more follow, the second (another record) that none do
        second = {**page, module.plural: [{**first, module.id_field: "2" + record_id(module, first)}],
                  "page_context": {**page["page_context"], "has_more_page": False}}
        page = {**page, "page_context": {**page["page_context"], "has_more_page": True}}
        canned.answer("GET", API_ROOT + module.endpoint, status, page, second)
    else:  # no page_context documented: the one short page is the last
        canned.answer("GET", API_ROOT + module.endpoint, status, page)
    records = list(canned.client().iter_records(module))
    expected = [record_id(module, first)] + (["2" + record_id(module, first)] if paged else [])
    assert [record_id(module, r) for r in records] == expected
    assert records[0] == first
    assert [q["page"] for m, p, q in canned.calls] == (["1", "2"] if paged else ["1"])


@pytest.mark.parametrize("name", MODULES)
def test_a_documented_record_is_read_by_id(canned, name):
    module = load_module(name)
    _, status, body = answer(module, "GET", by_id=True)
    expected = documented_record(module, body)
    # sales-order.yml's record carries no salesorder_id: the id asked for is the caller's own
    asked = str(expected.get(module.id_field) or "460000000039129")
    canned.answer("GET", f"{API_ROOT}{module.endpoint}/{asked}", status, body)
    assert canned.client().get_record(module, asked) == expected


@pytest.mark.parametrize("name", MODULES)
def test_a_documented_create_answer_is_read(canned, name):
    module = load_module(name)
    _, status, body = answer(module, "POST", by_id=False)
    canned.answer("POST", API_ROOT + module.endpoint, status, body)
    written = canned.client().create(module, {"x": 1})
    assert (written.created, written.status) == (True, status)
    assert written.record == documented_record(module, body)
    assert record_id(module, written.record)


@pytest.mark.parametrize("name", MODULES)
def test_a_documented_update_answer_is_read(canned, name):
    module = load_module(name)
    _, status, body = answer(module, "PUT", by_id=True)
    expected = documented_record(module, body)
    canned.answer("PUT", f"{API_ROOT}{module.endpoint}/{record_id(module, expected)}", status, body)
    written = canned.client().update(module, record_id(module, expected), {"x": 1})
    assert (written.created, written.status, written.record) == (False, status, expected)


UPSERT_MODULES = [m for m in MODULES if "put" in load_spec(load_module(m).openapi.removesuffix(".yml"))
                  ["paths"].get(load_module(m).endpoint, {})]


def test_upsert_is_documented_for_every_record_and_document_module():
    assert set(UPSERT_MODULES) == set(module_names())


@pytest.mark.parametrize("name", UPSERT_MODULES)
def test_a_documented_upsert_answer_reads_as_an_update(canned, name):
    """PUT on the module's endpoint (the upsert by unique custom field) documents only the update
    answer: 200 and the module's "... updated/saved" message."""
    module = load_module(name)
    _, status, body = answer(module, "PUT", by_id=False)
    canned.answer("PUT", API_ROOT + module.endpoint, status, body)
    written = canned.client().upsert(module, "cf_external_id", "EXT-1", {"x": 1})
    assert (written.created, written.status) == (False, 200)
    assert written.record == documented_record(module, body)


def test_documented_taxes_and_accounts_resolve_lookups_to_their_ids(canned):
    taxes = load_module("taxes")
    accounts = load_module("chartofaccounts")
    for module in (taxes, accounts):
        _, status, body = answer(module, "GET", by_id=False)
        canned.answer("GET", API_ROOT + module.endpoint, status, body)
    resolver = LookupResolver(canned.client())
    # taxes.yml: tax_id "982000000566009", tax_name "Sales Group", tax_percentage 10.5
    assert resolver.resolve(Lookup("taxes", ("tax_name",), "tax_id"), "sales group").id == "982000000566009"
    assert resolver.resolve(Lookup("taxes", ("tax_percentage",), "tax_id"), "10.5%").id == "982000000566009"
    # chart-of-accounts.yml: account_id "460000000038079", account_name "Notes Payable"
    found = resolver.resolve(Lookup("chartofaccounts", ("account_name",), "account_id"), "Notes Payable")
    assert found.id == "460000000038079"


def test_documented_custom_field_values_of_a_listed_item_are_read(canned):
    items = load_module("items")
    _, status, body = answer(items, "GET", by_id=False)
    canned.answer("GET", API_ROOT + items.endpoint, status, body)
    record = next(iter(canned.client().iter_records(items)))
    # items.yml custom_fields: [{"customfield_id": "46000000012845", "value": "Normal"}]
    grade = Field("cf_grade", "Grade", "string", custom=True, customfield_id="46000000012845")
    assert custom_value(record, grade) == "Normal"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_token_answer_gives_its_token_for_its_lifetime(canned):
    """No Zoho page or OpenAPI file here documents the token endpoint; its answer is the one in
    our summary (../shared/zoho-api.md): access_token, expires_in 3600, api_domain, token_type."""
    canned.answer("POST", TOKEN_PATH, 200, {"access_token": "1000.abc", "expires_in": 3600,
                                          "api_domain": "https://www.zohoapis.com", "token_type": "Bearer"})
    clock = Clock()
    auth = ZohoAuth(accounts_url=canned.url, client_id="id", client_secret="secret", refresh_token="1000.r",
                    session=build_session(), clock=clock)
    assert auth.token() == "1000.abc"
    clock.now = 3600 - 61  # within the hour, outside the 60 s margin: the same token
    auth.token()
    assert len(canned.calls) == 1
    clock.now = 3600 - 59
    auth.token()
    assert len(canned.calls) == 2


def test_the_documented_bulk_fetch_of_item_details_is_read(canned):
    status, body = documented_answer("items", "GET", "/itemdetails")
    canned.answer("GET", API_ROOT + "/itemdetails", status, body)

    found = canned.client().item_details(["1", "2"])

    assert [r["item_id"] for r in found] == [r["item_id"] for r in body["items"]] and found
    assert found[0] == body["items"][0]
