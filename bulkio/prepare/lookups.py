"""Names -> ids: lookup columns (Customer Name, Item Name, SKU, Tax Name, Tax %, Account Name)
resolved through the list endpoints of the modules they name.

Each referenced module is read once per run, in pages of 200, and kept; every later lookup is
answered from memory, so a run costs one paged read per referenced module, never one call per
row. A name matches a record when it equals one of the lookup's `match` fields, case and outer
spaces ignored (percentages by value, so "10%" finds a 10.0 tax; SKUs stay text: "0042" is not
"42"). The fields are tried in order: the
first that matches exactly one record decides; one that matches several is ambiguous.
"""

from __future__ import annotations

import difflib
import threading
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from bulkio.catalogue import Lookup, Module, load_module

MAX_HINTS = 3
MAX_IDS_SHOWN = 5
MAX_LISTED = 12   # reference values listed whole when nothing is close
HINT_CUTOFF = 0.6
# How a message names one record of a looked-up module, by the field that receives its id.
TARGET_NOUNS = {"customer_id": "customer", "vendor_id": "vendor", "item_id": "item",
                "tax_id": "tax", "account_id": "account"}
# A contact lookup filling customer_id / vendor_id prefers contacts of that type when a name is
# shared by a customer and a vendor.
CONTACT_TYPES = {"customer_id": "customer", "vendor_id": "vendor"}


@dataclass(frozen=True)
class Resolution:
    """What one lookup found: the record id, or `found` and `hint` for the E_LOOKUP message
    (`found`: "no item", "2 items (ids 1, 2)"; `hint`: what the user can do)."""

    id: str | None
    found: str = ""
    hint: str = ""

    @property
    def ok(self) -> bool:
        return self.id is not None


class LookupResolver:
    """Resolves lookup cells to ids through `client` (a ZohoClient), reading each referenced
    module at most once. Thread-safe.

    Example:
        resolver = LookupResolver(client)
        resolver.resolve(field.lookup, "Bowman").id      # '4600000012'
    """

    def __init__(self, client):
        self.client = client
        self._lock = threading.Lock()
        self._tables: dict[str, _Table] = {}
        self._answers: dict[tuple, Resolution] = {}

    @property
    def modules_read(self) -> tuple[str, ...]:
        """The modules whose lists were read so far (one paged read each)."""
        return tuple(self._tables)

    def records(self, module_name: str) -> list[dict]:
        """Every record of a module, read on first use and kept for the run."""
        return self._table(module_name).records

    def resolve(self, lookup: Lookup, text: str, id_label: str | None = None) -> Resolution:
        """The id of the one record of `lookup.module` that `text` names.

        `id_label` names the id column the user could fill instead (for the ambiguity hint).
        """
        wanted = str(text).strip()
        memo = (lookup, wanted.casefold(), id_label)
        with self._lock:
            if memo in self._answers:
                return self._answers[memo]
        answer = self._resolve(lookup, wanted, id_label)
        with self._lock:
            self._answers[memo] = answer
        return answer

    def _resolve(self, lookup: Lookup, wanted: str, id_label: str | None) -> Resolution:
        table = self._table(lookup.module)
        noun = TARGET_NOUNS.get(lookup.target, table.module.singular.replace("_", " "))
        for field in lookup.match:
            found = table.matching(field, wanted)
            if len(found) > 1:
                found = _prefer_type(found, lookup.target)
            if len(found) == 1:
                return Resolution(table.id_of(found[0]))
            if found:
                ids = sorted(table.id_of(r) for r in found)
                shown = ", ".join(ids[:MAX_IDS_SHOWN]) + (", ..." if len(ids) > MAX_IDS_SHOWN else "")
                instead = f'give the id in "{id_label}" instead' if id_label else "give its id instead"
                return Resolution(None, f"{len(found)} {_plural(noun)} (ids {shown})",
                                  f"rename them in Zoho or {instead}")
        close = table.close_names(lookup.match, wanted)
        suggestion = "did you mean " + ", ".join(f'"{n}"' for n in close) + "?" if close else ""
        known = table.known_values(lookup.match) if not close else []
        # a short reference list (taxes, accounts) is worth showing whole: "20% (VAT on
        # Income)" from another system is close to none of them by spelling
        listed = f"Zoho has {', '.join(known)}; " if known else ""
        if lookup.module == "taxes" and "tax_name" in lookup.match:
            return Resolution(None, "no tax in Zoho's list of taxes",
                              listed + _tax_group_hint(suggestion, id_label))
        hint = suggestion or f"check the spelling, or create the {noun} in Zoho first"
        return Resolution(None, f"no {noun}", listed + hint)

    def _table(self, module_name: str) -> _Table:
        # One lock for the whole read: two threads asking for the same module must not both
        # page through it.
        with self._lock:
            table = self._tables.get(module_name)
            if table is None:
                module = load_module(module_name)
                table = _Table(module, list(self.client.iter_records(module)))
                self._tables[module_name] = table
            return table


class _Table:
    """One module's records with an index per matched field (normalised value -> records)."""

    def __init__(self, module: Module, records: list[dict]):
        self.module = module
        self.records = records
        self._index: dict[str, dict[Any, list[dict]]] = {}

    def id_of(self, record: dict) -> str:
        return str(record.get(self.module.id_field, ""))

    def matching(self, field: str, wanted: str) -> list[dict]:
        index = self._index.get(field)
        if index is None:
            index = {}
            for record in self.records:
                key = normalise(record.get(field), _numeric(field))
                if key is not None:
                    index.setdefault(key, []).append(record)
            self._index[field] = index
        key = normalise(wanted, _numeric(field))
        return list(index.get(key, ())) if key is not None else []

    def close_names(self, fields: tuple[str, ...], wanted: str) -> list[str]:
        """The existing names most like `wanted` (difflib), case ignored, as Zoho spells them."""
        names: dict[str, str] = {}
        for record in self.records:
            for field in fields:
                value = record.get(field)
                if value not in (None, ""):
                    names.setdefault(str(value).strip().casefold(), str(value).strip())
        close = difflib.get_close_matches(wanted.casefold(), list(names), n=MAX_HINTS,
                                          cutoff=HINT_CUTOFF)
        return [names[c] for c in close]


    def known_values(self, fields: tuple[str, ...]) -> list[str]:
        """Every value of `fields` ("Sales Tax", "10%") when the module is reference data with
        at most MAX_LISTED of them; [] otherwise (a customer list is too long to show)."""
        if self.module.kind != "reference":
            return []
        shown: dict[Any, str] = {}
        for record in self.records:
            for field in fields:
                key = normalise(record.get(field), _numeric(field))
                if key is not None:
                    text = f"{key:f}%" if isinstance(key, Decimal) else f'"{str(record[field]).strip()}"'
                    shown.setdefault(key, text)
        return list(shown.values()) if len(shown) <= MAX_LISTED else []


def normalise(value: Any, numeric: bool = False) -> Any:
    """How lookup values compare: text case-folded and trimmed; with `numeric`, numbers by
    value (10, "10.0", "10 %"); None for nothing."""
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not text:
        return None
    number = _number(text) if numeric else None
    return number if number is not None else text.casefold()


def _numeric(field: str) -> bool:
    return field.endswith("percentage")


def _number(text: str) -> Decimal | None:
    plain = text.rstrip("%").strip()
    try:
        number = Decimal(plain)
    except InvalidOperation:
        return None
    return number.normalize() if number.is_finite() else None


def _tax_group_hint(suggestion: str, id_label: str | None) -> str:
    """What to do about a tax the taxes list does not have. That list (taxes.yml, GET
    /settings/taxes, "List of simple and compound taxes"; tax_type "tax" or "compound_tax")
    has no tax groups, which Zoho keeps at /settings/taxgroups/{tax_group_id} with no list
    operation to look their names up in; a line takes a group's id in its tax_id."""
    column = f'"{id_label}"' if id_label else "the tax id"
    advice = f"put the group's id in the {column} column instead"
    return f"{suggestion} If it is a tax group, {advice}" if suggestion else f"if it is a tax group, {advice}"


def _prefer_type(found: list[dict], target: str) -> list[dict]:
    wanted = CONTACT_TYPES.get(target)
    typed = [r for r in found if str(r.get("contact_type", "")).lower() == wanted] if wanted else []
    return typed or found


def _plural(noun: str) -> str:
    return noun[:-1] + "ies" if noun.endswith("y") else noun + ("es" if noun.endswith("x") else "s")
