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

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bulkio.catalogue import NUMBER_TYPES, Field, Module, header_key
from bulkio.catalogue.spelling import field_index, field_keys
from bulkio.errors import ConfigError
from bulkio.readers.cells import number_text
from bulkio.run.existing import FullRecords
from bulkio.run.memory import RecordMemory, scope_of
from bulkio.sheets.export import Column, ExportRecord, write_export
from bulkio.sheets.headers import column_header
from bulkio.zoho.protocol import Client
from bulkio.zoho.records import MISSING, raw_value

SUFFIXES = (".xlsx", ".csv")

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
    count, line_count = write_export(path, module, header, lines, _typed(module, records, header, lines),
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
    documented = module.list_filters
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


# ---------------------------------------------------------------------------------------------
# Values


def field_value(record: Mapping[str, Any], f: Field) -> Any:
    """The typed value of field `f` in a Zoho record: None, str, int, float, bool or date."""
    raw = raw_value(record, f)
    return typed_value(f, None if raw is MISSING else raw)


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
    missing = [i for i, r in zip(full, rows, strict=False) if full[i] is None and not records.row_shows(r, wanted)]
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


def _typed(module: Module, records: Iterable[dict], header: list[Column],
           lines: list[Column]) -> Iterator[ExportRecord]:
    """Each record's typed values, as the export file writes them: its header columns, and one
    list per line item when line columns are exported."""
    for record in records:
        items = [[field_value(line, c.field) for c in lines] for line in _lines_of(module, record)] if lines else []
        yield ExportRecord([field_value(record, c.field) for c in header], items)


def _lines_of(module: Module, record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    lines = record.get(module.line_items_key or "") or []
    return [line for line in lines if isinstance(line, Mapping)]
