"""Zoho's OpenAPI files (spec/zoho-openapi/): validators of their request schemas, and answers built from
their response schemas."""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

OPENAPI = Path(__file__).resolve().parent.parent / "spec" / "zoho-openapi"


@cache
def load_spec(name: str) -> dict:
    """One OpenAPI file, parsed (name with or without .yml)."""
    filename = name if name.endswith(".yml") else f"{name}.yml"
    return yaml.safe_load((OPENAPI / filename).read_text(encoding="utf-8"))


def validator(name: str, schema: str) -> jsonschema.Validator:
    """A validator for one named request schema of file `name`; $refs resolve within the same file."""
    root = {"$ref": f"#/components/schemas/{schema}", "components": load_spec(name)["components"]}
    return jsonschema.Draft4Validator(root)


def resolve(spec: dict, schema: dict) -> dict:
    """`schema` with its `$ref`s followed (refs point within the same file)."""
    while "$ref" in schema:
        node = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def example_from_schema(spec: dict, schema: dict) -> Any:
    """A value shaped like `schema`, built from the `example` each property carries in Zoho's
    files: objects property by property, arrays as one element; None where nothing is given."""
    schema = resolve(spec, schema)
    if "example" in schema:
        return schema["example"]
    if "properties" in schema or schema.get("type") == "object":
        return {name: example_from_schema(spec, sub) for name, sub in (schema.get("properties") or {}).items()}
    if schema.get("type") == "array":
        return [example_from_schema(spec, schema.get("items") or {})]
    return None


def documented_answer(name: str, method: str, path: str) -> tuple[int, Any]:
    """The status and an example body of the answer an operation documents, e.g.
    `documented_answer("items", "GET", "/items")` -> (200, {"code": 0, "items": [...], ...})."""
    spec = load_spec(name)
    responses = spec["paths"][path][method.lower()]["responses"]
    status = min(responses, key=int)
    schema = responses[status]["content"]["application/json"]["schema"]
    return int(status), copy.deepcopy(example_from_schema(spec, schema))
