"""Settling a write whose answer never came: does Zoho hold the record?

A 5xx, a gateway's HTML page, a timeout or a dropped connection after a write went out
(errors.OutcomeUnknown) means "maybe applied". Before anything is sent again, Zoho is asked,
by what identifies the record: the Zoho id the write went to (its fields are compared with
what was sent), a standard key (name, sku, number: a filtered list), the display name or the
document number, a unique custom field (the module listed afresh). An apply slower than the
read timeout lands after the timeout, so an empty answer is asked again after growing pauses
(`pauses`, a few minutes in all by default) before the write counts as not applied.

Where nothing identifies the record (an auto-numbered document created without a number, an
unnamed row) nothing can be checked: the caller reports the row `unknown` and does not send it
again without the person's say.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bulkio.errors import NotFoundError
from bulkio.modes import Mode
from bulkio.outcomes import JournalState, Status
from bulkio.prepare import mapper
from bulkio.run.existing import FullRecords, id_of, is_custom_key
from bulkio.run.journalmatch import normal_key
from bulkio.zoho import records

#: Pauses (seconds) between checks of a write that may be landing late: 2 s, then doubling,
#: about three minutes in all. BULKIO_CHECK_PAUSES ("0.1,0.2") sets another schedule.
DEFAULT_PAUSES = (2.0, 4.0, 8.0, 16.0, 30.0, 60.0, 60.0)
PAUSES_ENV = "BULKIO_CHECK_PAUSES"


def default_pauses() -> tuple[float, ...]:
    """The check schedule: BULKIO_CHECK_PAUSES (seconds, comma separated) or DEFAULT_PAUSES."""
    text = os.environ.get(PAUSES_ENV, "").strip()
    if not text:
        return DEFAULT_PAUSES
    try:
        return tuple(max(0.0, float(p)) for p in text.split(",") if p.strip())
    except ValueError:
        return DEFAULT_PAUSES


def sent_values(module, item) -> dict[str, str]:
    """What a work item's write sends that identifies its record in Zoho: its key, its display
    name, its document number (only those it has). Nothing else, so nothing secret."""
    payload = item.payload or {}
    values = {"key": item.key, "name": item.name or payload.get(module.name_field or ""),
              "number": payload.get(module.number_field) if module.number_field else None}
    return {k: str(v).strip() for k, v in values.items() if v not in (None, "") and str(v).strip()}


@dataclass
class Finding:
    """What a check found. `state`: "found" (`record`), "absent" (not applied, or not yet),
    "cannot" (nothing to check by), "ambiguous" (several `records` match), "other" (a
    create's name or number is held by a `record` with other values: not this write's) or
    "stopped" (the run was stopped before the pauses were waited out: nothing is settled).
    `how` says by
    what it was looked up, for messages ("by its name 'Pen'")."""

    state: str
    record: dict | None = None
    records: list = field(default_factory=list)
    how: str = ""

    @property
    def found(self) -> bool:
        return self.state == "found"


class Checker:
    """Looks up, in Zoho, the record a write whose answer never came may have made.

    `mode` and `key_field` are the run's; `records` its FullRecords (for the custom key's
    field). `pauses` is the schedule of `wait`; `stop` (the run's stop event: Ctrl-C) cuts
    its pauses short; `sleep` and `clock` are replaceable in tests.

    Example:
        finding = Checker(client, module, mode=Mode.CREATE).wait({"name": "Pen"}, since=time.time())
    """

    def __init__(self, client, module, *, mode: str = Mode.CREATE, key_field: str | None = None,
                 records: FullRecords | None = None, pauses: tuple[float, ...] | None = None,
                 sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.time,
                 stop: threading.Event | None = None):
        self.client = client
        self.module = module
        self.mode = mode
        self.key_field = key_field
        self.records = records
        self.pauses = default_pauses() if pauses is None else tuple(pauses)
        self._sleep = sleep
        self._clock = clock
        self._stop = stop

    def wait(self, sent: Mapping[str, Any], *, since: float, payload: dict | None = None,
             target_id: str | None = None, pauses: tuple[float, ...] | None = None) -> Finding:
        """`look`, then again after each pause counted from `since` (when the write went out)
        while the record is absent; a pause already past costs nothing, so settling an old
        write is one look. A stop during a pause ends it: "stopped", the write still open."""
        finding = self.look(sent, payload=payload, target_id=target_id)
        at = 0.0
        for pause in self.pauses if pauses is None else pauses:
            at += pause
            if finding.state != "absent":
                break
            left = since + at - self._clock()
            if left > 0:
                if self._pause(left):
                    return Finding("stopped", how=finding.how)
                finding = self.look(sent, payload=payload, target_id=target_id)
        return finding

    def _pause(self, seconds: float) -> bool:
        """Sleep `seconds`, or less when the run is stopped; whether it was stopped."""
        if self._stop is None:
            self._sleep(seconds)
            return False
        return self._stop.wait(seconds)

    def look(self, sent: Mapping[str, Any], *, payload: dict | None = None,
             target_id: str | None = None) -> Finding:
        """One check. With `target_id` (a write to a known record) the record is read and is
        "found" only when it holds what `payload` sent; else it is looked up by key, name or
        number, and is found only with the values `payload` sent, when given: in create mode
        a record that holds the name with other values is "other" (Zoho keeps names and
        numbers unique, so this create cannot have made it: it was there before)."""
        if target_id:
            return self._by_id(str(target_id), payload)
        found, how = self._candidates(sent)
        if found is None:
            return Finding("cannot")
        if len(found) > 1:
            return Finding("ambiguous", records=found, how=how)
        if not found:
            return Finding("absent", how=how)
        if payload is None:
            return Finding("found", found[0], how=how)
        finding = self._by_id(str(found[0].get(self.module.id_field)), payload, how)
        if self.mode == Mode.CREATE and finding.state == "absent" and finding.record is not None:
            return Finding("other", finding.record, how=how)
        return finding

    def _by_id(self, record_id: str, payload: dict | None, how: str = "") -> Finding:
        try:
            record = self.client.get_record(self.module, record_id)
        except NotFoundError:
            return Finding("absent", how=how or f"by its id {record_id}")
        applied = payload is None or not mapper.changed_fields(self.module, payload, record)
        return Finding("found" if applied else "absent", record, how=how or f"by its id {record_id}")

    def _candidates(self, sent: Mapping[str, Any]) -> tuple[list[dict] | None, str]:
        """The records holding the write's identifying values (None: it has none)."""
        key = sent.get("key")
        custom = is_custom_key(self.module, self.key_field)  # in create mode too: no list shows it
        if key and self.key_field and not custom:
            return self._listed(self.key_field, key), f"by its {self.key_field} {key!r}"
        for what, field_name in (("name", self.module.name_field), ("number", self.module.number_field)):
            value = sent.get(what)
            if value and field_name:
                found = self._listed(field_name, value)
                if custom and key:
                    found = [r for r in found if normal_key(self._key_of(r)) == normal_key(key)]
                return found, f"by its {field_name} {value!r}"
        if custom and key:
            return self._by_custom_key(key), f"by its {self.key_field} {key!r}"
        return None, ""

    def _listed(self, field_name: str, value: str) -> list[dict]:
        """The records whose `field_name` is `value`. The list is filtered by Zoho only where
        its OpenAPI file documents that filter (items document `name`, not `sku`); otherwise
        it is read whole and compared here."""
        wanted = normal_key(value)
        documented = field_name in (self.module.list_filters or ())
        params = {field_name: value} if documented else {}
        return [r for r in self.client.iter_records(self.module, params)
                if normal_key(r.get(field_name)) == wanted]

    def _key_of(self, record: dict) -> str | None:
        full = record if records.shows_custom_fields(record) else self.client.get_record(
            self.module, str(record.get(self.module.id_field)))
        return records.key_of(full, self.module.field(self.key_field) or self.key_field)

    def _by_custom_key(self, key: str) -> list[dict]:
        """The module listed afresh (the run's list was read before the write) by the key."""
        fresh = FullRecords(self.client, self.module, self.records.memory if self.records else None)
        index = fresh.index(self.key_field)
        probe = type("Probe", (), {"record_id": None, "key": key})()
        fresh.settle_keys([probe])
        found = index.by_key.get(index.normal(key))
        twins = index.twins_of(key)
        if twins:
            return [index.by_id[t] for t in twins if t in index.by_id]
        return [found] if found is not None else []


def settle_journal(journal, items, checker: Checker, *, keyed: bool) -> list:
    """Settle first, then bind: every create of an earlier run that went out without an
    answer (`sending`) is checked in Zoho by the identifying values it sent, before any row of
    the (maybe changed) file is considered; then the file's rows are bound to the entries
    (journal.rebase: by key when `keyed`, else by content). Returns the entries no row stands
    for (to be reported). A write by key or id is left to be resent: sending it twice does no
    harm. A lookup that fails leaves its entry `sending`, for the runner to check again."""
    from bulkio.errors import ApiError
    from bulkio.run.journalmatch import RowSig

    items = list(items)
    if not keyed:
        by_hash: dict[str, Any] = {}
        for item in items:
            by_hash.setdefault(item.payload_hash, item)
        for entry in journal.all_entries():
            if entry.status != JournalState.SENDING or entry.record_id:
                continue
            try:
                settle_entry(journal, entry, checker, by_hash.get(entry.payload_hash))
            except ApiError:
                continue
    rows = [RowSig(i.row, i.payload_hash, i.key, sent_values(checker.module, i)) for i in items]
    return journal.rebase(rows, keyed=keyed)


def settle_entry(journal, entry, checker: Checker, item=None) -> Finding:
    """Check one create that went out without an answer and journal what was found: created
    (with its id), not applied (the entry is dropped), or unknown (with what to check). `item`:
    a row of the same content, whose values stand in for an entry of the older schema that
    kept none, and whose payload the record must hold (a record that held the name before,
    with other values, is "other": not applied, the entry is dropped and Zoho refuses the
    row when it is sent)."""
    sent = entry.sent or (sent_values(checker.module, item) if item is not None else {})
    same = item is not None and item.payload_hash == entry.payload_hash
    finding = checker.wait(sent, since=entry.updated_at, payload=item.payload if same else None)
    if finding.found:
        journal.settle(entry, Status.CREATED, id_of(finding.record, checker.module), message=(
            f"no answer came to an earlier run's write; bulkio checked Zoho {finding.how} and "
            f"found the {checker.module.singular} there, so it was not sent again"))
    elif finding.state in ("absent", "other"):
        journal.settle(entry, None)
    elif finding.state != "stopped":  # stopped: still `sending`, the next run checks again
        journal.settle(entry, Status.UNKNOWN, message=unknown_message(checker.module, finding, sent,
                                                                 item.payload if item else {}))
    return finding


def unknown_message(module, finding: Finding, sent: Mapping[str, Any], payload: Mapping[str, Any],
                    reason: str = "") -> str:
    """What a person reads for a write whose answer never came and that bulkio cannot settle:
    what to look for in Zoho, and how to have the row sent again."""
    why = f" ({reason})" if reason else ""
    resend = ("if it is not there, run the same command with --resend-unknown to send this row "
              "again; until then bulkio does not send it, so that it cannot make a duplicate")
    if finding.state == "ambiguous":
        ids = ", ".join(str(id_of(r, module)) for r in finding.records)
        return (f"the write went out but no answer came{why}, and {len(finding.records)} "
                f"{module.plural} in Zoho match it {finding.how} (ids {ids}): look at them in "
                f"Zoho and delete the one this row made twice, if any; {resend}")
    return (f"the write went out but no answer came{why}, and nothing identifies the "
            f"{module.singular} to check it ({_unnamed(module)}): look in Zoho for "
            f"{with_article(module.singular)} {describe(payload)}; {resend}")


def with_article(noun: str) -> str:
    """"an invoice", "a contact"."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


#: payload fields that help a person find a record by eye (ids say nothing to a person: the
#: report row beside the message shows the customer or vendor by name)
_HINT_FIELDS = ("customer_name", "vendor_name", "date", "reference_number", "sku", "email",
                "company_name")
_PARTY = (("customer_id", "customer"), ("vendor_id", "vendor"))


def describe(payload: Mapping[str, Any]) -> str:
    """A few of the values the row sent, to find its record by ("for this row's customer,
    with date '2026-01-05'")."""
    shown = [f"{k} {payload[k]!r}" for k in _HINT_FIELDS if payload.get(k) not in (None, "")]
    party = next((f"for this row's {who}" for k, who in _PARTY
                  if payload.get(k) and not payload.get(k.replace("_id", "_name"))), "")
    hints = ", ".join(([party] if party else []) + (["with " + ", ".join(shown[:3])] if shown else []))
    return hints or "made at the time of the earlier run"


def _unnamed(module) -> str:
    if module.number_field:
        return f"no {module.number_field}: Zoho numbers it"
    return f"no {module.name_field or 'name'}"


