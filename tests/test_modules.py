"""The module catalogue agrees with Zoho's OpenAPI files and loads from any install."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from openapi import OPENAPI

from bulkio.catalogue import Field, Lookup, header_key, load_module, module_names
from bulkio.errors import ConfigError

MAIN = Path(__file__).resolve().parents[1]
MODULES = ["items", "contacts", "invoices", "bills", "estimates", "salesorders",
           "purchaseorders", "creditnotes"]
DOCUMENTS = MODULES[2:]

# Fields Zoho accepts and returns that the request schemas of its OpenAPI files leave out.
NOT_IN_REQUEST_SCHEMA = {("items", "unit")}


class Schema:
    """One OpenAPI file, with Zoho's $refs (some lack the leading '#') resolved."""

    def __init__(self, filename: str):
        self.schemas = yaml.safe_load((OPENAPI / filename).read_text())["components"]["schemas"]

    def resolve(self, node):
        while isinstance(node, dict) and "$ref" in node:
            node = self.schemas[node["$ref"].split("/")[-1]]
        return node or {}

    def props(self, name: str) -> dict:
        return self.resolve(self.schemas[name]).get("properties", {})

    def required(self, name: str) -> list[str]:
        return self.resolve(self.schemas[name]).get("required", [])

    def has_path(self, name: str, path: tuple[str, ...]) -> bool:
        node = {"properties": self.props(name)}
        for part in path:
            props = node.get("properties", {})
            if part not in props:
                return False
            node = self.resolve(props[part])
            if node.get("type") == "array":
                node = self.resolve(node.get("items", {}))
        return True

    def line_props(self, name: str) -> dict:
        line_items = self.resolve(self.props(name).get("line_items", {}))
        return self.resolve(line_items.get("items", {})).get("properties", {})

    def custom_field_keys(self) -> set[str]:
        """Every key any `custom_fields` array item of this file documents."""
        keys: set[str] = set()

        def walk(node):
            if isinstance(node, dict):
                for key, value in node.items():
                    if key == "custom_fields":
                        items = self.resolve(self.resolve(value).get("items", {}))
                        keys.update(items.get("properties", {}))
                    walk(value)
            elif isinstance(node, list):
                for value in node:
                    walk(value)

        walk(self.schemas)
        return keys


@pytest.fixture(scope="module", params=MODULES)
def module(request):
    return load_module(request.param)


@pytest.fixture(scope="module")
def schema(module):
    return Schema(module.openapi)


def test_module_names_lists_importable_modules_only():
    assert module_names() == sorted(MODULES)


@pytest.mark.parametrize("spelling, name", [
    ("items", "items"), ("item", "items"), ("Items", "items"), ("sales_orders", "salesorders"),
    ("sales-orders", "salesorders"), ("Sales Order", "salesorders"), ("creditnote", "creditnotes"),
    ("purchase_order", "purchaseorders"), ("contact", "contacts"), ("tax", "taxes"),
])
def test_load_module_accepts_common_spellings(spelling, name):
    assert load_module(spelling).name == name


def test_unknown_module_names_the_known_ones():
    with pytest.raises(ConfigError) as caught:
        load_module("widgets")
    assert str(caught.value) == (
        "unknown module 'widgets'; known modules: bills, contacts, creditnotes, estimates, "
        "invoices, items, purchaseorders, salesorders")


def test_module_loads_with_its_endpoint_and_keys(module):
    assert module.endpoint == "/" + module.name
    assert module.id_field == module.singular + "_id" or module.id_field == "contact_id"
    assert module.plural == module.name
    assert module.fields and all(isinstance(f, Field) for f in module.fields)
    assert module.field(module.name_field) is not None
    assert all(module.field(name) for name in module.upsert_requires if name != "line_items")


def test_every_field_is_in_the_request_schema(module, schema):
    request = set(schema.props(module.create_schema)) | set(schema.props(module.update_schema))
    for f in module.fields:
        if f.read_only or f.lookup or (module.name, f.api_name) in NOT_IN_REQUEST_SCHEMA:
            continue
        assert (f.api_name in request or schema.has_path(module.create_schema, f.path)), \
            f"{module.name}.{f.api_name} is not in {module.create_schema}"
    for name, api_name in NOT_IN_REQUEST_SCHEMA:
        if name == module.name:  # still a documented field of the module
            assert api_name in schema.schemas and module.field(api_name)


def test_required_fields_match_the_create_schema(module, schema):
    documented = set(schema.required(module.create_schema)) - {"line_items"}
    required = {f.api_name for f in module.fields if f.required}
    assert required == documented


def test_custom_field_shape_is_documented(module, schema):
    assert "value" in module.custom_field_shape
    assert {"customfield_id", "custom_field_id", "index"} & set(module.custom_field_shape)
    assert set(module.custom_field_shape) <= schema.custom_field_keys()


def test_dropdowns_have_values_and_types_are_known(module):
    for f in module.fields + module.line_fields:
        if f.type == "dropdown" and not f.read_only:
            assert len(f.values) >= 2, f.api_name
    assert module.field(module.name_field).type == "string"


def column_name_clashes(module) -> dict[str, set]:
    """Spellings (case, spaces, _ - . ignored) that would name more than one field.

    The same api name at header and line level (a document's `discount`) is not a clash:
    a column matcher tells those apart by level, and their labels differ.
    """
    owners = defaultdict(set)
    for f in module.fields + module.line_fields:
        for name in f.names:
            owners[header_key(name)].add((f.level, f.api_name))
    return {k: v for k, v in owners.items() if len({api for _, api in v}) > 1}


def test_no_column_name_means_two_fields(module):
    assert column_name_clashes(module) == {}
    labels = [header_key(f.label) for f in module.fields + module.line_fields]
    assert len(labels) == len(set(labels))


def test_a_shared_alias_is_reported_as_a_clash():
    items = load_module("items")
    sku = items.field("sku")
    broken = replace(items, fields=items.fields + (replace(sku, api_name="x", aliases=("Price",)),))
    assert column_name_clashes(broken) == {
        "sku": {("header", "sku"), ("header", "x")},
        "price": {("header", "rate"), ("header", "x")},
    }


def test_items_know_the_usual_spreadsheet_headers():
    items = load_module("items")
    by_alias = {header_key(n): f.api_name for f in items.fields for n in f.names}
    assert by_alias[header_key("Product Name")] == "name"
    assert by_alias[header_key("Unit Price")] == "rate"
    assert by_alias[header_key("cost price")] == "purchase_rate"
    assert by_alias[header_key("Item Code")] == "sku"
    assert by_alias[header_key("UOM")] == "unit"
    assert items.field("name").max_length == 100
    assert items.field("product_type").values[:2] == ("goods", "service")
    assert items.field("item_id").read_only and items.field("item_id") not in items.writable_fields


def test_contacts_reach_nested_email_and_address():
    contacts = load_module("contacts")
    email = next(f for f in contacts.fields if "Email ID" in f.aliases)
    assert email.path == ("contact_persons", "email") and email.type == "email"
    assert contacts.field("billing_address.city").label == "Billing City"
    assert contacts.field("contact_type").values[:2] == ("customer", "vendor")


@pytest.mark.parametrize("name", DOCUMENTS)
def test_documents_have_line_items_and_lookups(name):
    doc = load_module(name)
    schema = Schema(doc.openapi)
    assert doc.kind == "document" and doc.line_items_key == "line_items"
    assert doc.field(doc.number_field) is not None
    assert doc.field(doc.party_field).type == "id"
    line_schema = set(schema.line_props(doc.create_schema)) | set(
        schema.line_props(doc.update_schema))
    for f in doc.line_fields:
        assert f.level == "line"
        assert f.lookup or f.api_name in line_schema, f"{name} line {f.api_name}"
    assert {"item_id", "rate", "quantity"} <= {f.api_name for f in doc.line_fields}
    party = next(f for f in doc.fields if f.lookup and f.lookup.target == doc.party_field)
    assert party.lookup == Lookup("contacts", ("contact_name", "company_name"), doc.party_field)
    item = next(f for f in doc.line_fields if f.label == "Item Name")
    assert item.lookup == Lookup("items", ("name",), "item_id")
    for f in doc.fields + doc.line_fields:
        if f.lookup:
            target_level = doc.fields if f.level == "header" else doc.line_fields
            assert f.lookup.target in {t.api_name for t in target_level}
            assert load_module(f.lookup.module).id_field


def test_lookup_references_are_loadable_but_not_importable():
    taxes = load_module("taxes")
    assert (taxes.kind, taxes.endpoint, taxes.id_field, taxes.plural) == (
        "reference", "/settings/taxes", "tax_id", "taxes")
    accounts = load_module("chartofaccounts")
    assert (accounts.endpoint, accounts.id_field, accounts.plural) == (
        "/chartofaccounts", "account_id", "chartofaccounts")
    assert "taxes" not in module_names()


METADATA = [
    {"customfield_id": 46000000012845, "label": "External ID", "api_name": "cf_external_id",
     "data_type": "string", "is_unique": True, "is_mandatory": False, "is_active": True,
     "index": 1, "max_length": 100},
    {"field_id": "46000000012846", "label": "Colour (main)", "data_type": "dropdown",
     "is_active": True, "index": 2,
     "values": [{"name": "Red", "is_active": True}, {"name": "Blue", "is_active": False},
                {"value": "Green"}]},
    {"field_id": 3, "label": "Retired", "data_type": "string", "is_active": False},
    {"field_id": 4, "label": "Name", "data_type": "text", "is_mandatory": True,
     "value_length": "50"},
    {"field_id": 5, "label": "Serial", "data_type": "autonumber"},
    {"field_id": 6, "label": "Launch", "data_type": "datetime", "values": ["a", "b"]},
]


def test_with_custom_fields_merges_metadata():
    items = load_module("items")
    merged = items.with_custom_fields(METADATA)
    assert [f.api_name for f in merged.custom_fields] == [
        "cf_external_id", "cf_colour_main", "cf_name", "cf_serial", "cf_launch"]
    ext = merged.field("cf_external_id")
    assert (ext.customfield_id, ext.unique, ext.index, ext.max_length, ext.custom) == (
        "46000000012845", True, 1, 100, True)
    colour = merged.field("cf_colour_main")
    assert (colour.type, colour.values, colour.customfield_id) == (
        "dropdown", ("Red", "Green"), "46000000012846")
    name = merged.field("cf_name")
    assert (name.label, name.type, name.required, name.max_length) == ("Name", "string", True, 50)
    assert merged.field("cf_serial").read_only and merged.field("cf_launch").type == "date"
    assert merged.field("name").custom is False  # the standard field is untouched
    assert merged.field("cf_retired") is None
    assert items.custom_fields == ()  # the cached module is not changed
    again = merged.with_custom_fields(METADATA[:1])
    assert [f.api_name for f in again.custom_fields] == ["cf_external_id"]
    assert len(again.fields) == len(items.fields) + 1


def test_catalogue_found_from_a_non_editable_install(tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--target", str(target), str(MAIN)], check=True, capture_output=True)
    code = ("import bulkio.catalogue.loader as m; print(m.__file__); "
            "print(m.load_module('invoices').line_fields[0].api_name, len(m.module_names())); "
            "print(sorted(str(p) for p in m.templates_dir('mappings').iterdir() if p.name.endswith('.toml')))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True,
                         text=True, cwd=tmp_path, env={"PYTHONPATH": str(target)}).stdout
    mappings = sorted(str(target / "bulkio" / "templates" / "mappings" / p.name)
                      for p in (MAIN / "templates" / "mappings").glob("*.toml"))
    assert out.splitlines() == [str(target / "bulkio" / "catalogue" / "loader.py"), "item_id 8", str(mappings)]


def test_templates_are_what_the_generator_writes(tmp_path):
    """templates/modules/*.toml are generated: a hand edit there would be lost on the next run."""
    sys.path.insert(0, str(MAIN / "tools"))
    try:
        import gen_catalogue
    finally:
        sys.path.remove(str(MAIN / "tools"))
    written = gen_catalogue.build(OPENAPI, tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in (MAIN / "templates" / "modules").glob(
        "*.toml"))
    for path in written:
        assert path.read_text() == (MAIN / "templates" / "modules" / path.name).read_text(), path.name


def test_the_sandbox_schema_data_is_what_its_generator_writes():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
    import gen_sandbox_schema

    from bulkio.sandbox import schema_data

    generated: dict = {}
    exec(gen_sandbox_schema.render(), generated)
    assert generated["MODULE_FIELDS"] == schema_data.MODULE_FIELDS
