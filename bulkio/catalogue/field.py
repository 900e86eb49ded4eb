"""One field of a module, standard or custom, and how column names compare with its names.

Field api names may be dotted for a few nested values worth a spreadsheet column:
`billing_address.city` is `{"billing_address": {"city": ...}}`, and for an array of objects
(`contact_persons.email`) the first, primary entry is meant. `Field.path` splits them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

FIELD_TYPES = frozenset({
    "string", "multiline", "number", "decimal", "amount", "percent", "date", "check_box",
    "dropdown", "email", "url", "phone", "id",
})
#: The field types whose values are numbers (Zoho answers them as JSON numbers).
NUMBER_TYPES = frozenset({"number", "decimal", "amount", "percent"})


@dataclass(frozen=True)
class Lookup:
    """A column holding a name that is resolved to an id by reading another module's list.

    `module` is a catalogue name (contacts, items, taxes, chartofaccounts, ...), `match` the
    fields of that module compared with the cell, in order, and `target` the field of this
    record (or line) that receives the id found.
    """

    module: str
    match: tuple[str, ...]
    target: str


@dataclass(frozen=True)
class Field:
    """One field of a module, standard or custom.

    `sent_as_text`: a line field Zoho's OpenAPI file types as a string although it holds a
    number (purchase orders' quantity); its value is sent as text so that the bodies match the
    published schema (Zoho reads either)."""

    api_name: str
    label: str
    type: str
    required: bool = False
    max_length: int | None = None
    values: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    unique: bool | None = False  # None: Zoho's metadata did not say (its documented answer omits it)
    custom: bool = False
    customfield_id: str | None = None
    index: int | None = None
    active: bool = True
    read_only: bool = False
    level: str = "header"
    lookup: Lookup | None = None
    sent_as_text: bool = False

    @property
    def path(self) -> tuple[str, ...]:
        """The api name split on dots: `("billing_address", "city")`, `("name",)`."""
        return tuple(self.api_name.split("."))

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling a column may use for this field: api name, label, aliases."""
        return (self.api_name, self.label, *self.aliases)


def header_key(text: str) -> str:
    """How column names compare: case, spaces, underscores, dashes and dots ignored."""
    return re.sub(r"[\s_\-.]+", "", str(text).lower())
