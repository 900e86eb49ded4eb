"""Resuming a run: the earlier run's unanswered creates settled in Zoho, the file's rows bound
to the journal by key or content (never by row number), and a warning for each entry no row of
the file stands for now."""

from __future__ import annotations

import threading

from bulkio.modes import Mode
from bulkio.outcomes import JournalState, Status
from bulkio.run.existing import FullRecords
from bulkio.run.inputs import RunOptions
from bulkio.run.journal import Journal
from bulkio.run.journalentry import JournalEntry
from bulkio.run.settle import Checker, settle_journal, with_article


def prepare_resume(items, *, client, module, journal: Journal | None, options: RunOptions,
                   records: FullRecords | None = None,
                   stop_event: threading.Event | None = None) -> list[str]:
    """Settle the journal's unanswered creates in Zoho and bind the file's rows to its entries
    (settle.settle_journal), before the plan counts what is left; warnings about entries no
    row of the file stands for. `run_rows` does it too (a second time costs nothing).
    `stop_event` (Ctrl-C) cuts the checks' pauses short and leaves their entries open.

    Example: warnings = prepare_resume(items, client=client, module=module, journal=journal,
                                       options=RunOptions(mode=Mode.CREATE))
    """
    if journal is None or options.dry_run:
        return []
    checker = Checker(client, module, mode=options.mode, key_field=options.key_field,
                      records=records, pauses=options.check_pauses, stop=stop_event)
    orphans = settle_journal(journal, items, checker, keyed=options.mode != Mode.CREATE)
    return [orphan_warning(module, entry) for entry in orphans]


def orphan_warning(module, entry: JournalEntry) -> str:
    """One line about a journal entry whose record no row of the file stands for now."""
    sent = entry.sent or {}
    named = list(dict.fromkeys(str(sent[k]) for k in ("name", "number", "key") if sent.get(k)))
    what = (f"the {module.singular} {' / '.join(repr(v) for v in named)}" if named
            else f"{with_article(module.singular)} without {with_article(_identity_noun(module))}")
    if entry.status in (JournalState.SENDING, Status.UNKNOWN):
        return (f"An earlier run sent {what} and no answer came; no row of the file has its "
                f"content now, so it is not sent again: check in Zoho whether it is there. "
                f"{entry.message or ''}").strip()
    told = (f"An earlier run {entry.status} {what} (Zoho id {entry.record_id}); no row of the "
            "file has its content or its identifying values now, so nothing was sent for it (the "
            "journal does not apply it to another row).")
    if named:
        return f"{told} If its row was removed on purpose, nothing needs doing."
    return (f"{told} If you changed that row rather than removed it, this run sends the changed "
            f"row as a new {module.singular}: without {with_article(_identity_noun(module))} bulkio cannot "
            f"tell a changed row from a new one. Then delete the older one (id {entry.record_id}) "
            f"in Zoho; to change {module.plural} already in Zoho, give each its "
            f"{_identity_noun(module)} and import with -k {module.number_field or module.name_field}.")


def _identity_noun(module) -> str:
    return (module.number_field or module.name_field or "key").replace("_", " ")
