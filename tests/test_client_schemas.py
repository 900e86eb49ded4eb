"""The JSON bodies the client sends, as the sandbox received them, against Zoho's OpenAPI schemas."""

from __future__ import annotations

import pytest
from openapi import validator
from sandbox_clients import client_for


def sent_bodies(sandbox, method: str, path: str) -> list:
    return [b for m, p, q, h, b in sandbox.stats.requests if (m, p) == (method, path)]


def item_payload(n: int, field: dict, value: str) -> dict:
    return {
        "name": f"Widget {n}",
        "rate": 12.5,
        "sku": f"W-{n}",
        "product_type": "goods",
        "custom_fields": [{"customfield_id": int(field["field_id"]), "value": value}],
    }


def contact_payload(n: int, field: dict, value: str) -> dict:
    return {
        "contact_name": f"Customer {n}",
        "contact_type": "customer",
        "custom_fields": [{"index": field["index"], "label": field["label"], "value": value}],
    }


@pytest.mark.parametrize(
    "module, entity, file, create_schema, update_schema, payload",
    [
        ("items", "item", "items.yml", "create-an-item-request", "update-an-item-request", item_payload),
        (
            "contacts", "contact", "contacts.yml",
            "create-a-contact-request", "update-a-contact-request", contact_payload,
        ),
    ],
)
def test_create_and_upsert_bodies_match_zohos_schemas(
    sandbox, module, entity, file, create_schema, update_schema, payload
):
    field = sandbox.add_custom_field(entity, label="External ID", data_type="string", is_unique=True)
    client = client_for(sandbox)
    client.create(module, payload(1, field, "EXT-1"))
    created = client.upsert(module, "cf_external_id", "EXT-2", payload(2, field, "EXT-2"))
    updated = client.upsert(module, "cf_external_id", "EXT-2", payload(3, field, "EXT-2"))
    assert updated.record[f"{entity}_id"] == created.record[f"{entity}_id"]

    posts = sent_bodies(sandbox, "POST", f"/books/v3/{module}")
    puts = sent_bodies(sandbox, "PUT", f"/books/v3/{module}")
    assert (len(posts), len(puts)) == (1, 2)
    for body in posts:
        validator(file, create_schema).validate(body)
    for body in puts:
        validator(file, update_schema).validate(body)
    assert [r.get("custom_field_hash", {}).get("cf_external_id") for r in sandbox.records(module)] == ["EXT-1", "EXT-2"]


def test_the_schema_check_can_fail():
    bad = {"name": "Widget", "rate": "twelve", "custom_fields": [{"customfield_id": "46000", "value": "x"}]}
    errors = list(validator("items.yml", "create-an-item-request").iter_errors(bad))
    assert len(errors) == 2
