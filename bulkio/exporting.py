"""Export: page through a Zoho module and write a spreadsheet that `bulkio import` reads back.

Every value is written in a form validation accepts and that compares equal to what Zoho holds,
so `import --skip-unchanged` on an untouched export sends nothing: numbers as numbers, dates as
date cells (XLSX) or yyyy-mm-dd (CSV), check boxes as TRUE/FALSE, ids and codes as text (leading
zeros kept), dropdowns as their option text. Headers are the names the column matcher knows:
each field's label (custom fields by their label, `CF.<label>` when a standard field has it).
Read-only columns (status, created_time...) are exported; the matcher leaves them out silently.

Text is never a live formula: XLSX text cells are strings (data_type "s"), CSV text cells pass
through `formulas.guard_cell`, which the importer undoes with `formulas.unguard_frame`.

Documents (invoices, bills...): XLSX gets a header sheet and a "Line Items" sheet joined by the
document key; CSV gets one row per line with the header values repeated (`line_layout="rows"`
gives that layout in XLSX too).
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path
from typing import Any

from bulkio.prepare.columns import field_index, field_keys
from bulkio.run.existing import FullRecords
from bulkio.run.memory import RecordMemory, scope_of
from bulkio.errors import ConfigError
from bulkio.prepare.formulas import guard_cell, needs_guard
from bulkio.catalogue.modules import DOCUMENTED_FILTERS, Field, Module, header_key
from bulkio.readers.cells import number_text
from bulkio.zoho.protocol import Client

SUFFIXES = (".xlsx", ".csv")
LINES_SHEET = "Line Items"
NUMBER_TYPES = frozenset({"number", "decimal", "amount", "percent"})
TEXT_FORMAT = "@"
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "amount": "#,##0.00", "number": "0"}
MIN_WIDTH, MAX_WIDTH = 8, 50
LAST_ROW = 1_048_576
INLINE_LIST_MAX = 255  # Excel's limit for a list typed into the validation itself
LISTS_SHEET = "Lists"
CHECK_VALUES = ("TRUE", "FALSE")
READ_ONLY_FILL = "D9D9D9"
READ_ONLY_NOTE = ("Read-only: Zoho sets it. bulkio import leaves this column out, so an edit here "
                  "changes nothing in Zoho.")
ID_NOTE = ("Zoho's id of the {thing}: bulkio import uses it to find the record to update. Leave it "
           "as it is, and empty on a new row.")
SAMPLE_ROWS = 200  # records read before writing starts: column widths come from them

LIST_OPTIONS = ("filter_by", "search_text", "sort_column", "sort_order")
FILTER_SUFFIXES = ("_startswith", "_contains", "_less_than", "_less_equals", "_greater_than",
                   "_greater_equals", "_start", "_end", "_before", "_after")
PAGING = ("page", "per_page", "organization_id")


@dataclass(frozen=True)
class ExportResult:
    """What an export wrote: records (documents count once), API calls made, the file."""

    rows: int
    calls: int
    path: Path
    columns: tuple[str, ...] = ()
    lines: int = 0


@dataclass(frozen=True)
class Column:
    """One exported column: its header and the field (header or line level) it holds."""

    header: str
    field: Field


def export_module(client: Client, module: Module | str, path, filters=None, columns=None,
                  on_progress: Callable[[int], None] | None = None, *,
                  line_layout: str | None = None) -> ExportResult:
    """Write every record of `module` (matching `filters`) to `path` (.xlsx or .csv).

    `module`: a Module already merged with the organisation's custom fields, or a name (then
    `fields.load_fields` asks Zoho for them). `filters`: Zoho list filters as a mapping or as
    "FIELD=VALUE" strings. `columns`: labels or api names to export (the id and key columns are
    always added). `on_progress(records_read)` is called as records arrive. `line_layout`:
    "sheets" (XLSX default for documents) or "rows" (CSV's layout: one row per line).

    Example: export_module(client, "items", "items.xlsx", filters=["name_startswith=Desk"])
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigError(f"-o {path.name}: bulkio exports .xlsx or .csv files; end the name with one")
    if not isinstance(module, Module):
        from bulkio.catalogue.fields import load_fields  # a name: ask the organisation for its custom fields

        module = load_fields(client, module)
    params = filter_params(module, filters)
    header, lines = export_columns(module, columns)
    layout = line_layout or ("sheets" if suffix == ".xlsx" else "rows")
    if layout not in ("sheets", "rows"):
        raise ConfigError(f'line_layout "{layout}": use "sheets" or "rows"')
    reads_before = _reads(client)
    records = _progress(_iter_full_records(client, module, params, header), on_progress)
    writer = write_xlsx if suffix == ".xlsx" else write_csv
    with _atomic(path) as temporary:
        count, line_count = writer(temporary, module, header, lines, records,
                                   split=bool(lines) and layout == "sheets")
    names = tuple(c.header for c in header) + tuple(c.header for c in lines)
    return ExportResult(count, _reads(client) - reads_before, path, names, line_count)


# ---------------------------------------------------------------------------------------------
# Filters


def filter_params(module: Module, filters) -> dict[str, str]:
    """Zoho list parameters from `--filter` values, checked against what the module documents.

    Accepts "FIELD=VALUE" strings or a mapping; FIELD is a documented filter name, optionally with
    a suffix (`name_startswith`, `rate_greater_than`, `date_start`), or a field label whose api
    name is one (`"Item Name=Desk"`). Raises ConfigError naming the filters that exist.
    """
    pairs = filters.items() if isinstance(filters, Mapping) else (_split_filter(f) for f in filters or ())
    documented = DOCUMENTED_FILTERS.get(module.name)
    params: dict[str, str] = {}
    for name, value in pairs:
        params[_filter_name(module, str(name).strip(), documented)] = str(value)
    return params


def _split_filter(text: str) -> tuple[str, str]:
    name, sep, value = str(text).partition("=")
    if not sep or not name.strip():
        raise ConfigError(f'--filter "{text}": write it as FIELD=VALUE, e.g. --filter name_startswith=Desk')
    return name.strip(), value.strip()


def _filter_name(module: Module, name: str, documented: tuple[str, ...] | None) -> str:
    if name in PAGING:
        raise ConfigError(f'--filter "{name}": bulkio pages through every record itself; leave it out')
    if name in LIST_OPTIONS:
        return name
    if documented is None:  # a module without a documented list (none today): trust the user
        return name
    base, suffix = _strip_suffix(name, documented)
    if base in documented:
        return base + suffix
    field = next((f for f in module.fields if header_key(base) in field_keys(f)), None)
    if field is not None and field.api_name in documented:
        return field.api_name + suffix
    raise ConfigError(
        f'--filter "{name}": Zoho documents no filter "{base}" for {module.name}; use one of '
        + ", ".join(documented + LIST_OPTIONS)
        + " (text filters also take _startswith or _contains; numbers _less_than, _greater_than...;"
        " dates _start or _end)")


def _strip_suffix(name: str, documented: tuple[str, ...]) -> tuple[str, str]:
    if name in documented:
        return name, ""
    for suffix in FILTER_SUFFIXES:
        if name.endswith(suffix) and name[: -len(suffix)]:
            return name[: -len(suffix)], suffix
    return name, ""


# ---------------------------------------------------------------------------------------------
# Columns


def export_columns(module: Module, wanted=None) -> tuple[list[Column], list[Column]]:
    """(header columns, line-item columns) to export, each headed as the importer matches it.

    Default: the id, the unique custom fields (keys), the writable standard fields, the other
    custom fields, then read-only fields; for documents every line field. `wanted` (labels or
    api names, a list or "a,b,c") narrows that; the id and key columns are always kept.
    """
    header = _ordered_header_fields(module)
    lines = list(module.line_fields) if module.is_document else []
    if wanted:
        header, lines = _select(module, header, lines, wanted)
    header_index = field_index(module.fields)
    line_index = field_index(module.line_fields)
    return ([Column(column_header(f, header_index), f) for f in header],
            [Column(column_header(f, line_index, blocked=header_index), f) for f in lines])


def _ordered_header_fields(module: Module) -> list[Field]:
    fields = [f for f in module.fields if f.active]
    by_api = {f.api_name: f for f in fields}
    first = [by_api[a] for a in (module.id_field,) if a in by_api] + [f for f in fields if f.custom and f.unique]
    rest = [f for f in fields if f not in first]
    return (first + [f for f in rest if not f.custom and not f.read_only]
            + [f for f in rest if f.custom] + [f for f in rest if not f.custom and f.read_only])


def _select(module: Module, header: list[Field], lines: list[Field], wanted) -> tuple[list, list]:
    names = [n.strip() for n in (wanted.split(",") if isinstance(wanted, str) else wanted)]
    always = [f for f in header if f.api_name == module.id_field or (f.custom and f.unique)]
    if module.is_document and module.number_field:
        always += [f for f in header if f.api_name == module.number_field and f not in always]
    chosen_header, chosen_lines = list(always), list[Field]()
    for name in filter(None, names):
        found = _find(name, header) or _find(name, lines)
        if found is None:
            raise ConfigError(f'--columns "{name}": {module.name} has no such field '
                              f"(see bulkio fields -m {module.name})")
        target = chosen_header if found in header else chosen_lines
        if found not in target:
            target.append(found)
    return chosen_header, chosen_lines


def _find(name: str, fields: list[Field]) -> Field | None:
    exact = next((f for f in fields if f.api_name == name), None)
    return exact or next((f for f in fields if header_key(name) in field_keys(f)), None)


def column_header(f: Field, index: dict[str, list[Field]], blocked: dict | None = None) -> str:
    """The header the column matcher maps to `f` alone: its label, else `CF.<label>` for a
    custom field, else its api name, else one of its aliases (when a custom field took the label)."""
    candidates = [f.label] + ([f"CF.{f.label}"] if f.custom else []) + [f.api_name, *f.aliases]
    for text in candidates:
        key = header_key(text)
        if [g.api_name for g in index.get(key, [])] == [f.api_name] and key not in (blocked or {}):
            return text
    return f.api_name


# ---------------------------------------------------------------------------------------------
# Values


def field_value(record: Mapping[str, Any], f: Field) -> Any:
    """The typed value of field `f` in a Zoho record: None, str, int, float, bool or date."""
    raw = custom_value(record, f) if f.custom else nested_value(record, f.path)
    return typed_value(f, raw)


def nested_value(record: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    """`record[a][b]`; a list on the way means its primary (else first) entry."""
    value: Any = record
    for part in path:
        if isinstance(value, list):
            value = next((v for v in value if isinstance(v, dict) and v.get("is_primary_contact")),
                         value[0] if value else None)
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def custom_value(record: Mapping[str, Any], f: Field) -> Any:
    """A custom field's raw value: custom_field_hash, a top-level cf_ key, or custom_fields."""
    for source in (record.get("custom_field_hash") or {}, record):
        if not isinstance(source, Mapping):
            continue
        for key in (f.api_name + "_unformatted", f.api_name):
            if key in source:
                return source[key]
    for entry in record.get("custom_fields") or ():
        if isinstance(entry, Mapping) and _names_field(entry, f):
            return entry.get("value")
    return None


def _names_field(entry: Mapping[str, Any], f: Field) -> bool:
    ids = {str(entry.get(k)) for k in ("customfield_id", "custom_field_id") if entry.get(k) not in (None, "")}
    if ids:
        return f.customfield_id in ids
    if entry.get("api_name"):
        return entry["api_name"] == f.api_name
    if entry.get("index") not in (None, "") and f.index is not None:
        return str(entry["index"]) == str(f.index)
    return header_key(entry.get("label") or "") == header_key(f.label)


def typed_value(f: Field, raw: Any) -> Any:
    """A raw JSON value as the cell value validation reads back equal; text when unsure."""
    if raw is None or raw == "" or raw == [] or raw == {}:
        return None
    if f.type in NUMBER_TYPES:
        return _number(raw)
    if f.type == "date":
        return _date(raw)
    if f.type == "check_box":
        return _flag(raw)
    return raw if isinstance(raw, str) else _text(raw)


def _number(raw: Any) -> Any:
    if isinstance(raw, bool):
        return _text(raw)
    try:
        number = float(str(raw).replace(",", "")) if isinstance(raw, str) else float(raw)
    except (TypeError, ValueError):
        return _text(raw)
    if number != number or number in (float("inf"), float("-inf")):
        return _text(raw)
    # 12.0 -> 12 keeps CSV text short; whole numbers beyond 2**53 are not exact as floats anyway
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _date(raw: Any) -> Any:
    if isinstance(raw, dt.date):
        return raw if not isinstance(raw, dt.datetime) else raw.date()
    try:
        return dt.date.fromisoformat(str(raw).strip()[:10])
    except ValueError:
        return _text(raw)


def _flag(raw: Any) -> Any:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    return {"true": True, "false": False}.get(text, _text(raw))


def _text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float):
        return number_text(raw)
    return str(raw)


def csv_text(value: Any) -> str:
    """A typed value as CSV cell text; text is guarded against formula injection."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return number_text(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return guard_cell(str(value))


# ---------------------------------------------------------------------------------------------
# Reading


#: items per "Bulk fetch item details" call; Zoho documents no maximum, so a modest one
ITEM_DETAILS_BATCH = 50


def _iter_full_records(client, module: Module, params: dict, header: list[Column]) -> Iterator[dict]:
    """The module's records, in list order, each as complete as the export needs.

    Zoho's list rows carry only what each module's list schema documents (no lines, for most
    modules no custom fields or addresses), so a row that lacks a column the export writes is
    read in full: items many at a time (GET /itemdetails), other records by id in a small
    pool, as many at once as the client lets fly. A record bulkio remembers (bulkio.run.memory),
    unchanged since, costs no read. A bounded window keeps memory flat.
    """
    wanted = _wanted_keys(module, header)
    memory = RecordMemory.open(scope_of(client), module.name)
    records = FullRecords(client, module, memory)
    try:
        rows = client.iter_records(module, params)
        if module.name == "items":
            yield from _with_item_details(client, records, rows, wanted)
        else:
            yield from _read_in_pool(client, records, rows, wanted)
    finally:
        memory.close()


def _wanted_keys(module: Module, header: list[Column]) -> set[str]:
    return {"custom_fields" if c.field.custom else c.field.path[0] for c in header}


def _with_item_details(client, records: FullRecords, rows: Iterable[dict], wanted: set[str]) -> Iterator[dict]:
    batch: list[dict] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= ITEM_DETAILS_BATCH:
            yield from _item_batch(client, records, batch, wanted)
            batch = []
    yield from _item_batch(client, records, batch, wanted)


def _item_batch(client, records: FullRecords, rows: list[dict], wanted: set[str]) -> list[dict]:
    full = {str(r["item_id"]): records.known(r) for r in rows}
    missing = [i for i, r in zip(full, rows) if full[i] is None and not records.row_shows(r, wanted)]
    if missing:
        for record in client.item_details(missing):
            records.remember(record)
            full[str(record.get("item_id"))] = record
    return [full.get(str(r["item_id"])) or r for r in rows]


def _read_in_pool(client, records: FullRecords, rows: Iterable[dict], wanted: set[str]) -> Iterator[dict]:
    def whole(row: dict) -> dict:
        known = records.known(row)
        if known is not None or records.row_shows(row, wanted):
            return known or row
        return records.read(row)

    workers = max(1, client.settings.max_in_flight)
    window: deque[Future] = deque()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="bulkio-export") as pool:
        try:
            for row in rows:
                window.append(pool.submit(whole, row))
                if len(window) >= 2 * workers:
                    yield window.popleft().result()
            while window:
                yield window.popleft().result()
        finally:
            for future in window:  # an early stop (an error, a closed generator) reads no more
                future.cancel()


def _progress(records: Iterable[dict], on_progress) -> Iterator[dict]:
    for count, record in enumerate(records, start=1):
        if on_progress is not None:
            on_progress(count)
        yield record


def _reads(client) -> int:
    return client.stats.reads


def _lines_of(module: Module, record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    lines = record.get(module.line_items_key or "") or []
    return [line for line in lines if isinstance(line, Mapping)]


# ---------------------------------------------------------------------------------------------
# Writing


def write_csv(path: Path, module: Module, header: list[Column], lines: list[Column],
              records: Iterable[dict], split: bool = False) -> tuple[int, int]:
    """One row per record, or per line item with the header values repeated (documents).

    UTF-8 with a BOM, so Excel opens accents right. Returns (records, line rows).
    """
    count = line_count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([guard_cell(c.header) for c in header + lines])
        for record in records:
            count += 1
            head = [csv_text(field_value(record, c.field)) for c in header]
            for line in _line_rows(module, record, lines):
                line_count += bool(lines)
                writer.writerow(head + [csv_text(field_value(line, c.field)) for c in lines])
    return count, line_count


def _line_rows(module: Module, record: Mapping[str, Any], lines: list[Column]) -> list[Mapping]:
    """The line items of a document (one empty line when it has none or lines are not exported)."""
    if not lines:
        return [{}]
    return _lines_of(module, record) or [{}]


def write_xlsx(path: Path, module: Module, header: list[Column], lines: list[Column],
               records: Iterable[dict], split: bool = False) -> tuple[int, int]:
    """A streamed (write-only) workbook: typed cells, bold frozen header, autofilter, widths.

    With `split` (documents), lines go to a second sheet joined by the key columns.
    Returns (records, line rows).
    """
    from openpyxl import Workbook

    records = iter(records)
    sample = list(islice(records, SAMPLE_ROWS))
    book = Workbook(write_only=True)
    lists = ChoiceLists(book, spill=False)  # an export's sheets stay the data (and Line Items)
    main_columns = header if split else header + lines
    main = _Sheet(book, module.title[:31] or "Export", main_columns, lists, _id_note(module))
    joins = _join_columns(module, header) if split else []
    line_sheet = _Sheet(book, LINES_SHEET, joins + lines, lists, _id_note(module)) if split else None
    sample_rows = [_rows_of(module, r, header, lines, split, joins) for r in sample]
    main.start([row for head_rows, _ in sample_rows for row in head_rows])
    if line_sheet:
        line_sheet.start([row for _, line_rows in sample_rows for row in line_rows])
    count = line_count = 0
    for record in chain(sample, records):
        count += 1
        head_rows, line_rows = _rows_of(module, record, header, lines, split, joins)
        for row in head_rows:
            main.append(row)
        if line_sheet is not None:  # line rows come only with the line sheet
            for row in line_rows:
                line_sheet.append(row)
        line_count += len(line_rows) if split else (len(head_rows) if lines else 0)
    main.finish()
    if line_sheet:
        line_sheet.finish()
    lists.finish()
    book.save(path)
    return count, line_count


def _id_note(module: Module) -> dict[str, str]:
    return {module.id_field: ID_NOTE.format(thing=module.singular or "record")} if module.id_field else {}


def _join_columns(module: Module, header: list[Column]) -> list[Column]:
    """The header columns that tie a line to its document: the unique keys and the number.

    The number too, because Zoho numbers every document while a key custom field is often
    empty (documents typed in Zoho, not imported): joined by the key alone, their lines would
    name no document and the importer would refuse the whole workbook.
    """
    keys = [c for c in header if c.field.custom and c.field.unique]
    number = [c for c in header if c.field.api_name == module.number_field]
    ids = [c for c in header if c.field.api_name == module.id_field]
    return keys + number or ids


def _rows_of(module, record, header, lines, split, joins) -> tuple[list[list], list[list]]:
    """(rows for the main sheet, rows for the line sheet) of one record, typed values."""
    head = [field_value(record, c.field) for c in header]
    if split:
        join = [field_value(record, c.field) for c in joins]
        return [head], [join + [field_value(line, c.field) for c in lines]
                        for line in _lines_of(module, record)]
    return [head + [field_value(line, c.field) for c in lines]
            for line in _line_rows(module, record, lines)], []


class _Sheet:
    """One write-only worksheet: widths and formats from a sample, then rows as they come.

    Read-only columns get a grey header and a comment saying edits there are not imported;
    dropdown and check-box columns get list validation with the values the importer accepts.
    """

    def __init__(self, book, title: str, columns: list[Column], lists: "ChoiceLists",
                 notes: Mapping[str, str] | None = None):
        self.sheet = book.create_sheet(title)
        self.columns = columns
        self.lists = lists
        self.notes = notes or {}
        self.rows = 0

    def start(self, sample: list[list]) -> None:
        from openpyxl.utils import get_column_letter

        for i, column in enumerate(self.columns, start=1):
            width = max([len(column.header) + 2] + [_display_width(row[i - 1]) for row in sample])
            self.sheet.column_dimensions[get_column_letter(i)].width = min(MAX_WIDTH, max(MIN_WIDTH, width))
        self.sheet.freeze_panes = "A2"
        self.sheet.append([self._header_cell(c) for c in self.columns])

    def append(self, values: list) -> None:
        self.sheet.append([self._cell(v, c.field) for v, c in zip(values, self.columns)])
        self.rows += 1

    def finish(self) -> None:
        from openpyxl.utils import get_column_letter

        if self.columns:
            self.sheet.auto_filter.ref = f"A1:{get_column_letter(len(self.columns))}{self.rows + 1}"
        for i, column in enumerate(self.columns, start=1):
            check = None if column.field.read_only else choice_validation(column.field, self.lists)
            if check is not None:
                letter = get_column_letter(i)
                check.add(f"{letter}2:{letter}{LAST_ROW}")  # rows a person adds below are checked too
                self.sheet.data_validations.append(check)

    def _header_cell(self, column: Column):
        from openpyxl.comments import Comment
        from openpyxl.styles import Font, PatternFill

        cell = _text_cell(self.sheet, column.header)
        note = self.notes.get(column.field.api_name)
        if note is None and column.field.read_only:
            note = READ_ONLY_NOTE
            cell.fill = PatternFill("solid", fgColor=READ_ONLY_FILL)
        cell.font = Font(bold=True, italic=note == READ_ONLY_NOTE)
        if note:
            cell.comment = Comment(note, "bulkio", width=300, height=90)
        return cell

    def _cell(self, value: Any, f: Field):
        if value is None:
            return None
        if isinstance(value, str):
            cell = _text_cell(self.sheet, value)
            cell.number_format = TEXT_FORMAT
            return cell
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(self.sheet, value=value)
        fmt = NUMBER_FORMATS.get(f.type) if not isinstance(value, bool) else None
        if isinstance(value, dt.date):
            fmt = NUMBER_FORMATS["date"]
        if fmt:
            cell.number_format = fmt
        return cell


class ChoiceLists:
    """Allowed values for list validation: typed into the validation when short, else a column
    of a hidden "Lists" sheet (Excel caps an inline list at 255 characters and splits options
    at commas). The sheet is written whole by `finish`, so write-only workbooks can use it.
    `spill=False` keeps the workbook's sheets as they are: long lists then get no validation."""

    def __init__(self, book, spill: bool = True):
        self.book = book
        self.spill = spill
        self.columns: list[list[str]] = []

    def formula(self, title: str, choices) -> str | None:
        """The validation's formula1 for `choices` (`title` heads their column on the sheet),
        or None when they do not fit inline and `spill` is off."""
        from openpyxl.utils import get_column_letter

        choices = [str(c) for c in choices]
        inline = ",".join(choices)
        if len(inline) <= INLINE_LIST_MAX and not any("," in c or '"' in c for c in choices):
            return f'"{inline}"'
        if not self.spill:
            return None
        self.columns.append([title, *choices])
        letter = get_column_letter(len(self.columns))
        return f"{LISTS_SHEET}!${letter}$2:${letter}${len(choices) + 1}"

    def finish(self) -> None:
        """Write the hidden sheet, when some list did not fit inline."""
        from itertools import zip_longest

        if not self.columns:
            return
        sheet = self.book.create_sheet(LISTS_SHEET)
        for values in zip_longest(*self.columns):
            sheet.append([None if v is None else _text_cell(sheet, v) for v in values])
        sheet.sheet_state = "hidden"


def choice_validation(f: Field, lists: ChoiceLists):
    """A list data validation holding the values `f` accepts (check boxes: TRUE, FALSE), or None."""
    from openpyxl.worksheet.datavalidation import DataValidation

    choices = CHECK_VALUES if f.type == "check_box" else f.values
    formula = lists.formula(f.label, choices) if choices else None
    if formula is None:
        return None
    check = DataValidation(type="list", formula1=formula, allow_blank=True)
    check.error = f"Choose one of the listed values for {f.label}."
    check.errorTitle = f.label[:32]
    check.showErrorMessage = True
    return check


def _text_cell(sheet, text: str):
    """A cell holding `text` as a string, never a formula, whatever it begins with."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"
    if needs_guard(text):
        cell.quotePrefix = True  # what Excel itself sets for '=...: stays text when edited
    return cell


def _display_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.date):
        return 12
    text = value if isinstance(value, str) else str(value)
    return len(text.split("\n", 1)[0]) + 2


class _atomic:
    """Write to a temporary file beside `path`, then move it into place (never half a file)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> Path:
        directory = self.path.parent if str(self.path.parent) else Path(".")
        if not directory.is_dir():
            raise ConfigError(f"-o {self.path}: the folder {directory} does not exist")
        try:
            handle, name = tempfile.mkstemp(prefix=f".{self.path.stem}.", suffix=self.path.suffix, dir=directory)
        except OSError as exc:
            raise _cannot_write(self.path, exc) from None
        os.close(handle)
        self.temporary = Path(name)
        return self.temporary

    def __exit__(self, kind, exc, tb) -> None:
        if kind is not None:
            self.temporary.unlink(missing_ok=True)
            return
        try:
            os.replace(self.temporary, self.path)
        except OSError as error:
            self.temporary.unlink(missing_ok=True)
            raise _cannot_write(self.path, error) from None


def _cannot_write(path: Path, exc: OSError) -> ConfigError:
    # a read-only folder or a file open in Excel (Windows locks it): say so, exit 2, no traceback
    return ConfigError(f"-o {path}: cannot write it ({exc.strerror or exc})")
