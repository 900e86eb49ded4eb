"""A module's fields as the organisation has them: the catalogue plus its custom fields."""

from __future__ import annotations

from bulkio.catalogue.field import Field
from bulkio.catalogue.loader import load_module
from bulkio.catalogue.module import Module

COLUMNS = ("API NAME", "LABEL", "TYPE", "REQUIRED", "UNIQUE", "VALUES")
UNKNOWN_NOTE = ('unique: unknown - Zoho\'s field list does not say whether "Prevent duplicate values" '
                "is on; such a field can still be the key (-k), and Zoho refuses the writes if it is off.")


def load_fields(client, module_name: str) -> Module:
    """The catalogue's module merged with the custom fields Zoho reports for its entity.

    Example: load_fields(ZohoClient(settings), "items").custom_fields
    """
    module = load_module(module_name)
    if not module.custom_field_entity:
        return module
    return module.with_custom_fields(client.custom_fields(module.custom_field_entity))


def field_rows(module: Module) -> list[tuple[str, ...]]:
    """One row of text per field, in COLUMNS order; required reads "yes" or "", unique "yes",
    "" or "unknown" (Zoho's field list did not say)."""
    return [_row(f) for f in module.fields]


def format_fields_table(module: Module) -> str:
    """The fields as a plain table, columns aligned with spaces, a header line first."""
    rows = [COLUMNS, *field_rows(module)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS) - 1)]
    lines = []
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    if any(f.unique is None for f in module.fields):
        lines += ["", UNKNOWN_NOTE]
    return "\n".join(lines)


def _row(field: Field) -> tuple[str, ...]:
    return (
        field.api_name,
        field.label + (" (custom)" if field.custom else ""),
        field.type,
        "yes" if field.required else "",
        _unique(field.unique),
        ", ".join(field.values),
    )


def _unique(flag: bool | None) -> str:
    return "unknown" if flag is None else ("yes" if flag else "")
