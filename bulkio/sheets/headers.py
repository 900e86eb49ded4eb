"""The header bulkio writes above a field's column: the one the importer's matcher maps back to
that field alone, so a file bulkio wrote (an export, a template) imports with no mapping file."""

from __future__ import annotations

from bulkio.catalogue import Field, header_key


def column_header(f: Field, index: dict[str, list[Field]], blocked: dict | None = None) -> str:
    """The header the column matcher maps to `f` alone: its label, else `CF.<label>` for a
    custom field, else its api name, else one of its aliases (when a custom field took the label).

    `index` is `prepare.columns.field_index` of the fields `f` is among; a key in `blocked` (the
    header fields' index, for a line field) is never used, since the header field would take it.
    """
    candidates = [f.label] + ([f"CF.{f.label}"] if f.custom else []) + [f.api_name, *f.aliases]
    for text in candidates:
        key = header_key(text)
        if [g.api_name for g in index.get(key, [])] == [f.api_name] and key not in (blocked or {}):
            return text
    return f.api_name
