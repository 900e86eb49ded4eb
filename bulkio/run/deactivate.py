"""`import --deactivate-missing`: mark inactive the records whose key the file no longer holds.

A weekly catalogue upload retires the products that left the catalogue. Only modules whose
OpenAPI file documents "Mark as inactive" (module.inactive_path: items, contacts) take it, and
only with `-k`: "absent from the file" means "no row holds this key value".

Which records: the module's ACTIVE records (the list bulkio already reads, filter_by=Status.All,
whose rows carry `status` as the list-response schemas document) holding a non-empty key value
that no row of the file holds. A record with an empty key is never touched. A file with invalid
rows deactivates nothing: a row that failed validation may be the very product whose key would
otherwise count as absent (a typo in its price, say), and a broken file is the likeliest cause
of "many records missing". A run that stopped before its rows were all sent deactivates nothing
either: the same command again finishes the rows, then deactivates.

The calls go after the file's rows, through the client (its limiter), one at a time, each
journalled before it goes out and after its answer: a resumed run reports the ones done
without sending them again. Marking an inactive record inactive changes nothing, so a call
whose answer was lost is simply sent again when the record still lists as active.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bulkio.errors import ApiError, AuthError, ConfigError, OutcomeUnknown, QuotaExhausted
from bulkio.outcomes import E_NO_ANSWER, NO_ROW, JournalState, RowOutcome, Status
from bulkio.run.existing import FullRecords

#: more than this share of the active records holding a key: asked first (or --yes)
ASK_ABOVE = 0.1
#: keys the plan shows of the records to mark inactive
PLAN_KEYS = 5


@dataclass
class Missing:
    """The records `--deactivate-missing` would mark inactive: `todo` (record id, key) still
    to send, `done` journalled as marked inactive by an earlier run, out of `active` active
    records holding a key. `held_back` says why nothing is deactivated, when so."""

    todo: list[tuple[str, str]] = field(default_factory=list)
    done: list[tuple[str, str]] = field(default_factory=list)
    active: int = 0
    held_back: str = ""

    @property
    def share(self) -> float:
        """The share of the active records holding a key that would be marked inactive."""
        return len(self.todo) / self.active if self.active else 0.0

    @property
    def needs_consent(self) -> bool:
        """More than a tenth, and not begun in an earlier run (consented then)."""
        return not self.done and self.share > ASK_ABOVE

    def first_keys(self) -> list[str]:
        """The keys the plan shows."""
        return [key for _, key in self.todo[:PLAN_KEYS]]


def check_deactivation(module, key: str | None) -> None:
    """Refuse --deactivate-missing (exit 2, before anything is read or sent) for a module Zoho
    lets no one mark inactive, or without -k."""
    if not module.inactive_path:
        raise ConfigError(f"--deactivate-missing works for items and contacts only (Zoho can mark those "
                          f"inactive), not for {module.name}. Nothing was sent.")
    if not key:
        raise ConfigError("--deactivate-missing needs -k (the column that identifies each record): bulkio "
                          "marks inactive the records whose key is not in the file. Nothing was sent.")


def consent_refused(missing: Missing, module) -> str:
    """Why a run that would mark many records inactive did not start, and what to do."""
    return (f"Nothing was sent: {len(missing.todo):,} of the {missing.active:,} active {module.plural} holding a "
            f"key ({missing.share:.0%}, more than a tenth) would be marked inactive because their key is not in "
            "the file. Check the file is the whole catalogue; to go ahead, run the same command on a terminal "
            "and answer yes, or add --yes.")


def find_missing(records: FullRecords, key_field: str, file_keys: set[str], *, journal=None,
                 held_back: str = "") -> Missing:
    """The active records holding a key value not among `file_keys` (the file's key cells, as
    written and as validated). Reads the module's whole list (once per run) and, where a list
    row cannot show the key, the record itself (once).

    Example: find_missing(FullRecords(client, module), "sku", {"SKU-1", "SKU-2"})
    """
    journalled = dict(journal.deactivations()) if journal is not None else {}
    done = [(rid, key) for rid, (key, status) in journalled.items() if status == Status.DEACTIVATED]
    if held_back:
        return Missing(done=done, held_back=held_back)
    index = records.index(key_field)
    # sent by an earlier run whose answer was lost: the list shows whether it arrived
    done += [(rid, key) for rid, (key, status) in journalled.items()
             if status != Status.DEACTIVATED and rid in index.by_id and not _active(index.by_id[rid])]
    for rid, row in list(index.unknown.items()):
        if _active(row):
            index.add(row, index.key_of(records.read(row)) or "")
            index.unknown.pop(rid, None)
    present = {index.normal(k) for k in file_keys if str(k).strip()}
    finished = {rid for rid, _ in done}
    found = Missing(done=done)
    seen: set[str] = set()
    for normal, record in index.by_key.items():
        ids = index.twins.get(normal) or [str(record.get(index.id_field))]
        for rid in ids:
            held = index.by_id.get(rid, record)
            if rid in seen or not _active(held):
                continue
            seen.add(rid)
            found.active += 1
            if normal not in present and rid not in finished:
                found.todo.append((rid, index.key_of(held) or normal))
    return found


def _arrived(client, module, rid: str) -> bool:
    """Whether a mark whose answer was lost arrived: the record, read by id, is inactive."""
    try:
        return not _active(client.get_record(module, rid))
    except (ApiError, OutcomeUnknown):
        return False


def _active(row: dict) -> bool:
    # a row that does not say is taken as active: marking an inactive record costs a call, no harm
    return str(row.get("status") or "active").lower() == "active"


def deactivate(missing: Missing, *, client, module, journal, stop: threading.Event | None = None,
               dry_run: bool = False) -> tuple[list[RowOutcome], str | None]:
    """Mark `missing.todo` inactive one by one (none in a dry run); the report rows of every
    record concerned (done earlier ones included) and why sending stopped early, if it did
    ("quota", "auth", "interrupted")."""
    earlier = "marked inactive by an earlier run of this import (its key is not in the file)"
    rows = [RowOutcome(NO_ROW, key, Status.DEACTIVATED, rid, None, earlier) for rid, key in missing.done]
    if dry_run:
        return rows + [RowOutcome(NO_ROW, key, Status.WOULD_DEACTIVATE, rid, None,
                                  "would be marked inactive: its key is not in the file")
                       for rid, key in missing.todo], None
    stopped = None
    for rid, key in missing.todo:
        if stopped is None and stop is not None and stop.is_set():
            stopped = "interrupted"
        if stopped:
            rows.append(RowOutcome(NO_ROW, key, Status.SKIPPED, rid, None,
                                   "not marked inactive: the run stopped first; run the same command again"))
            continue
        outcome, stopped = _one(client, module, journal, rid, key)
        rows.append(outcome)
    return rows, stopped


def _one(client, module, journal, rid: str, key: str) -> tuple[RowOutcome, str | None]:
    """One record marked inactive, journalled before the call and after its answer."""
    journal.mark_deactivation(rid, key, JournalState.SENDING)
    try:
        client.mark_inactive(module, rid)
    except QuotaExhausted:
        return RowOutcome(NO_ROW, key, Status.SKIPPED, rid, None,
                          "not marked inactive: the daily API quota is used up; run the same command "
                          "again after it resets"), "quota"
    except AuthError as exc:
        return RowOutcome(NO_ROW, key, Status.SKIPPED, rid, None,
                          f"not marked inactive: Zoho refused bulkio's access ({exc.message})"), "auth"
    except OutcomeUnknown:
        if not _arrived(client, module, rid):
            return RowOutcome(NO_ROW, key, Status.FAILED, rid, E_NO_ANSWER,
                              "sent to be marked inactive, but no answer came and Zoho still shows it "
                              "active; run the same command again (marking it twice does no harm)"), None
    except ApiError as exc:
        return RowOutcome(NO_ROW, key, Status.FAILED, rid, str(exc.code or exc.status),
                          f"could not be marked inactive: {exc.message}"), None
    journal.mark_deactivation(rid, key, Status.DEACTIVATED)
    return RowOutcome(NO_ROW, key, Status.DEACTIVATED, rid, None,
                      "marked inactive: its key is not in the file"), None
