"""`validate` for a file too large to hold whole: read, check and report it chunk by chunk.

The whole-file path (`pipeline.prepare`) holds the table, every record and every payload at
once: about 500 MB for 100,000 rows of 20 columns, 4 GB for a million. Here only one chunk (and
the next, read ahead) is held; each chunk's report rows go straight to the report and errors
files, and the result keeps counts and the first problems only. The report is the same as the
whole-file path writes: one row per input row, in input order, duplicate keys found across
chunks. Documents are not read this way: their rows group with their neighbours.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pandas as pd

from bulkio.prepare.columns import ColumnPlan, check_header_row, load_mapping, match_columns
from bulkio.prepare.mapper import PayloadBuilder
from bulkio.catalogue import Module
from bulkio.importing import ImportOptions, ImportResult, Prepared, _merge, _unguard, decimal_separator
from bulkio.readers import describe, file_kind, iter_tables
from bulkio.outcomes import RowOutcome, Status
from bulkio.sheets.report import ReportWriter
from bulkio.prepare.validation import ValidationResult, key_warnings, resolve_key, validate_frame

LARGE_FILE_BYTES = 50 * 1024 * 1024  # ~210,000 rows of 20 columns: ~1 GB read whole
CHUNK_ROWS = 50_000
KEPT_PROBLEMS = 50  # problem rows kept for the screen (render.MAX_PROBLEMS); the rest are counted
TOTAL_ROW = "E_TOTAL_ROW"

T = TypeVar("T")


def is_large(path: Path, limit_bytes: int = LARGE_FILE_BYTES) -> bool:
    """True when `path` is too big to read whole: over `limit_bytes` on disk, a workbook counted
    at twice its size (zipped XML holds about twice the rows of a CSV of the same size)."""
    zipped = describe(path).kind == "xlsx"  # first: it says clearly what is wrong with the file
    return Path(path).stat().st_size * (2 if zipped else 1) > limit_bytes


def validate_streamed(
    opts: ImportOptions, module: Module, *, chunk_rows: int = CHUNK_ROWS,
    keep_problems: int = KEPT_PROBLEMS, on_warning: Callable[[str], None] | None = None,
) -> ImportResult:
    """`run_validate` for a large file: the same report and errors file, written a chunk at a
    time. The result's `rows` holds only the first `keep_problems` invalid rows; `counts` (and
    so the exit code) covers every row.

    Example: validate_streamed(ImportOptions(Path("big.csv"), "items"), module, chunk_rows=50_000)
    """
    checker = _ChunkChecker(opts, module)
    kept: list[RowOutcome] = []
    with ReportWriter(opts.report_path()) as writer:
        for chunk, final in _flag_last(checker.chunks(chunk_rows)):
            rows = checker.report_rows(chunk, final)
            writer.add(rows, chunk)
            kept += [r for r in rows if r.status == Status.INVALID][: keep_problems - len(kept)]
            checker.announce(on_warning)
        files = writer.close(summary=checker.summary(writer))
    return ImportResult(kept, files, warnings=checker.warnings, tally=Counter(writer.counts))


@dataclass
class _ChunkChecker:
    """Reads, matches, checks and maps one chunk after another, carrying what must span them:
    the column plan (matched on the first chunk) and the keys seen so far."""

    opts: ImportOptions
    module: Module
    columns: ColumnPlan | None = None
    separator: str = "."
    seen_keys: dict[str, int] = field(default_factory=dict)
    announced: int = 0

    def __post_init__(self):
        self.mapping = load_mapping(self.opts.mapping) if self.opts.mapping else None
        options = self.mapping.options if self.mapping else {}
        self.date_format = self.opts.date_format or options.get("date_format")
        self.key_field = resolve_key(self.module, self.opts.key) if self.opts.key else None
        self.to_payload = PayloadBuilder(self.module, self.opts.effective_mode)

    @property
    def warnings(self) -> list[str]:
        return self.columns.warnings if self.columns else []

    def chunks(self, chunk_rows: int) -> Iterator[pd.DataFrame]:
        """The file's chunks as `pipeline.read_frame` reads it: CSV cells unguarded."""
        is_text = file_kind(self.opts.path) != "xlsx"
        for chunk in iter_tables(self.opts.path, chunk_rows=chunk_rows, sheet=self.opts.sheet):
            yield _unguard(chunk) if is_text else chunk

    def report_rows(self, chunk: pd.DataFrame, final: bool) -> list[RowOutcome]:
        """One report row per row of `chunk`, exactly as `run_validate` reports them."""
        if self.columns is None:
            self.columns = match_columns(list(chunk.columns), self.module, self.mapping)
            self.columns.warnings.extend(key_warnings(self.key_field))
            check_header_row(chunk, self.module, self.columns, self.mapping)
            self.separator = decimal_separator(self.opts, self.mapping, self.columns)
        validation = self._check(chunk, final)
        valid = []
        for record in validation.records:
            self.to_payload(record.values)  # mapping problems surface here, as in prepare()
            valid.append(RowOutcome(record.row, record.key, Status.VALID))
        key_api = self.key_field.api_name if self.key_field else None
        return _merge(Prepared(self.module, chunk, self.columns, validation, [], key_api), valid)

    def _check(self, chunk: pd.DataFrame, final: bool) -> ValidationResult:
        result = self._validate(chunk)
        if final or not any(e.code == TOTAL_ROW for e in result.errors):
            return result
        # validate_frame takes a frame's last row for the file's last one, where a "Total" row
        # sits; a chunk's last row is not. Checked alone it escapes that test (and a key it
        # repeats is still found: seen_keys holds the first row of each key).
        last = int(chunk.index[-1])
        alone = self._validate(chunk.iloc[-1:])
        return ValidationResult(
            [r for r in result.records if r.row != last] + alone.records,
            [e for e in result.errors if e.row != last] + alone.errors,
            (result.invalid_rows - {last}) | alone.invalid_rows,
            result.total_rows,
        )

    def _validate(self, frame: pd.DataFrame) -> ValidationResult:
        return validate_frame(frame, self.module, self.columns, key_field=self.key_field,
                              mode=self.opts.effective_mode, date_format=self.date_format,
                              seen_keys=self.seen_keys, decimal_separator=self.separator,
                              clear_marker=self.opts.clear_marker)

    def announce(self, on_warning: Callable[[str], None] | None) -> None:
        """Pass on the warnings not yet passed on (they come with the first chunk, mostly)."""
        fresh = self.warnings[self.announced:]
        self.announced += len(fresh)
        for warning in fresh:
            if on_warning:
                on_warning(warning)

    def summary(self, writer: ReportWriter) -> dict:
        """The facts of the report's summary sheet, as `pipeline._summary` gives them."""
        return {
            "file": str(self.opts.path),
            "module": self.module.name,
            "mode": self.opts.effective_mode,
            "key": self.key_field.api_name if self.key_field else "",
            "rows": writer.total,
            "statuses": dict(writer.counts),
            "calls": {},
            "finished": time.strftime("%Y-%m-%d %H:%M:%S"),
        }


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
