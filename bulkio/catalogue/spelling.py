"""How a column heading may spell a field: the normalised names that name it."""

from __future__ import annotations

from bulkio.catalogue.field import Field, header_key


def field_keys(f: Field) -> set[str]:
    """Every normalised spelling a column may use for field `f`."""
    keys = {header_key(name) for name in f.names if name}
    if f.custom:
        keys.add(header_key("cf" + f.label))
    return keys - {""}


def field_index(fields) -> dict[str, list[Field]]:
    """Normalised spelling -> the fields it names (more than one means ambiguous)."""
    index: dict[str, list[Field]] = {}
    for f in fields:
        for key in field_keys(f):
            bucket = index.setdefault(key, [])
            if all(other.api_name != f.api_name for other in bucket):
                bucket.append(f)
    return index
