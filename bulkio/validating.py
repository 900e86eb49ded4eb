"""`validate`: check every row as `import` would and report every problem; nothing is written.

A file is prepared by the same `bulkio.preparing.Preparer` as `import` prepares it: whole, or,
for a file too large to hold whole, chunk by chunk. Whole, the table, every record and every
payload are held at once: about 500 MB for 100,000 rows of 20 columns, 4 GB for a million. In
chunks only one chunk (and the next, read ahead) is held; each chunk's report rows go straight
to the report and errors files, and the result keeps counts and the first problems only. The
report is the same either way: one row per input row, in input order, duplicate keys found
across chunks. Documents are always read whole: their rows group with their neighbours.

Example:
    result = run_validate(ImportOptions(Path("items.csv"), "items"), load_module("items"))
    result.counts["invalid"], result.files.report
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from bulkio.catalogue import Module, load_module
from bulkio.errors import ConfigError
from bulkio.importing import ImportResult
from bulkio.outcomes import RowOutcome, Status
from bulkio.preparing import (
    ImportOptions,
    Prepared,
    Preparer,
    prepare,
    read_chunks,
    report_rows,
    resolve_module,
    summary,
)
from bulkio.readers import CHUNK_ROWS, describe
from bulkio.run.preflight import check_report
from bulkio.sheets.report import ReportWriter, write_report
from bulkio.zoho.protocol import Client

LARGE_FILE_BYTES = 50 * 1024 * 1024  # ~210,000 rows of 20 columns: ~1 GB read whole
KEPT_PROBLEMS = 50  # problem rows kept for the screen (render.MAX_PROBLEMS); the rest are counted

T = TypeVar("T")


def run_validate(
    opts: ImportOptions, module: Module | None = None, *, on_warning: Callable[[str], None] | None = None,
    large_file_bytes: int | None = None, chunk_rows: int | None = None, client: Client | None = None,
) -> ImportResult:
    """Check every row and write the report; no write call is made. With a `client`, the
    names of documents (customers, items, taxes...) are looked up too, by reading. `module`
    defaults to `opts.module`, with the organisation's custom fields when there is a client.

    A file larger than `large_file_bytes` (default LARGE_FILE_BYTES) is read, checked and
    reported `chunk_rows` rows at a time (validate_streamed), documents excepted.
    """
    check_report(opts.report_path(), source=opts.path)
    module = resolve_module(opts.module, client) if module is None else module
    limit = LARGE_FILE_BYTES if large_file_bytes is None else large_file_bytes
    if not module.is_document and is_large(opts.path, limit):
        return validate_streamed(opts, module, on_warning=on_warning, chunk_rows=chunk_rows or CHUNK_ROWS)
    with _collector_paused():
        prep = prepare(opts, module, client, on_warning, payloads=False)
        rows = validated_rows(prep)
        files = write_report(opts.report_path(), rows, prep.frame,
                             summary=summary(opts, module, prep.key_api_name, Counter(r.status for r in rows), {}))
    return ImportResult(rows, files, warnings=prep.columns.warnings)


def validate_streamed(
    opts: ImportOptions, module: Module, *, chunk_rows: int = CHUNK_ROWS,
    keep_problems: int = KEPT_PROBLEMS, on_warning: Callable[[str], None] | None = None,
) -> ImportResult:
    """`run_validate` for a large file: the same report and errors file, written a chunk at a
    time. The result's `rows` holds only the first `keep_problems` invalid rows; `counts` (and
    so the exit code) covers every row.

    Example: validate_streamed(ImportOptions(Path("big.csv"), "items"), module, chunk_rows=50_000)
    """
    preparer = Preparer(opts, module, on_warning=on_warning, payloads=False)
    kept: list[RowOutcome] = []
    with ReportWriter(opts.report_path()) as writer:
        for chunk, last in _flag_last(read_chunks(opts.path, chunk_rows, opts.sheet)):
            prep = preparer.prepare(chunk, last=last)
            rows = validated_rows(prep)
            writer.add(rows, chunk)
            kept += [r for r in rows if r.status == Status.INVALID][: keep_problems - len(kept)]
        files = writer.close(summary=summary(opts, module, preparer.key_api_name, writer.counts, {}))
    return ImportResult(kept, files, warnings=preparer.warnings, tally=Counter(writer.counts))


def validated_rows(prep: Prepared) -> list[RowOutcome]:
    """The report rows of a validation: `valid` for every row that would be sent, the problems of the others."""
    return report_rows(prep, [RowOutcome(i.row, i.key, Status.VALID) for i in prep.passed()])


def is_large(path: Path, limit_bytes: int = LARGE_FILE_BYTES) -> bool:
    """True when `path` is too big to read whole: over `limit_bytes` on disk, a workbook counted
    at twice its size (zipped XML holds about twice the rows of a CSV of the same size)."""
    zipped = describe(path).kind == "xlsx"  # first: it says clearly what is wrong with the file
    return Path(path).stat().st_size * (2 if zipped else 1) > limit_bytes


def module_for_validate(name: str, make_client: Callable[[], Client], *,
                        needs_custom: bool) -> tuple[Module, str | None, Client | None]:
    """(module, note, client) to validate with: the organisation's custom fields (and, for
    documents, its names to look up) when a connection is configured; else the catalogue alone,
    with a note (or an error when -k needs the custom fields)."""
    try:
        client = make_client()
    except ConfigError as exc:
        if needs_custom:
            raise ConfigError(f"-k/--key names a custom field, so validate must read them from Zoho: {exc}") from exc
        return load_module(name), "no Zoho connection configured: custom fields and names are not checked", None
    return resolve_module(name, client), None, client


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off for the block. A whole file's rows are some million small
    objects that hold no cycles, and every collection walks all of them again: a tenth of the
    run. A chunked run keeps it on, so what each chunk leaves behind is freed as it goes."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _flag_last(items: Iterable[T]) -> Iterator[tuple[T, bool]]:
    """Each item with True for the last one, read one ahead."""
    it = iter(items)
    try:
        previous = next(it)
    except StopIteration:
        return
    for item in it:
        yield previous, False
        previous = item
    yield previous, True
