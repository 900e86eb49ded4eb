"""Lookups against the sandbox: one paged read per referenced module, names matched without
case, percentages by value, ambiguity and near misses worded for the user."""

from __future__ import annotations

import pytest
from sandbox_clients import client_for

from bulkio.catalogue import Lookup
from bulkio.prepare.lookups import LookupResolver

CUSTOMER = Lookup("contacts", ("contact_name", "company_name"), "customer_id")
VENDOR = Lookup("contacts", ("contact_name", "company_name"), "vendor_id")
ITEM = Lookup("items", ("name",), "item_id")
SKU = Lookup("items", ("sku",), "item_id")
TAX_RATE = Lookup("taxes", ("tax_percentage",), "tax_id")


@pytest.fixture
def org(sandbox):
    client = client_for(sandbox)
    ids = {}
    for name, kind, company in (("Bowman", "customer", "Bowman Holdings"),
                                ("Bowman Supplies", "vendor", "Bowman Holdings"),
                                ("Acme", "customer", "")):
        ids[name] = client.create("contacts", {"contact_name": name, "contact_type": kind,
                                               "company_name": company}).record["contact_id"]
    for name, sku in (("Widget", "0042"), ("Gadget", "42"), ("Gizmo", "0042")):
        ids[name] = client.create("items", {"name": name, "rate": 1, "sku": sku}).record["item_id"]
    sandbox.stats.reset()
    return sandbox, client, ids


def gets(sandbox) -> list[str]:
    return [p for m, p, *_ in sandbox.stats.requests if m == "GET"]


def test_each_module_is_read_once_however_many_lookups(org):
    sandbox, client, ids = org
    resolver = LookupResolver(client)

    answers = [resolver.resolve(CUSTOMER, name).id for name in ["acme", " ACME ", "Bowman"] * 50]
    items = [resolver.resolve(ITEM, "widget").id for _ in range(20)]

    assert answers[:3] == [ids["Acme"], ids["Acme"], ids["Bowman"]] and set(items) == {ids["Widget"]}
    assert gets(sandbox) == ["/books/v3/contacts", "/books/v3/items"]
    assert resolver.modules_read == ("contacts", "items")


def test_a_near_miss_suggests_the_closest_names(org):
    _, client, _ = org
    answer = LookupResolver(client).resolve(ITEM, "Widgit")
    assert (answer.id, answer.found, answer.hint) == (None, "no item", 'did you mean "Widget"?')


def test_nothing_close_says_what_to_do(org):
    _, client, _ = org
    answer = LookupResolver(client).resolve(CUSTOMER, "Zyxxy")
    assert answer.hint == "check the spelling, or create the customer in Zoho first"


def test_a_name_matching_several_records_is_ambiguous_and_lists_their_ids(org):
    _, client, ids = org
    answer = LookupResolver(client).resolve(SKU, "0042", id_label="Item ID")
    shown = ", ".join(sorted([ids["Widget"], ids["Gizmo"]]))
    assert (answer.id, answer.found) == (None, f"2 items (ids {shown})")
    assert answer.hint == 'rename them in Zoho or give the id in "Item ID" instead'


def test_skus_compare_as_text_and_percentages_as_numbers(org):
    _, client, ids = org
    resolver = LookupResolver(client)
    taxes = {t["tax_percentage"]: t["tax_id"] for t in resolver.records("taxes")}
    assert resolver.resolve(SKU, "42").id == ids["Gadget"]
    assert [resolver.resolve(TAX_RATE, t).id for t in ("10", "10%", "10.0 %", "20")] == \
        [taxes[10.0]] * 3 + [taxes[20.0]]


def test_a_company_name_shared_by_a_customer_and_a_vendor_goes_to_the_right_one(org):
    _, client, ids = org
    resolver = LookupResolver(client)
    assert resolver.resolve(CUSTOMER, "Bowman Holdings").id == ids["Bowman"]
    assert resolver.resolve(VENDOR, "Bowman Holdings").id == ids["Bowman Supplies"]


TAX_NAME = Lookup("taxes", ("tax_name",), "tax_id")


def test_a_tax_not_in_the_taxes_list_says_to_give_a_tax_groups_id(org):
    """taxes.yml: GET /settings/taxes lists simple and compound taxes (tax_type "tax",
    "compound_tax"); tax groups are not in it, and no operation lists them by name."""
    _, client, _ = org
    resolver = LookupResolver(client)
    answer = resolver.resolve(TAX_NAME, "GST+PST", id_label="Item Tax ID")
    assert (answer.id, answer.found) == (None, "no tax in Zoho's list of taxes")
    assert answer.hint == ('Zoho has "Sales Tax", "VAT", "Reduced Rate"; if it is a tax group, '
                           'put the group\'s id in the "Item Tax ID" column instead')
    near = resolver.resolve(TAX_NAME, "Sales Taxes", id_label="Item Tax ID")
    assert near.hint == ('did you mean "Sales Tax"? If it is a tax group, put the group\'s '
                         'id in the "Item Tax ID" column instead')
    assert resolver.resolve(TAX_NAME, " vat ").id is not None
