"""Writes bulkio/sandbox/schema_data.py from Zoho's OpenAPI files (spec/zoho-openapi/).

The sandbox imports only the stdlib, so the facts it needs from the YAML files (field json
types, documented max lengths, the create schema's required list, line-item fields) are
generated into a Python module. Run: python tools/gen_sandbox_schema.py
"""

from __future__ import annotations

import pprint
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "zoho-openapi"
OUT = ROOT / "bulkio" / "sandbox" / "schema_data.py"
MODULES = {
    "items": ("items.yml", "create-an-item-request", "update-an-item-request"),
    "contacts": ("contacts.yml", "create-a-contact-request", "update-a-contact-request"),
    "invoices": ("invoices.yml", "create-an-invoice-request", "update-an-invoice-request"),
    "bills": ("bills.yml", "create-a-bill-request", "update-a-bill-request"),
    "estimates": ("estimates.yml", "create-an-estimate-request", "update-an-estimate-request"),
    "salesorders": ("sales-order.yml", "create-a-sales-order-request", "update-a-sales-order-request"),
    "purchaseorders": ("purchase-order.yml", "create-a-purchase-order-request", "update-a-purchase-order-request"),
    "creditnotes": ("credit-notes.yml", "create-a-credit-note-request", "update-a-credit-note-request"),
}
HEADER = '''"""Field facts taken from Zoho's published OpenAPI files (zoho-openapi/*.yml).

Generated once from the create and update request schemas: for each module, the top-level fields
a request may carry as (json type, documented max length or None), the `required` list of the
create schema, and the fields of one line item. LIST_FIELDS: the properties the list answer's
schema documents for one row. OPERATION_SCOPES: the OAuth scope each operation's `security`
names, by "METHOD /path". Regenerate rather than edit by hand."""

# fmt: off
'''


def _resolve(schemas: dict, schema):
    while isinstance(schema, dict) and "$ref" in schema:
        schema = schemas[schema["$ref"].split("/")[-1]]
    return schema


def _fields(schemas: dict, schema) -> dict:
    out = {}
    for name, value in _resolve(schemas, schema).get("properties", {}).items():
        prop = _resolve(schemas, value)
        kind = prop.get("type") or ("object" if "properties" in prop else "string")
        found = re.search(r"Max-length \[(\d+)\]", prop.get("description", "") or "")
        out[name] = (kind, int(found.group(1)) if found else None)
    return out


def _module(filename: str, create: str, update: str) -> dict:
    schemas = yaml.safe_load((SPEC / filename).read_text(encoding="utf-8"))["components"]["schemas"]
    fields = _fields(schemas, schemas[create])
    fields.update({k: v for k, v in _fields(schemas, schemas[update]).items() if k not in fields})
    entry = {"fields": fields, "required": tuple(_resolve(schemas, schemas[create]).get("required", []))}
    entry["line_fields"] = {}
    for schema in (schemas[create], schemas[update]):
        prop = _resolve(schemas, schema)["properties"].get("line_items")
        if prop:
            entry["line_fields"].update(_fields(schemas, _resolve(schemas, prop)["items"]))
    return entry


def _list_fields(name: str, filename: str) -> tuple:
    """The row properties of GET /<module>'s 200 answer (credit-notes.yml declares the rows as
    one object rather than an array of them; its properties are the row's all the same)."""
    document = yaml.safe_load((SPEC / filename).read_text(encoding="utf-8"))
    schemas = document["components"]["schemas"]
    answer = document["paths"]["/" + name]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    rows = _resolve(schemas, _resolve(schemas, answer)["properties"][name])
    row = _resolve(schemas, rows["items"]) if rows.get("type") == "array" else rows
    return tuple(row["properties"])


def _scopes() -> dict:
    out = {}
    for path in sorted(SPEC.glob("*.yml")):
        for route, operations in yaml.safe_load(path.read_text(encoding="utf-8"))["paths"].items():
            for method, operation in operations.items():
                if isinstance(operation, dict) and operation.get("security"):
                    scopes = [s for entry in operation["security"] for s in entry.get("Zoho_Auth", [])]
                    out[f"{method.upper()} {route}"] = scopes[0]
    return out


def render() -> str:
    data = {name: _module(*files) for name, files in sorted(MODULES.items())}
    lists = {name: _list_fields(name, files[0]) for name, files in sorted(MODULES.items())}
    return (HEADER + "MODULE_FIELDS = " + pprint.pformat(data, width=100) + "\n\nLIST_FIELDS = "
            + pprint.pformat(lists, width=100) + "\n\nOPERATION_SCOPES = " + pprint.pformat(_scopes(), width=100)
            + "\n# fmt: on\n")


if __name__ == "__main__":
    OUT.write_text(render(), encoding="utf-8")
    sys.stdout.write(f"wrote {OUT}\n")
