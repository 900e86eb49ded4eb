"""How rows are written: the import's --mode, which is also the kind of each write Zoho is sent.

`Mode` members are `StrEnum`s, so the CLI, the journal and the run identity hold the plain word
("upsert", "update", "create") as before there was an enum.

Example:
    default_mode(None, key="cf_sku")   # Mode.UPSERT: a key column says which record a row is
    Mode("create") == "create"         # True
"""

from __future__ import annotations

from enum import StrEnum

from bulkio.errors import ConfigError


class Mode(StrEnum):
    """How a row is written, each one Zoho operation: create = POST /{module}, update =
    PUT /{module}/{id}, upsert = PUT /{module} by a unique custom field (X-Unique-Identifier-Key,
    with or without X-Upsert; upsert-by-unique-custom-field.txt). Listed as --help shows them."""

    UPSERT = "upsert"
    UPDATE = "update"
    CREATE = "create"


#: Every mode, as --help lists them.
MODES = tuple(Mode)
#: The modes as messages list them: "create, update, upsert".
MODE_NAMES = ", ".join(sorted(MODES))


def default_mode(mode: str | None, key: object) -> str:
    """The mode a run takes: `mode` when given (as given, for `check_mode` to judge), else
    upsert with a key column and create without."""
    if not mode:
        return Mode.UPSERT if key else Mode.CREATE
    return Mode(mode) if mode in MODES else mode


def check_mode(mode: str) -> Mode:
    """`mode` as a Mode; ConfigError naming the known ones when it is none of them."""
    if mode not in MODES:
        raise ConfigError(f'--mode "{mode}" is not known; use one of {MODE_NAMES}')
    return Mode(mode)
