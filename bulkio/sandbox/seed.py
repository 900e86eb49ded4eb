"""Custom fields for a sandbox from a TOML file (the form of samples/custom_fields.toml):
tables of `[[name]]` entries, each the seed of `POST /settings/fields`."""

from __future__ import annotations

import tomllib
from pathlib import Path


def add_custom_fields_from(sandbox, path: str | Path) -> list[dict]:
    """Create every field the file describes; returns their metadata."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return [sandbox.add_custom_field(**entry) for entries in data.values() for entry in entries]
