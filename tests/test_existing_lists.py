"""What bulkio.run.existing expects of each module's list rows is what Zoho's OpenAPI files say."""

from __future__ import annotations

import pytest
from openapi import load_spec, resolve

from bulkio.run.existing import LIST_CUSTOM_FIELDS, LIST_WITHOUT_MODIFIED_TIME

FILES = {"items": "items", "contacts": "contacts", "invoices": "invoices", "bills": "bills",
         "estimates": "estimates", "salesorders": "sales-order", "purchaseorders": "purchase-order",
         "creditnotes": "credit-notes"}


def row_properties(module: str) -> set[str]:
    """The properties of one row of GET /<module>, as the module's list response documents."""
    spec = load_spec(FILES[module])
    answer = resolve(spec, spec["paths"][f"/{module}"]["get"]["responses"]["200"])
    schema = resolve(spec, answer["content"]["application/json"]["schema"])
    rows = resolve(spec, schema["properties"][module])
    row = resolve(spec, rows.get("items", rows))  # credit-notes.yml types the list as one object
    return set(row.get("properties", {}))


@pytest.mark.parametrize("module", sorted(FILES))
def test_list_row_expectations_follow_the_openapi_list_schemas(module):
    props = row_properties(module)
    assert ("custom_fields" in props) == (module in LIST_CUSTOM_FIELDS)
    assert ("last_modified_time" not in props) == (module in LIST_WITHOUT_MODIFIED_TIME)
