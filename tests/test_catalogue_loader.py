"""The loader of the module files: it refuses what it does not know, and the per-module facts
that used to be tables in code (list filters, nouns, -m aliases, text-typed line fields) come
from the files unchanged."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import bulkio.catalogue.loader as loader
from bulkio.catalogue import Catalogue, catalogue_dir, load_module, module_names, resolve_name
from bulkio.cli import cli
from bulkio.errors import ConfigError
from bulkio.zoho.scopes import scopes_for

GOOD = '''name = "projects"
title = "Projects"
kind = "record"
endpoint = "/projects"
id_field = "project_id"
singular = "project"
plural = "projects"

[[fields]]
api_name = "project_name"
label = "Project Name"
type = "string"
required = true
'''


def catalogue_with(tmp_path: Path, text: str) -> Catalogue:
    (tmp_path / "projects.toml").write_text(text, encoding="utf-8")
    return Catalogue(tmp_path)


def refusal(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        catalogue_with(tmp_path, text).load("projects")
    return str(caught.value)


def test_a_good_file_loads(tmp_path):
    module = catalogue_with(tmp_path, GOOD).load("project")
    assert (module.endpoint, module.field("project_name").required, module.noun) == (
        "/projects", True, "a project")


def test_an_unknown_top_level_key_is_refused_naming_file_key_and_known_keys(tmp_path):
    text = refusal(tmp_path, GOOD.replace('plural = "projects"', 'plural = "projects"\nendpiont = "/x"'))
    assert str(tmp_path / "projects.toml") in text
    assert 'unknown key "endpiont" in the top level' in text
    assert "endpoint" in text and "list_filters" in text and "aliases" in text


def test_an_unknown_field_key_is_refused_naming_the_field(tmp_path):
    text = refusal(tmp_path, GOOD.replace("required = true", "requried = true"))
    assert "[[fields]] 'project_name'" in text and '"requried"' in text
    assert "required" in text.split("known keys are")[1]


def test_an_unknown_line_field_key_is_refused(tmp_path):
    text = refusal(tmp_path, GOOD + '\n[[line_fields]]\napi_name = "hours"\nlabel = "Hours"\ntype = "decimal"\n'
                   'sent_as_txt = true\n')
    assert "[[line_fields]] 'hours'" in text and '"sent_as_txt"' in text and "sent_as_text" in text


def test_an_unknown_lookup_key_is_refused(tmp_path):
    text = refusal(tmp_path, GOOD + '\n[[fields]]\napi_name = "customer_name"\nlabel = "Customer"\ntype = "string"\n'
                   'lookup = { module = "contacts", match = ["contact_name"], taget = "customer_id" }\n')
    assert "the lookup of [[fields]] 'customer_name'" in text and '"taget"' in text and "target" in text


def test_a_key_only_an_organisations_metadata_sets_is_refused_in_a_file(tmp_path):
    text = refusal(tmp_path, GOOD.replace("required = true", 'customfield_id = "7"'))
    assert '"customfield_id"' in text


def test_a_file_that_is_not_toml_is_refused_naming_it(tmp_path):
    text = refusal(tmp_path, GOOD + "\n[[fields]\n")
    assert "projects.toml is not valid TOML" in text


def test_a_wrong_value_is_refused_naming_the_file(tmp_path):
    text = refusal(tmp_path, GOOD.replace('type = "string"', 'type = "text"'))
    assert "projects.toml is malformed" in text and "'text'" in text


def test_one_alias_for_two_modules_is_refused(tmp_path):
    (tmp_path / "jobs.toml").write_text(GOOD.replace("projects", "jobs").replace(
        'plural = "jobs"', 'plural = "jobs"\naliases = ["work"]'), encoding="utf-8")
    catalogue = catalogue_with(tmp_path, GOOD.replace('plural = "projects"', 'plural = "projects"\naliases = ["Work"]'))
    with pytest.raises(ConfigError, match='the alias "Work" is already one of jobs'):
        catalogue.load("work")


def test_every_shipped_file_passes_the_key_check():
    assert Catalogue(catalogue_dir()).names() == module_names()
    assert {name: load_module(name).name for name in module_names()} == {n: n for n in module_names()}


# What bulkio.catalogue.modules.DOCUMENTED_FILTERS held before the module files did (the query
# parameters each list operation documents); the generator now derives them from the OpenAPI files.
DOCUMENTED_FILTERS = {
    "items": ("name", "description", "rate", "tax_id", "tax_name", "is_taxable", "tax_exemption_id",
              "account_id", "sat_item_key_code", "unitkey_code"),
    "contacts": ("contact_type", "contact_name", "company_name", "first_name", "last_name", "address",
                 "email", "phone", "zcrm_contact_id", "zcrm_account_id", "zcrm_vendor_id"),
    "invoices": ("invoice_number", "item_name", "item_id", "item_description", "reference_number",
                 "customer_name", "recurring_invoice_id", "email", "total", "balance", "custom_field",
                 "date", "due_date", "created_date", "last_modified_time", "status", "customer_id",
                 "zcrm_potential_id"),
    "bills": ("bill_number", "reference_number", "date", "status", "description", "vendor_name", "total",
              "vendor_id", "item_id", "recurring_bill_id", "purchaseorder_id", "last_modified_time"),
    "estimates": ("estimate_number", "reference_number", "customer_name", "total", "customer_id", "item_id",
                  "item_name", "item_description", "custom_field", "expiry_date", "date", "status",
                  "zcrm_potential_id"),
    "salesorders": ("salesorder_number", "item_name", "item_id", "item_description", "reference_number",
                    "customer_name", "total", "date", "shipment_date", "status", "customer_id",
                    "salesperson_id", "zcrm_potential_id", "last_modified_time", "customview_id"),
    "purchaseorders": ("purchaseorder_number", "reference_number", "date", "status", "item_description",
                       "vendor_name", "total", "vendor_id", "last_modified_time", "item_id", "custom_field"),
    "creditnotes": ("creditnote_number", "date", "status", "total", "reference_number", "customer_name",
                    "item_name", "customer_id", "item_description", "item_id", "line_item_id", "tax_id"),
}


def test_list_filters_are_the_documented_filters_table():
    assert {name: load_module(name).list_filters for name in module_names()} == DOCUMENTED_FILTERS
    assert load_module("taxes").list_filters is None  # no documented list: --filter is trusted


def test_nouns_are_the_document_nouns_table():
    nouns = {load_module(n).singular: load_module(n).noun for n in module_names() if load_module(n).is_document}
    assert nouns == {"invoice": "an invoice", "bill": "a bill", "estimate": "an estimate",
                     "salesorder": "a sales order", "purchaseorder": "a purchase order",
                     "creditnote": "a credit note"}


def test_text_line_fields_are_purchase_orders_quantity_only():
    assert {n: load_module(n).text_line_fields for n in module_names() if load_module(n).text_line_fields} == {
        "purchaseorders": frozenset({"quantity"})}


@pytest.mark.parametrize(("typed", "name"), [
    ("chartofaccount", "chartofaccounts"), ("accounts", "chartofaccounts"), ("account", "chartofaccounts"),
    ("customers", "contacts"), ("Vendor", "contacts"), ("tax", "taxes"), ("PO", "purchaseorders"),
    ("so", "salesorders"), ("quotes", "estimates"), ("Quote", "estimates"), ("Sales-Orders", "salesorders"),
    ("sales_order", "salesorders"), ("item", "items"),
])
def test_names_people_type_resolve_as_before(typed, name):
    assert resolve_name(typed) == name


def test_an_unknown_name_lists_the_known_modules():
    with pytest.raises(ConfigError, match="unknown module 'projcts'; known modules: bills, contacts"):
        resolve_name("projcts")


def test_a_copy_of_the_shipped_catalogue_loads_from_another_directory(tmp_path):
    shutil.copytree(Path(str(catalogue_dir())), tmp_path / "modules")
    copy = Catalogue(tmp_path / "modules")
    assert copy.load("invoices") == load_module("invoices")


def test_a_module_file_alone_makes_a_module_bulkio_validates(tmp_path, monkeypatch):
    """docs/adding-a-module.md: a file in the catalogue directory is all a new module needs."""
    catalogue_dir_copy = tmp_path / "modules"
    shutil.copytree(Path(str(catalogue_dir())), catalogue_dir_copy)
    (catalogue_dir_copy / "projects.toml").write_text(GOOD.replace(
        'plural = "projects"', 'plural = "projects"\naliases = ["jobs"]\nlist_filters = ["project_name"]\n'
        'openapi = "projects.yml"\nscopes = ["ZohoBooks.projects.READ"]') + (
        '\n[[fields]]\napi_name = "rate"\nlabel = "Hourly Rate"\naliases = ["Rate per hour"]\ntype = "amount"\n'),
        encoding="utf-8")
    monkeypatch.setattr(loader, "default_catalogue", lambda: Catalogue(catalogue_dir_copy))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    data = tmp_path / "projects.csv"
    data.write_text("Project Name,Rate per hour\nAudit 2026,95.50\n,12\nReview,abc\n", encoding="utf-8")
    report = tmp_path / "report.csv"
    result = CliRunner().invoke(cli, ["validate", str(data), "-m", "jobs", "--report", str(report)],
                                env={"ZOHO_ORGANIZATION_ID": "", "ZOHO_API_URL": ""})
    assert result.exit_code == 1, result.output
    rows = list(csv.DictReader(report.open(encoding="utf-8-sig")))
    assert [(r["status"], r["error_code"]) for r in rows] == [
        ("valid", ""), ("invalid", "E_REQUIRED"), ("invalid", "E_TYPE")]
    assert "projects" in loader.module_names()
    # a token Zoho refuses is answered with the scopes of the module's own file
    assert scopes_for("/projects/7") == ("projects.yml", ("ZohoBooks.projects.READ", "ZohoBooks.settings.READ"))
