"""CSV/TSV/XLSX files -> DataFrames of text with spreadsheet row numbers.

Every cell is a `str` ("" when empty), exactly as written ("00123" stays, "NA" stays text);
a workbook number is its plain text ("123", "12.5", "0.125" under a percent format) unless
its format pads with zeros, as SKUs and ZIP codes do: 123 under "00000" reads "00123";
columns are the trimmed headers in file order; the index, named "row", is the row number a
person sees in the spreadsheet (header = 1 when it is the first row). Fully empty rows are
dropped. Types come later, from the field definitions in validation.

What the text alone cannot say travels in `frame.attrs` (read it with the functions below):
`cell_flags(frame)` marks the workbook cells that hold an Excel error (#N/A) or a formula whose
result was never saved; `delimiter_of(frame)` is the delimiter a text file was read with;
`read_notes(frame)` are warnings for the person (a hidden sheet read because --sheet named it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bulkio.errors import InputError
from bulkio.readers import delimited, detect, workbook
from bulkio.readers.cells import CellFlag, CellFlags, cell_text
from bulkio.readers.frame import Shaper

__all__ = ["CellFlag", "TableInfo", "cell_flags", "delimiter_of", "describe", "file_kind",
           "iter_tables", "read_notes", "read_table"]

CHUNK_ROWS = 50_000
TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab"}
BOOK_SUFFIXES = {".xlsx", ".xlsm"}
_FLAGS, _DELIMITER, _NOTES = "bulkio.cell_flags", "bulkio.delimiter", "bulkio.notes"


@dataclass(frozen=True)
class TableInfo:
    """How a file was read: for messages and the report."""

    path: Path
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sheets: tuple[str, ...] = ()
    sheet: str | None = None
    hidden: bool = False  # the sheet read is hidden in Excel (only --sheet reads one)


def cell_flags(frame: pd.DataFrame) -> dict[tuple[int, str], CellFlag]:
    """(row, column) -> CellFlag for the cells of `frame` whose text is no value: an Excel
    error (#N/A, #DIV/0!...) or a formula whose result was never saved. Empty for CSV."""
    return frame.attrs.get(_FLAGS) or {}


def delimiter_of(frame: pd.DataFrame) -> str | None:
    """The delimiter the text file of `frame` was read with (None for a workbook)."""
    return frame.attrs.get(_DELIMITER)


def read_notes(frame: pd.DataFrame) -> tuple[str, ...]:
    """Warnings about how `frame` was read, for the person (e.g. a hidden sheet was read)."""
    return frame.attrs.get(_NOTES, ())


def file_kind(path) -> str:
    """"xlsx" or "csv" (CSV and TSV), from the name alone; InputError for other files."""
    return _kind(_existing(path))


def describe(
    path, sheet: str | int | None = None, encoding: str | None = None, delimiter: str | None = None
) -> TableInfo:
    """Detect the encoding and delimiter of a text file, or the sheets of a workbook.

    >>> describe("orders.csv").delimiter
    ';'
    """
    path = _existing(path)
    kind = _kind(path)
    if kind == "xlsx":
        workbook.check_workbook(path)
        entries = workbook.sheet_entries(path)
        hidden = {e.name for e in entries if e.hidden}
        names = [e.name for e in entries]
        chosen = workbook.resolve_sheet(names, sheet, path.name, hidden)
        return TableInfo(path, kind, sheets=tuple(names), sheet=chosen, hidden=chosen in hidden)
    sample = _sample(path)
    if not sample.strip(b"\x00\r\n\t \xef\xbb\xbf\xff\xfe"):
        raise InputError(f"{path.name}: the file is empty")
    advice = detect.binary_advice(path)
    if advice:
        raise InputError(f"{path.name}: {advice}")
    encoding = encoding or detect.detect_encoding(sample, complete=len(sample) < detect.SAMPLE_BYTES)
    if delimiter is None:
        if path.suffix.lower() in {".tsv", ".tab"}:
            delimiter = "\t"
        else:
            delimiter = detect.detect_delimiter(detect.decode_sample(sample, encoding))
    return TableInfo(path, kind, encoding=encoding, delimiter=delimiter)


def read_table(
    path, sheet: str | int | None = None, encoding: str | None = None, delimiter: str | None = None
) -> pd.DataFrame:
    """The whole table of a CSV/TSV/XLSX file.

    >>> df = read_table("items.xlsx", sheet="Items")
    >>> df.loc[2, "SKU"]          # first data row under the header in row 1
    '00123'
    """
    chunks = list(_iter(path, sheet, encoding, delimiter, chunk_rows=None))
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks)


def iter_tables(
    path,
    chunk_rows: int = CHUNK_ROWS,
    sheet: str | int | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> Iterator[pd.DataFrame]:
    """The table in chunks of at most `chunk_rows` rows (before empty rows are dropped).

    Every chunk has the same columns; row numbers continue. A column without a header that
    is empty in the first chunk is left out; if it holds data later, InputError says where.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    yield from _iter(path, sheet, encoding, delimiter, chunk_rows)


def _iter(path, sheet, encoding, delimiter, chunk_rows) -> Iterator[pd.DataFrame]:
    info = describe(path, sheet=sheet, encoding=encoding, delimiter=delimiter)
    flags: dict[tuple[int, int], CellFlag] = {}   # the workbook reader fills it as it reads
    raw = (_xlsx_chunks(info, chunk_rows, flags) if info.kind == "xlsx"
           else _csv_chunks(info, chunk_rows))
    notes = (f"sheet '{info.sheet}' of {info.path.name} is hidden in Excel; it is read because "
             "--sheet names it",) if info.hidden else ()
    yielded = False
    for shaper, chunk in raw:
        table = shaper.shape(chunk)
        if len(table) or not yielded:
            yielded = True
            table.attrs.update({_FLAGS: _named_flags(flags, shaper, table), _NOTES: notes,
                                _DELIMITER: info.delimiter})
            yield table


def _named_flags(flags: dict[tuple[int, int], CellFlag], shaper: Shaper,
                 table: pd.DataFrame) -> CellFlags:
    """The flags of `table`'s rows, by (row, column name) of the columns kept."""
    named = CellFlags()
    if flags:
        rows = set(table.index.tolist())
        for (row, pos), flag in flags.items():
            name = shaper.column_name(pos)
            if row in rows and name is not None:
                named[(row, name)] = flag
    return named


def _csv_chunks(info: TableInfo, chunk_rows):
    header_row, header = delimited.find_header(info.path, info.encoding, info.delimiter)
    shaper = Shaper(header, header_row, info.path.name, ragged_ok=False)
    for chunk in delimited.iter_raw_chunks(
        info.path, info.encoding, info.delimiter, len(header), chunk_rows
    ):
        yield shaper, chunk


def _xlsx_chunks(info: TableInfo, chunk_rows, flags: dict):
    sheet = workbook.read_sheet(info.path, info.sheet)
    rows = sheet.rows
    flags.update(sheet.flags)
    shaper = None
    for number, row in rows:
        texts = [cell_text(v).strip() for v in row]
        if any(texts):
            shaper = Shaper([cell_text(v) for v in row], number, info.path.name, ragged_ok=True)
            break
    if shaper is None:
        raise InputError(f"{info.path.name}: sheet '{info.sheet}' is empty (no header row)")
    batch, numbers = [], []
    # chunks span chunk_rows sheet rows, counted with the empty rows the reader skips
    end = None if chunk_rows is None else shaper.header_row + chunk_rows
    for number, row in rows:
        if end is not None and number > end:
            if batch:
                flags.update(sheet.flags)
                yield shaper, _grid(batch, numbers)
                batch, numbers = [], []
            end += -(-(number - end) // chunk_rows) * chunk_rows
        batch.append([v if type(v) is str else cell_text(v) for v in row])
        numbers.append(number)
    flags.update(sheet.flags)
    if batch or shaper.keep is None:
        yield shaper, _grid(batch, numbers)


def _grid(batch: list[list[str]], numbers: list[int]) -> pd.DataFrame:
    """Rows of cell texts as a frame whose columns are sheet positions. Dense when the rows
    mostly fill their width; else only the columns holding something, so that one far cell
    (XFD) costs one column, not sixteen thousand (every later step works column by column)."""
    width = max((len(r) for r in batch), default=0)
    index = pd.Index(numbers, dtype="int64")
    if width * len(batch) <= 2 * sum(len(r) for r in batch) + 256:
        padded = [r if len(r) == width else list(r) + [""] * (width - len(r)) for r in batch]
        return pd.DataFrame(padded, index=index, columns=range(width), dtype=str)
    found: dict[int, dict[int, str]] = {}
    for at, row in enumerate(batch):
        for pos, text in enumerate(row):
            if text:
                found.setdefault(pos, {})[at] = text
    columns = {pos: [cells.get(at, "") for at in range(len(batch))] for pos, cells in sorted(found.items())}
    return pd.DataFrame(columns, index=index, dtype=str)


def _existing(path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    return path


def _kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in BOOK_SUFFIXES:
        return "xlsx"
    if suffix in TEXT_SUFFIXES:
        return "csv"
    if suffix in (".xls", ".ods"):
        kind = detect.container_kind(path)
        advice = detect.CONTAINER_ADVICE["encrypted" if kind == "encrypted" else suffix[1:]]
        raise InputError(f"{path.name}: {advice}")
    raise InputError(f"{path.name}: unsupported file type '{suffix}'; use .csv, .tsv or .xlsx")


def _sample(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(detect.SAMPLE_BYTES)
    except OSError as exc:
        raise InputError(f"{path.name}: cannot open it ({exc.strerror})") from None
