"""Custom-field entries in the shape each module's request schema documents, per write kind, and
the identifier sent where that shape names a field only by an `index` Zoho's metadata lacks."""

from __future__ import annotations

import dataclasses

import jsonschema
import pytest
from openapi import load_spec
from sandbox_clients import client_for

from bulkio.catalogue import Field, load_module
from bulkio.catalogue.fields import load_fields
from bulkio.modes import MODES
from bulkio.prepare.mapper import PayloadBuilder, build_payload, reshape_custom_fields, shape_for

MODULES = ("items", "contacts", "invoices", "estimates", "salesorders", "purchaseorders",
           "creditnotes", "bills")
KNOWN = Field("cf_ref", "Order Ref", "string", custom=True, customfield_id="46000000012845", index=3)
# As the Custom Fields API documents a field (custom-fields-api.txt): a field_id, no index.
DOCUMENTED = Field("cf_ref", "Order Ref", "string", custom=True, customfield_id="46000000012845")


def with_field(name: str, f: Field):
    module = load_module(name)
    return dataclasses.replace(module, fields=module.fields + (f,))


def schema_of(module, kind: str) -> str:
    return module.create_schema if kind == "create" else module.update_schema


def entry_schema(file: str, schema: str, prop: str = "custom_fields") -> dict:
    """The documented request schema of one `custom_fields` array, refs resolvable."""
    return {"$ref": f"#/components/schemas/{schema}/properties/{prop}",
            "components": load_spec(file)["components"]}


def documented_keys(file: str, schema: str) -> set[str]:
    spec = load_spec(file)["components"]["schemas"]
    node = spec[schema]["properties"]["custom_fields"]
    while "$ref" in node:
        node = spec[node["$ref"].split("/")[-1]]
    return set(node["items"].get("properties", {}))


def all_entry_keys(file: str) -> set[str]:
    """Keys of every custom-field entry object the module's OpenAPI file documents anywhere."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            for key, child in node.items():
                if key in ("custom_fields", "item_custom_fields") and isinstance(child, dict):
                    found.update(child.get("items", {}).get("properties", {}))
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)
    schemas = load_spec(file)["components"]["schemas"]
    walk(schemas)
    for name, schema in schemas.items():
        if name.startswith("custom_fields"):
            found.update(schema.get("items", {}).get("properties", {}))
    return found


@pytest.mark.parametrize("f", [KNOWN, DOCUMENTED], ids=["with-index", "metadata-without-index"])
@pytest.mark.parametrize("kind", MODES)
@pytest.mark.parametrize("name", MODULES)
def test_entries_validate_against_the_modules_request_schema(name, kind, f):
    module = with_field(name, f)
    entries = build_payload(module, {"cf_ref": "SO-7"}, kind)["custom_fields"]
    assert len(entries) == 1 and entries[0]["value"] == "SO-7"
    entry = entries[0]
    schema = schema_of(module, kind)  # upsert: PUT /{module} takes update-*-request in every file
    if name == "creditnotes":
        # credit-notes.yml documents custom_fields as "an array of strings", which cannot name a
        # field; the entries sent are the ones its credit note attributes document instead
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft4Validator(entry_schema(module.openapi, schema)).validate(entries)
        jsonschema.Draft4Validator(
            entry_schema(module.openapi, "creditnote-response")).validate(entries)
        assert set(entry) == ({"index", "label", "value"} if f.index else {"label", "value"})
        return
    jsonschema.Draft4Validator(entry_schema(module.openapi, schema)).validate(entries)
    documented = documented_keys(module.openapi, schema)
    extra = set(entry) - documented
    if f.index is not None or extra == set():
        assert extra == set(), f"{name} {kind}: {sorted(extra)} not in {schema}"
    else:  # the one fallback identifier, documented for custom fields elsewhere in the file
        assert extra == {shape_for(module, kind).fallback}
        assert extra <= all_entry_keys(module.openapi)


def test_the_identifier_sent_where_the_shape_wants_an_index_zoho_does_not_give():
    """Contacts' create, bills and estimates document {index, value}, but the Custom Fields API's
    metadata has no index (custom-fields-api.txt, "List custom fields"). Sent instead: the
    identifier the same module's OpenAPI file documents elsewhere for custom fields, the field id
    first (it is the metadata's field_id, as items-api.txt's customfield_id shows):
    bills.yml's custom_fields schema (PUT /bill/{bill_id}/customfields) has custom_field_id,
    estimates.yml's custom_fields_update (PUT /estimate/{estimate_id}/customfields) customfield_id;
    contacts.yml has no id for a custom field anywhere, only label (update-a-contact-request)."""
    entry = {name: build_payload(with_field(name, DOCUMENTED), {"cf_ref": "X"}, "create")
             ["custom_fields"][0] for name in ("contacts", "bills", "estimates")}
    assert entry == {"contacts": {"label": "Order Ref", "value": "X"},
                     "bills": {"custom_field_id": 46000000012845, "value": "X"},
                     "estimates": {"customfield_id": 46000000012845, "value": "X"}}
    # with the index known, the documented shape as it is
    assert build_payload(with_field("contacts", KNOWN), {"cf_ref": "X"}, "create")[
        "custom_fields"] == [{"index": 3, "value": "X"}]
    assert build_payload(with_field("contacts", KNOWN), {"cf_ref": "X"}, "update")[
        "custom_fields"] == [{"index": 3, "label": "Order Ref", "value": "X"}]


@pytest.mark.parametrize("name, kind, keys", [
    ("contacts", "create", ("index", "value")),
    ("contacts", "update", ("index", "label", "value")),
    ("contacts", "upsert", ("index", "label", "value")),
    ("salesorders", "create", ("customfield_id", "value")),
    ("bills", "update", ("index", "value")),
])
def test_shape_for_reads_the_generated_catalogue(name, kind, keys):
    assert shape_for(load_module(name), kind).keys == keys


def test_shape_for_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="write kind"):
        shape_for(load_module("items"), "replace")


@pytest.mark.parametrize("name, line_keys", [
    ("purchaseorders", {"index", "value"}),          # purchase-order.yml line requests
    ("salesorders", {"customfield_id", "value"}),
    ("bills", {"custom_field_id", "index", "label", "value"}),
])
def test_line_entries_are_in_the_line_schemas_shape(name, line_keys):
    line = Field("cf_bin", "Bin", "string", custom=True, customfield_id="77", index=2, level="line")
    module = load_module(name)
    module = dataclasses.replace(module, line_fields=module.line_fields + (line,))
    payload = {"line_items": [{"item_id": "1", "item_custom_fields": [{"api_name": "cf_bin", "value": "A"}]}]}
    for kind in MODES:
        entry = reshape_custom_fields(module, payload, kind)["line_items"][0]["item_custom_fields"][0]
        assert set(entry) == line_keys
        lines = reshape_custom_fields(module, payload, kind)["line_items"]
        jsonschema.Draft4Validator(
            entry_schema(module.openapi, schema_of(module, kind), "line_items")).validate(lines)
    # purchase-order.yml's line response documents customfield_id: the fallback without an index
    po = load_module("purchaseorders")
    po = dataclasses.replace(po, line_fields=po.line_fields + (
        Field("cf_bin", "Bin", "string", custom=True, customfield_id="77", level="line"),))
    assert reshape_custom_fields(po, payload, "create")["line_items"][0]["item_custom_fields"] == [
        {"customfield_id": 77, "value": "A"}]


def test_reshape_changes_only_the_entries_and_leaves_the_payload_alone():
    module = with_field("contacts", KNOWN)
    built = PayloadBuilder(module, "update")({"contact_name": "Acme", "cf_ref": "R-1"})
    before = {**built, "custom_fields": [dict(e) for e in built["custom_fields"]]}
    created = reshape_custom_fields(module, built, "create")
    assert created == {"contact_name": "Acme", "custom_fields": [{"index": 3, "value": "R-1"}]}
    assert built == before == {"contact_name": "Acme",
                               "custom_fields": [{"index": 3, "label": "Order Ref", "value": "R-1"}]}
    unknown = {"custom_fields": [{"label": "Gone", "value": 1}]}
    assert reshape_custom_fields(module, unknown, "create") == unknown


def test_documented_metadata_shapes_are_accepted_by_the_sandbox(sandbox_factory):
    """End to end, metadata as Zoho documents it (no index): a contact created and then upserted
    with the entries each kind's schema documents, the value stored both times."""
    sandbox = sandbox_factory(field_metadata="documented")
    sandbox.add_custom_field("contact", "External ID", is_unique=True)
    sandbox.add_custom_field("contact", "Region")
    client = client_for(sandbox)
    module = load_fields(client, "contacts")
    assert all(f.index is None for f in module.custom_fields)

    create = build_payload(module, {"contact_name": "Acme", "cf_external_id": "C-1",
                                    "cf_region": "North"}, "create")
    client.create(module, create)
    upsert = build_payload(module, {"contact_name": "Acme", "cf_external_id": "C-1",
                                    "cf_region": "South"}, "upsert")
    assert client.upsert(module, "cf_external_id", "C-1", upsert).created is False

    bodies = [b for m, p, q, h, b in sandbox.stats.requests if p == "/books/v3/contacts"]
    assert [b["custom_fields"] for b in bodies] == [
        [{"label": "External ID", "value": "C-1"}, {"label": "Region", "value": "North"}],
        [{"label": "External ID", "value": "C-1"}, {"label": "Region", "value": "South"}]]
    [record] = sandbox.records("contacts")
    assert record["custom_field_hash"]["cf_region"] == "South"
