"""The -k key: the field it names (`resolve_key`), and each row's key checked as Zoho will
compare it (`check_keys`). The text sent is the key in Unicode NFC; a key holding an invisible
character or a line break is refused (E_KEY_CHARACTERS), one repeating an earlier row's key is
a duplicate (E_DUPLICATE_KEY), and two keys that differ only in case are both refused
(E_KEY_CASE). `seen` (key -> first row) carries the keys across a file's chunks.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np

from bulkio.catalogue import Field, Module, header_key
from bulkio.catalogue.spelling import field_keys
from bulkio.errors import ConfigError, RowError
from bulkio.prepare.columns import describe
from bulkio.prepare.rowerrors import row_errors

# characters a key may not hold: zero-width ones nobody sees, and line breaks
_INVISIBLE = {"\u200b": "U+200B", "\u200c": "U+200C", "\u200d": "U+200D", "\u2060": "U+2060",
              "\ufeff": "U+FEFF"}
_BREAKS = "\n\r\x0b\x0c\x85\u2028\u2029"   # the ASCII ones first
_KEY_BAD_RE = re.compile("[" + "".join(_INVISIBLE) + _BREAKS + "]")


def resolve_key(module: Module, key: str | Field) -> Field:
    """The field named by -k: a unique custom field (api name, label or CF.<label>), or a
    standard field Zoho keeps unique (`standard_keys`: items name or sku, contacts
    contact_name, a document's number), matched against the records listed from Zoho.

    A custom field whose metadata does not say whether it is unique (`unique` None; Zoho's
    documented answer omits `is_unique`) is taken: Zoho's answer to the write decides, and
    `key_warnings` says that bulkio could not check. ConfigError, listing the keys available,
    when `key` names anything else.
    """
    if isinstance(key, Field):
        key = key.api_name
    wanted = header_key(key)
    found = module.field(key) or next((f for f in module.fields if wanted in field_keys(f)), None)
    if found is not None and found.custom and found.unique is not False:
        return found
    if found is not None and found.api_name in standard_keys(module):
        return found
    unique = [describe(f) for f in module.fields if f.custom and f.unique is not False]
    unique += [describe(module.field(a)) for a in standard_keys(module) if module.field(a)]
    what = (f"{describe(found)} is not a unique field" if found
            else f"{module.name} has no field called that")
    hint = ("use one of: " + ", ".join(unique) if unique else
            f'{module.name} has no unique custom field; in Zoho, create one with '
            '"Prevent duplicate values", or leave out -k to create records')
    raise ConfigError(f'-k "{key}": {what}; {hint}')


def standard_keys(module: Module) -> tuple[str, ...]:
    """The standard fields Zoho keeps unique in a module: what -k may name besides a unique
    custom field. Items: the name and the SKU ("should be unique throughout the product",
    items-api.txt, Create an item); contacts: the display name; documents: their number."""
    keys = {"items": ("name", "sku"), "contacts": ("contact_name",)}.get(module.name, ())
    if module.number_field:
        keys += (module.number_field,)
    return tuple(k for k in keys if module.field(k) is not None)


def key_warnings(key_field: Field | None) -> list[str]:
    """What to tell the person about the -k field before anything is sent."""
    if key_field is None or key_field.unique is not None:
        return []
    return [UNIQUE_UNKNOWN.format(label=key_field.label)]


UNIQUE_UNKNOWN = ('Zoho does not say whether "{label}" has "Prevent duplicate values" on, so bulkio '
                  'cannot check it. If it is off, Zoho refuses each write and the report says so: then '
                  'turn it on for "{label}" in Zoho and run the same command again')


def check_keys(values: np.ndarray, texts: np.ndarray, column: str, rows: np.ndarray,
               seen: dict[str, int], *, duplicates: bool = True) -> tuple[list[str | None], list[RowError]]:
    """(key text per row, in NFC; the errors) for a checked column's typed `values` and cell
    `texts`, errors naming `column` and `rows`. A key repeating an earlier row's is an error
    only with `duplicates`. Text values that NFC changes are changed in `values` too, so the
    payload sends what was compared. `seen` is updated in place."""
    keys = [_key_text(v) for v in values.tolist()]
    joined = "\x00".join(k for k in keys if k)
    # ASCII keys (the usual case) are their own NFC and casefold is lower(): one check of
    # the joined column spares a Unicode pass over every key
    ascii_only = joined.isascii()
    if not ascii_only:
        keys = _nfc_keys(keys, values)
    suspect = not ascii_only or any(c in joined for c in _BREAKS[:4])
    errors: list[RowError] = []
    twins = _CaseTwins(texts, column, rows, errors)
    numbers = rows.tolist()
    for pos, key in enumerate(keys):
        if not key:
            continue
        if suspect and _KEY_BAD_RE.search(key):
            errors += row_errors("E_KEY_CHARACTERS", [pos], rows, column, {pos: _visible(key)},
                                 what=_invisible_words(key))
            continue
        first = seen.setdefault(key, numbers[pos])
        if first != numbers[pos]:
            if duplicates:
                errors += row_errors("E_DUPLICATE_KEY", [pos], rows, column, texts, first=first)
            continue
        fold = "\x00" + (key.lower() if ascii_only else key.casefold())
        twin = seen.setdefault(fold, numbers[pos])
        if twin != numbers[pos]:
            twins.report(pos, twin)
    return keys, errors


class _CaseTwins:
    """E_KEY_CASE on both rows of keys that differ only in case, each earlier row once."""

    def __init__(self, texts: np.ndarray, column: str, rows: np.ndarray, errors: list[RowError]):
        self.texts, self.column, self.rows, self.errors = texts, column, rows, errors
        self.reported: set[int] = set()

    def report(self, pos: int, first: int) -> None:
        """The row at `pos`, whose key differs only in case from row `first`'s, and row `first`
        too when it is in this frame (in an earlier chunk it was checked)."""
        earlier = np.flatnonzero(self.rows == first)
        other = f' ("{self.texts[earlier[0]]}")' if len(earlier) else ""
        self.errors += row_errors("E_KEY_CASE", [pos], self.rows, self.column, self.texts,
                                  first=first, other=other)
        if len(earlier) and int(earlier[0]) not in self.reported:
            self.reported.add(int(earlier[0]))
            self.errors += row_errors("E_KEY_CASE", [earlier[0]], self.rows, self.column, self.texts,
                                      first=int(self.rows[pos]), other=f' ("{self.texts[pos]}")')


def _nfc_keys(keys: list[str | None], values: np.ndarray) -> list[str | None]:
    """The keys in Unicode NFC; the typed text values that feed the payload changed alike."""
    out = []
    for pos, key in enumerate(keys):
        nfc = unicodedata.normalize("NFC", key) if key else key
        if nfc != key and isinstance(values[pos], str):
            values[pos] = nfc
        out.append(nfc)
    return out


def _visible(key: str) -> str:
    """A key with its invisible characters and line breaks written out, for a message."""
    return "".join(f"[{_INVISIBLE[c]}]" if c in _INVISIBLE else "[line break]" if c in _BREAKS
                   else c for c in key)


def _invisible_words(key: str) -> str:
    found = []
    if any(c in _BREAKS for c in key):
        found.append("a line break")
    found += [f"an invisible character ({_INVISIBLE[c]})" for c in dict.fromkeys(key) if c in _INVISIBLE]
    return " and ".join(found)


def _key_text(value: Any) -> str | None:
    """A typed key value as the text Zoho stores (12.0 -> "12")."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
