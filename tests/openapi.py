"""Zoho's OpenAPI files (spec/zoho-openapi/) and a validator for request bodies against them."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

OPENAPI = Path(__file__).resolve().parent.parent / "spec" / "zoho-openapi"


@lru_cache(maxsize=None)
def load_spec(name: str) -> dict:
    """One OpenAPI file, parsed (name with or without .yml)."""
    filename = name if name.endswith(".yml") else f"{name}.yml"
    return yaml.safe_load((OPENAPI / filename).read_text(encoding="utf-8"))
