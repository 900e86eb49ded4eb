"""`import --dry-run`: what each row would do, decided by reading the records in Zoho only.

Rows are classified in input order against the index, and each row's own effect is remembered
(`_Claims`), so two rows of one file that would create the same key or name are caught the way
Zoho would catch them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bulkio.modes import Mode
from bulkio.outcomes import Status
from bulkio.prepare import mapper
from bulkio.run.existing import ExistingIndex, id_of, key_label


@dataclass
class _Claims:
    """Keys and names earlier rows of this file would create."""

    keys: dict[str, int] = field(default_factory=dict)
    names: dict[str, int] = field(default_factory=dict)


class DryRun:
    """Classifies work items as would_create, would_update, unchanged or would_fail."""

    def __init__(self, module, index: ExistingIndex, mode: str, key_field: str | None,
                 *, skip_unchanged: bool = False, full_record=None, read_record=None):
        self.module = module
        self.full_record = full_record or (lambda record, payload=None: record)
        # reads one record by id (FullRecords.read): its list entry may not show the key
        self.read_record = read_record
        self.skip_unchanged = skip_unchanged
        self.index = index
        self.mode = mode
        self.key_field = key_field
        self.claims = _Claims()

    def classify(self, item) -> tuple[str, str | None, str]:
        """(status, record_id, message) for one item; never writes."""
        record = self.index.record_for(item, self.mode)
        if self.mode == Mode.CREATE and not item.record_id:
            return self._create(item, record)
        if record is None and not item.record_id:
            record = self._unlisted_key_holder(item)
        if record is not None:
            return self._existing(item, record)
        if self.mode == Mode.UPDATE or item.record_id:
            return Status.WOULD_FAIL, None, self._missing(item)
        return self._upsert_new(item)

    def _existing(self, item, record: dict[str, Any]) -> tuple[str, str | None, str]:
        record_id = id_of(record, self.module)
        changes = mapper.changed_fields(self.module, item.payload,
                                        self.full_record(record, item.payload))
        if not changes:
            return Status.UNCHANGED, record_id, f"the {self._noun} in Zoho already holds these values"
        if self.module.line_items_key in changes:
            return Status.WOULD_UPDATE, record_id, (
                f"would update the {self._noun} {self._which(item)} and its line items")
        return Status.WOULD_UPDATE, record_id, f"would update the {self._noun} {self._which(item)}"

    def _create(self, item, record) -> tuple[str, str | None, str]:
        # With --skip-unchanged a create whose record already exists as it is sends nothing.
        if (self.skip_unchanged and record is not None
                and not mapper.changed_fields(self.module, item.payload,
                                              self.full_record(record, item.payload))):
            return Status.UNCHANGED, id_of(record, self.module), (
                f"a {self._noun} named {item.name!r} already holds these values")
        taken = self._name_taken(item, record)
        if taken:
            return Status.WOULD_FAIL, id_of(record, self.module) if record else None, taken
        self._claim(item)
        return Status.WOULD_CREATE, None, f"would create a new {self._noun}"

    def _upsert_new(self, item) -> tuple[str, str | None, str]:
        if item.key in self.claims.keys:
            return (Status.WOULD_UPDATE, None, f"row {self.claims.keys[item.key]} of this file would "
                    f"create the {self._noun} {self._which(item)}; this row would update it")
        holder = self.index.by_name.get(_lower(item.name))
        if holder is not None and self._key_unknown(holder):
            holder = self.read_record(holder)
        taken = self._name_taken(item, holder)
        if taken:
            return Status.WOULD_FAIL, None, taken
        missing = [f for f in self.module.upsert_requires if _empty(item.payload.get(f))]
        if missing:
            return (Status.WOULD_FAIL, None, f"no {self._noun} has {self._key_label} "
                    f"{item.key!r}, and creating one needs {_and(missing)}, which this row "
                    "does not give")
        self._claim(item)
        return Status.WOULD_CREATE, None, f"no {self._noun} has {self._key_label} {item.key!r} yet"

    def _unlisted_key_holder(self, item) -> dict[str, Any] | None:
        """The record named like the item, read by id, when its list entry shows no key and the
        record itself holds the item's key."""
        holder = self.index.by_name.get(_lower(item.name))
        if holder is None or item.key in (None, "") or not self._key_unknown(holder):
            return None
        full = self.read_record(holder)
        return full if self.index.key_of(full) == str(item.key).strip() else None

    def _key_unknown(self, record: dict) -> bool:
        """True when a listed record shows no key: Zoho's list answers may leave custom fields
        out, so only the record itself can tell whether it is the one this row's key names."""
        return bool(self.key_field and self.read_record) and self.index.key_of(record) is None

    def _name_taken(self, item, holder: dict | None) -> str:
        name = (item.name or "").strip()
        if not name:
            return ""
        if name.lower() in self.claims.names:
            return (f"row {self.claims.names[name.lower()]} of this file would already create "
                    f"a {self._noun} named {name!r}")
        if holder is None:
            return ""
        other_key = self.index.key_of(holder) if self.key_field else None
        held_by = f" (with {self._key_label} {other_key!r})" if other_key else ""
        return (f"a {self._noun} named {name!r} already exists in Zoho{held_by}, "
                f"id {id_of(holder, self.module)}; Zoho refuses a second one with that name")

    def _missing(self, item) -> str:
        if item.record_id:
            return f"no {self._noun} has id {item.record_id!r} in Zoho"
        return f"no {self._noun} has {self._key_label} {item.key!r} in Zoho (update mode creates nothing)"

    def _claim(self, item) -> None:
        if item.key not in (None, ""):
            self.claims.keys.setdefault(item.key, item.row)
        if item.name and item.name.strip():
            self.claims.names.setdefault(item.name.strip().lower(), item.row)

    def _which(self, item) -> str:
        if item.record_id:
            return f"with id {item.record_id}"
        if item.key not in (None, ""):
            return f"with {self._key_label} {item.key!r}"
        return f"named {item.name!r}"

    @property
    def _noun(self) -> str:
        return self.module.singular

    @property
    def _key_label(self) -> str:
        return key_label(self.module, self.key_field)




def _lower(name: str | None) -> str:
    return (name or "").strip().lower()


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
