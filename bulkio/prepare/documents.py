"""Documents with line items (invoices, bills, estimates, sales orders, purchase orders, credit
notes): spreadsheet rows -> one checked payload per document.

Three layouts are read (CONTRACT.md "Line items"):

- grouped rows: consecutive rows with the same document key (the -k field, else the document
  number column) form one document; header columns come from its first row, each row gives one
  line. A header cell of a later row must be empty or equal to the first row's. A row with
  line cells but an empty key and no header cell is a line that lost its key (E_NO_KEY): it
  is never filled down, and the document above it is not sent either.
- a `line_items` column holding a JSON array of lines per row (api names or column labels as
  keys); each row is one document.
- a workbook with a header sheet and a line sheet ("Line Items", else the second sheet) joined
  by the document key/number column, as `bulkio export` writes it: `read_document_table` turns
  it into the JSON form, so everything after reading sees one of the two layouts above.

Every problem of a document is reported on its first row (the report has one row per
document); a problem found on another row or line says where. A document with any problem is
left out whole: nothing is sent for it. Lookup columns (Customer Name, Item Name, SKU, Tax
Name, Tax %, Account Name) become ids through `bulkio.prepare.lookups.LookupResolver`; an id column
given on the row wins without any lookup.

Updating a document replaces its line items in Zoho, so `guard_line_items` (reads Zoho) turns
an update that would change or delete lines Zoho holds into a failure unless
--replace-line-items.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from bulkio.prepare import mapper
from bulkio.prepare.columns import ColumnPlan, field_index
from bulkio.errors import InputError, RowError
from bulkio.run.existing import FullRecords
from bulkio.prepare.lookups import normalise
from bulkio.prepare.mapper import LINE_CUSTOM_KEY, build_payload, custom_field_entry, payload_hash, shape_for
from bulkio.catalogue import Field, Module, header_key
from bulkio.readers import cell_flags, read_table
from bulkio.readers import workbook
from bulkio.readers.cells import ERROR
from bulkio.prepare.rowerrors import message
from bulkio.outcomes import RowOutcome, Status
from bulkio.run.runner import WorkItem
from bulkio.prepare.validation import ValidationResult, column_flags, number_reading, resolve_key, type_column, validate_frame

LINES_SHEET = "Line Items"
SOURCE_KEY = "_source"   # where a line of a two-sheet workbook was, for messages
BOOK_SUFFIXES = (".xlsx", ".xlsm")
# A line needs one of these, else Zoho cannot tell what was sold.
ITEM_SOURCES = ("item_id", "item_name", "sku", "name", "description")
# Which of those a message about a line without an item names first: what people fill.
ITEM_COLUMN_ORDER = ("item_name", "sku", "item_id", "name", "description")
E_LINE_ITEMS = "E_LINE_ITEMS"
E_NO_KEY = "E_NO_KEY"


@dataclass
class DocumentBatch:
    """A file's documents, checked and mapped: what `pipeline.prepare` needs.

    `items`: one WorkItem per valid document (row = its first row, payload with line items).
    `errors`: every problem, each on its document's first row. `groups`: first row -> all the
    spreadsheet rows of that document. `validation`: the same as a ValidationResult over
    documents (records = valid documents' header values, total_rows = documents).
    """

    items: list[WorkItem]
    errors: list[RowError]
    groups: dict[int, list[int]]
    validation: ValidationResult


@dataclass
class _Line:
    """One line item before typing: its document, where it was (for messages: "" on the
    document's first row), api name -> (column as written, text), and JSON keys that are no
    line field (sent as they are)."""

    doc: int
    where: str
    cells: dict[str, tuple[str, str]]
    extra: dict[str, Any] = dataclass_field(default_factory=dict)
    values: dict[str, Any] = dataclass_field(default_factory=dict)
    row: int = 0   # the spreadsheet row of a line from line columns (0: from JSON)


def prepare_documents(frame: pd.DataFrame, module: Module, plan: ColumnPlan, *,
                      key_field: Field | str | None = None, mode: str = "create",
                      date_format: str | None = None, resolver=None,
                      decimal_separator: str | None = None,
                      clear_marker: str | None = None) -> DocumentBatch:
    """Group, check, look up and map the documents of `frame` (a reader's table).

    `resolver` (a `LookupResolver`) turns names into ids; without one (offline validation)
    lookup columns are left unresolved and their documents' payloads lack those ids.
    Raises ConfigError / MappingError as `validate_frame` does.

    Example:
        batch = prepare_documents(frame, module, plan, key_field="cf_order_ref",
                                  mode="upsert", resolver=LookupResolver(client))
    """
    key = resolve_key(module, key_field) if key_field is not None else None
    json_form = plan.line_items_column is not None
    groups, errors = group_rows(frame, module, plan, key, json_form=json_form)
    # a line without its document's key is reported alone, not checked as a document
    keyless = {e.row for e in errors if e.code == E_NO_KEY}
    documents = {first: rows for first, rows in groups.items() if first not in keyless}
    heads = frame.loc[list(documents)]
    validation = validate_frame(heads, module, plan, key_field=key, mode=mode,
                                date_format=date_format, decimal_separator=decimal_separator,
                                clear_marker=clear_marker)
    # a repeated key is reported by group_rows, in words that fit documents
    errors += [e for e in validation.errors if e.code != "E_DUPLICATE_KEY"]
    if not json_form:
        errors += header_mismatches(frame, plan, documents)
    lines, line_errors = collect_lines(frame, module, plan, documents)
    errors += line_errors
    errors += type_lines(lines, module, date_format, number_reading(decimal_separator, plan, frame),
                         clear_marker or plan.options.get("clear_marker"), cell_flags(frame))
    unreadable = {e.row for e in line_errors}
    errors += [e for e in _missing_lines(module, plan, documents, lines, mode)
               if e.row not in unreadable]
    early = {e.row for e in errors}
    records = [r for r in validation.records if r.row not in early]
    resolved: dict[int, dict[str, Any]] = {}
    if resolver is not None:
        errors += _resolve_headers(module, plan, validation.records, resolver, resolved)
        errors += _resolve_lines(module, lines, resolver)
    invalid = {e.row for e in errors}
    by_doc: dict[int, list[_Line]] = {}
    for line in lines:
        by_doc.setdefault(line.doc, []).append(line)
    items = [_work_item(module, r, resolved.get(r.row, {}), by_doc.get(r.row, []), mode)
             for r in records if r.row not in invalid]
    errors.sort(key=lambda e: e.row)
    result = ValidationResult([r for r in records if r.row not in invalid], errors, invalid,
                              len(groups))
    return DocumentBatch(items, errors, groups, result)


# ---------------------------------------------------------------------------------------------
# Grouping


def group_column(module: Module, plan: ColumnPlan, key: Field | None) -> str | None:
    """The column whose value identifies a document: the -k key's, else the number's."""
    for api in ([key.api_name] if key else []) + [module.number_field or ""]:
        columns = plan.columns_for(api) if api else []
        if columns:
            return columns[0]
    return None


def group_rows(frame: pd.DataFrame, module: Module, plan: ColumnPlan, key: Field | None, *,
               json_form: bool = False) -> tuple[dict[int, list[int]], list[RowError]]:
    """(first row -> rows of the document, errors for keys that come back later or are missing).

    Consecutive rows with the same non-empty key are one document; in the JSON form, or
    without a key column, every row is one. A key seen again after other rows is an error on
    the later document: E_SPLIT_DOCUMENT (rows form) or E_DUPLICATE_KEY (JSON form). A split
    document's first part is an error too (naming where it goes on): alone it would be sent
    with only some of its lines.

    A row of the rows form whose key cell is empty and which has line cells but no header cell
    is a continuation line written without its key: E_NO_KEY on it (it stays a group of its
    own, for the report), and E_KEYLESS_LINE on the document above it, which alone would be
    sent without that line. The key is never filled down: that would guess.
    """
    column = group_column(module, plan, key)
    rows = [int(r) for r in frame.index]
    # NFC: "Café" typed on a Mac and on Windows is one document, as validate compares keys
    keys = (frame[column].fillna("").astype(str).str.strip().str.normalize("NFC").tolist()
            if column else [""] * len(rows))
    # an Excel error cell (#N/A) is no number: each such row stands alone, refused for its
    # error (E_EXCEL_ERROR), never grouped with or "split" from another #N/A
    for pos in (column_flags(frame).get(column, {}) if column else {}):
        keys[pos] = f"\x00cell {pos}"
    line_only = (_line_only_rows(frame, plan, column) if column and not json_form
                 else [False] * len(rows))
    groups: dict[int, list[int]] = {}
    seen: dict[str, int] = {}
    split: set[int] = set()
    errors: list[RowError] = []
    current, previous = None, None   # the last document (never a keyless line) and its key
    code = "E_DUPLICATE_KEY" if json_form else "E_SPLIT_DOCUMENT"
    for row, text, keyless in zip(rows, keys, line_only):
        if text and text == previous and not json_form:
            groups[current].append(row)
            continue
        groups[row] = [row]
        if not text and keyless:
            # the document goes on after it: its rows around the line are not "apart"
            last = groups[current][-1] if current is not None else None
            errors += _keyless_line(module, column, row, current, last, previous)
            continue
        current, previous = row, text
        if text:
            first = seen.setdefault(text, row)
            if first != row:
                errors.append(RowError(row, column, code, text,
                                       message(code, column=column, value=text, first=first)))
                if not json_form and first not in split:
                    split.add(first)
                    errors.append(RowError(first, column, code, text, message(
                        code, column=column, value=text, first=row)))
    return groups, sorted(errors, key=lambda e: e.row)


def _line_only_rows(frame: pd.DataFrame, plan: ColumnPlan, key_column: str) -> list[bool]:
    """Per row: a line cell is filled and no header cell (the key's own column aside)."""
    header = [c for c in plan.fields if c != key_column]
    line = list(plan.line_fields)
    if not line:
        return [False] * len(frame)

    def filled(columns: list[str]) -> np.ndarray:
        if not columns:
            return np.zeros(len(frame), dtype=bool)
        texts = frame[columns].fillna("").astype(str).apply(lambda s: s.str.strip())
        return (texts != "").any(axis=1).to_numpy()

    return (filled(line) & ~filled(header)).tolist()


def _keyless_line(module: Module, column: str, row: int, document: int | None,
                  last: int | None, value: str | None) -> list[RowError]:
    """E_NO_KEY on `row`, naming `last` (the last row of the document above) when that has a
    key `value`, and E_KEYLESS_LINE on `document` (the one the line most likely belongs to)."""
    previous = f' (row {last} has "{value}")' if value else ""
    noun = module.noun
    errors = [RowError(row, column, E_NO_KEY, "", message(
        E_NO_KEY, column=column, document=noun, previous=previous))]
    if document is not None:
        errors.append(RowError(document, column, "E_KEYLESS_LINE", "", message(
            "E_KEYLESS_LINE", column=column, row=row)))
    return errors


def header_mismatches(frame: pd.DataFrame, plan: ColumnPlan,
                      groups: dict[int, list[int]]) -> list[RowError]:
    """E_HEADER_MISMATCH for a later row whose header cell is filled and differs from the
    document's first row (reported on the first row, naming both)."""
    columns = list(plan.fields)
    if not columns or all(len(rows) == 1 for rows in groups.values()):
        return []
    # by row: a document's rows need not be the whole frame (keyless lines are left out)
    first_of = {row: first for first, rows in groups.items() for row in rows}
    texts = frame.loc[list(first_of), columns].fillna("").astype(str).apply(
        lambda s: s.str.strip().str.normalize("NFC"))   # as group_rows compares keys
    heads = texts.loc[list(first_of.values())].set_axis(texts.index)
    differs = (texts != heads) & (texts != "")
    errors = []
    for row, column in zip(*np.nonzero(differs.to_numpy())):
        at, name = int(texts.index[row]), columns[column]
        first, value, expected = first_of[at], texts.iat[row, column], heads.iat[row, column]
        errors.append(RowError(first, name, "E_HEADER_MISMATCH", value, message(
            "E_HEADER_MISMATCH", column=name, value=value, row=at, expected=expected,
            first=first)))
    return errors


# ---------------------------------------------------------------------------------------------
# Lines


def collect_lines(frame: pd.DataFrame, module: Module, plan: ColumnPlan,
                  groups: dict[int, list[int]]) -> tuple[list[_Line], list[RowError]]:
    """Every document's lines, in order: from its line columns (one line per row with any
    line cell filled) and, in the JSON form, from its line_items cell."""
    lines: list[_Line] = []
    errors: list[RowError] = []
    line_columns = list(plan.line_fields)
    texts = (frame[line_columns].fillna("").astype(str).apply(lambda s: s.str.strip())
             if line_columns else None)
    json_texts = (frame[plan.line_items_column].fillna("").astype(str).str.strip()
                  if plan.line_items_column else None)
    index = field_index(module.line_fields)
    flags = cell_flags(frame)   # a formula never computed is empty, but no empty cell
    for first, rows in groups.items():
        if json_texts is not None and json_texts.at[first]:
            found, problem = _json_lines(json_texts.at[first], module, index, first)
            if problem:
                errors.append(RowError(first, plan.line_items_column, "E_JSON",
                                       json_texts.at[first], message(
                                           "E_JSON", column=plan.line_items_column,
                                           problem=problem)))
            lines += found
            continue
        for row in rows if texts is not None else ():
            cells = {}
            for column, text in zip(line_columns, texts.loc[row].tolist()):
                if text or (row, column) in flags:
                    cells.update({api: (column, text) for api in plan.line_fields[column]})
            if cells:
                lines.append(_Line(first, "" if row == first else f"row {row}", cells, row=row))
    return lines, errors


def _json_lines(text: str, module: Module, index: dict[str, list[Field]],
                doc: int) -> tuple[list[_Line], str | None]:
    """The lines of one line_items cell, or a problem saying why it cannot be read."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        return [], f"it is not valid JSON ({exc})"
    if not isinstance(data, list):
        return [], f"it holds a JSON {type(data).__name__}, not an array"
    lines = []
    for number, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            return [], f"line {number} is not an object"
        where = str(entry.get(SOURCE_KEY) or f"line {number}")
        line = _Line(doc, where, {})
        for name, value in entry.items():
            if name == SOURCE_KEY:
                continue
            f = module.line_field(name) or _only(index.get(header_key(name), []))
            if f is None or isinstance(value, (dict, list)):
                line.extra[name] = value
            elif value not in (None, ""):
                line.cells[f.api_name] = (name, _json_text(value))
        lines.append(line)
    return lines, None


def _only(fields: list[Field]) -> Field | None:
    return fields[0] if len(fields) == 1 else None


def _json_text(value: Any) -> str:
    """A JSON scalar as the cell text validation reads (true -> "true", 2.5 -> "2.5")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def type_lines(lines: list[_Line], module: Module, date_format: str | None,
               decimal_separator: str = ".", clear_marker: str | None = None,
               flags: dict | None = None) -> list[RowError]:
    """Check every line cell for its field (one vectorised pass per column) and keep the typed
    values in `line.values`; errors land on the document's first row, saying which line.
    `flags` are the reader's (readers.cell_flags) for lines read from line columns."""
    by_column: dict[tuple[str, str], list[int]] = {}
    for pos, line in enumerate(lines):
        for api, (column, _) in line.cells.items():
            by_column.setdefault((api, column), []).append(pos)
    errors = []
    for (api, column), positions in by_column.items():
        f = module.line_field(api)
        text = pd.Series([lines[p].cells[api][1] for p in positions], dtype=object)
        flagged = {at: flags[(lines[p].row, column)] for at, p in enumerate(positions)
                   if (lines[p].row, column) in (flags or {})}
        typed = type_column(text, column, f, np.array(positions), False, date_format,
                            decimal_separator, clear_marker=clear_marker, flags=flagged)
        errors += [_on_document(lines[e.row], e) for e in typed.errors]
        for pos, value in zip(positions, typed.values.tolist()):
            if value not in (None, ""):   # a clear marker clears nothing on a line that is replaced
                lines[pos].values[api] = _percent_by_heading(api, column, value)
    return errors


def _percent_by_heading(api: str, column: str, value: Any) -> Any:
    """A bare number under a discount heading that says "%" ("Discount %", "Discount (%)") is
    a percentage: Zoho reads a bare number as an amount, so 10 would take off 10.00, not 10%."""
    if api == "discount" and "%" in column and isinstance(value, str) and "%" not in value:
        try:
            float(value.replace(",", ""))
        except ValueError:
            return value   # Zoho's own message will say what is wrong with it
        return value.strip() + "%"
    return value


def _on_document(line: _Line, error: RowError) -> RowError:
    prefix = f"{line.where}: " if line.where else ""
    return RowError(line.doc, error.column, error.code, error.value, prefix + error.message)


def _missing_lines(module: Module, plan: ColumnPlan, groups: dict[int, list[int]],
                   lines: list[_Line], mode: str) -> list[RowError]:
    """A line naming no item (nor a name or description), and in create mode a document
    without any line: Zoho would refuse both."""
    item_columns = sorted((c for c, apis in plan.line_fields.items()
                           if any(a in ITEM_SOURCES for a in apis)),
                          key=lambda c: min(ITEM_COLUMN_ORDER.index(a)
                                            for a in plan.line_fields[c] if a in ITEM_SOURCES))
    # the item column, not "Description", is what a line without an item most likely misses
    column = item_columns[0] if item_columns else "Item Name"
    errors = []
    for line in lines:
        if not any(a in line.cells for a in ITEM_SOURCES) and not any(
                a in line.extra for a in ITEM_SOURCES):
            errors.append(_on_document(line, RowError(
                line.doc, column, "E_REQUIRED", "", message("E_REQUIRED", column=column))))
    if mode == "create":
        with_lines = {line.doc for line in lines}
        shown = " or ".join(f'"{c}"' for c in item_columns) or '"Item Name" and "Quantity"'
        errors += [RowError(first, "", "E_NO_LINES", "", message("E_NO_LINES", columns=shown))
                   for first in groups if first not in with_lines]
    return errors


# ---------------------------------------------------------------------------------------------
# Lookups


def _resolve_headers(module: Module, plan: ColumnPlan, records, resolver,
                     resolved: dict[int, dict[str, Any]]) -> list[RowError]:
    errors = []
    for record in records:
        cells = {api: (_column_of(plan, module.field(api)), value)
                 for api, value in record.values.items()}
        found, problem = _resolve(module.fields, cells, record.values, resolver,
                                  _id_label(module, header=True))
        resolved[record.row] = found
        if problem:
            errors.append(RowError(record.row, *problem))
    return errors


def _resolve_lines(module: Module, lines: list[_Line], resolver) -> list[RowError]:
    errors = []
    for line in lines:
        cells = {api: (line.cells[api][0], value) for api, value in line.values.items()}
        found, problem = _resolve(module.line_fields, cells, line.values, resolver,
                                  _id_label(module, header=False))
        line.values.update(found)
        if problem:
            errors.append(_on_document(line, RowError(line.doc, *problem)))
    return errors


def _resolve(fields, cells: dict[str, tuple[str, Any]], values: dict[str, Any], resolver,
             id_label) -> tuple[dict[str, Any], tuple | None]:
    """({target: id}, first problem as (column, code, value, message) or None).

    For each target (customer_id, item_id, tax_id...) not given as an id, the lookup columns
    filled for it are tried in field order; the first that finds exactly one record wins.
    """
    sources: dict[str, list[Field]] = {}
    for f in fields:
        if f.lookup and f.api_name in cells and values.get(f.lookup.target) in (None, ""):
            sources.setdefault(f.lookup.target, []).append(f)
    found, problem = {}, None
    for target, candidates in sources.items():
        answers = [(f, resolver.resolve(f.lookup, str(cells[f.api_name][1]), id_label(target)))
                   for f in candidates]
        hit = next((a for _, a in answers if a.ok), None)
        if hit is not None:
            found[target] = hit.id
        elif all(_no_tax(f, cells[f.api_name][1]) for f, _ in answers):
            continue
        elif problem is None:
            f, answer = answers[0]
            column, value = cells[f.api_name][0], str(cells[f.api_name][1])
            problem = (column, "E_LOOKUP", value, message(
                "E_LOOKUP", column=column, value=value, found=answer.found, hint=answer.hint))
    return found, problem


def _no_tax(f: Field, value: Any) -> bool:
    """A percentage of 0 that names no tax in Zoho means "no tax" (an export writes 0 for
    untaxed lines), not a lookup error."""
    return f.lookup.match == ("tax_percentage",) and normalise(value, numeric=True) == 0


def _column_of(plan: ColumnPlan, f: Field | None) -> str:
    if f is None:
        return ""
    columns = plan.columns_for(f.api_name)
    return columns[0] if columns else f.label


def _id_label(module: Module, header: bool):
    def label(target: str) -> str | None:
        f = module.field(target) if header else module.line_field(target)
        return f.label if f else None
    return label


# ---------------------------------------------------------------------------------------------
# Payloads


def _work_item(module: Module, record, resolved: dict[str, Any], lines: list[_Line],
               mode: str) -> WorkItem:
    values = {**record.values, **resolved}
    payload = build_payload(module, values, mode)
    if lines or mode == "create":
        # no line columns at all on an update: the document's lines stay as they are in Zoho
        payload[module.line_items_key] = [line_payload(module, line.values, line.extra, mode)
                                          for line in lines]
    return WorkItem(record.row, record.key, payload, payload_hash(payload),
                    name=_text(values.get(module.name_field)),
                    record_id=_text(values.get(module.id_field)))


def line_payload(module: Module, values: dict[str, Any], extra: dict[str, Any] | None = None,
                 kind: str = "create") -> dict:
    """One line item's JSON: standard line fields top level, looked-up ids (item_id, tax_id,
    account_id) as found, custom line fields in `item_custom_fields` in the module's line
    shape for a write of `kind` (mapper.shape_for), and JSON keys that are no line field as
    they were given."""
    shape = shape_for(module, kind, line=True)
    line: dict[str, Any] = {}
    custom = []
    for api, value in values.items():
        f = module.line_field(api)
        if value in (None, "") or (f is not None and (f.lookup or f.read_only)):
            continue
        value = _json_value(module, api, value)
        if f is not None and f.custom:
            custom.append(custom_field_entry(f, value, shape))
        else:
            line[api] = value
    for name, value in (extra or {}).items():
        line.setdefault(name, value)
    if custom:
        line[LINE_CUSTOM_KEY] = custom
    return line


def _json_value(module: Module, api: str, value: Any) -> Any:
    """A typed line value in the JSON type Zoho's OpenAPI schema gives it: whole numbers as
    integers (credit notes type quantity so), a plain-number discount as a number ("10%"
    stays text, which Zoho takes too), and the odd field typed as text (Field.sent_as_text)."""
    if api == "discount" and isinstance(value, str) and "%" not in value:
        try:
            value = float(value.replace(",", ""))
        except ValueError:
            pass   # Zoho's own message will say what is wrong with it
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if api in module.text_line_fields and isinstance(value, (int, float)):
        value = str(value)
    return value


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)


# ---------------------------------------------------------------------------------------------
# Two-sheet workbooks


def read_document_table(path, module: Module, sheet: str | int | None = None) -> pd.DataFrame:
    """The input of a document import as one table: `read_table`, except that a workbook with
    a header sheet and a line sheet ("Line Items", else the second sheet) joined by the
    document key/number column comes back as the header sheet plus a `line_items` column (a
    JSON array of its lines, each saying where it was). Other files come back as they are.

    Raises InputError for a line whose document is not on the header sheet.
    """
    path = Path(path)
    frame = read_table(path, sheet=sheet)
    if not module.is_document or path.suffix.lower() not in BOOK_SUFFIXES:
        return frame
    if _has_lines(frame, module):
        return frame
    names = workbook.sheet_names(path)
    hidden = workbook.hidden_sheets(path)
    head = workbook.resolve_sheet(names, sheet, path.name, hidden)
    line_sheet = _line_sheet([n for n in names if n == head or n not in hidden], head)
    if line_sheet is None:
        return frame
    lines = read_table(path, sheet=line_sheet)
    refuse_flagged_lines(lines, line_sheet)
    joins = _join_columns(frame, lines, module)
    line_columns = [c for c in lines.columns if c not in joins]
    if not joins or not _has_lines(lines[line_columns], module):
        return frame   # a notes sheet or anything else that is no line sheet
    return _attach(frame, lines, joins, line_columns, line_sheet, head, module)


def refuse_flagged_lines(lines: pd.DataFrame, line_sheet: str) -> None:
    """InputError for a line sheet cell holding an Excel error or a formula never computed:
    its lines travel as JSON, where the cell could no longer be told from a value."""
    for (row, column), flag in cell_flags(lines).items():
        what = (f"the Excel error {flag.text}; fix the formula or type the value" if flag.kind == ERROR
                else "a formula whose result was never saved; open the file in Excel and save it")
        raise InputError(f'sheet "{line_sheet}" row {row}, column "{column}": the cell holds {what}')


def _has_lines(frame: pd.DataFrame, module: Module) -> bool:
    header = field_index(module.fields)
    lines = field_index(module.line_fields)
    keys = [header_key(c) for c in frame.columns]
    return any(k == header_key(module.line_items_key or "") or (k in lines and k not in header)
               for k in keys)


def _line_sheet(names: list[str], head: str) -> str | None:
    named = [n for n in names if n != head and header_key(n) == header_key(LINES_SHEET)]
    if named:
        return named[0]
    return names[1] if len(names) > 1 and names[0] == head else None


def _join_columns(frame: pd.DataFrame, lines: pd.DataFrame, module: Module) -> list[str]:
    """Line-sheet columns that are header columns too (and no line field): the join."""
    line_keys = field_index(module.line_fields)
    head_keys = {header_key(c) for c in frame.columns}
    return [c for c in lines.columns
            if header_key(c) in head_keys and header_key(c) not in line_keys]


def _attach(frame, lines, joins, line_columns, line_sheet, head, module) -> pd.DataFrame:
    by_key = {header_key(c): c for c in frame.columns}
    head_joins = [by_key[header_key(c)] for c in joins]
    head_texts = zip(*(frame[c].fillna("").astype(str).str.strip().tolist() for c in head_joins))
    owner: dict[tuple, int] = {}
    for row, key in zip(frame.index.tolist(), head_texts):
        if any(key):
            owner.setdefault(key, row)
    buckets: dict[int, list[dict]] = {row: [] for row in frame.index.tolist()}
    orphans = []
    line_texts = lines.fillna("").astype(str).apply(lambda s: s.str.strip())
    for row, cells in zip(lines.index.tolist(), line_texts.itertuples(index=False)):
        cells = dict(zip(lines.columns, cells))
        key = tuple(cells[c] for c in joins)
        entry = {c: cells[c] for c in line_columns if cells[c]}
        if not entry:
            continue
        if key not in owner:
            orphans.append((row, key))
            continue
        entry[SOURCE_KEY] = f'sheet "{line_sheet}" row {row}'
        buckets[owner[key]].append(entry)
    if orphans:
        shown = "; ".join(f"row {row} ({', '.join(k for k in key if k) or 'empty'})"
                          for row, key in orphans[:5])
        more = f" and {len(orphans) - 5} more" if len(orphans) > 5 else ""
        raise InputError(
            f'sheet "{line_sheet}": {len(orphans)} line(s) name no document of sheet "{head}" '
            f'by {", ".join(joins)}: {shown}{more}; fix the {joins[0]} cells or remove the lines')
    out = frame.copy()
    out[module.line_items_key] = [json.dumps(buckets[r], ensure_ascii=False) if buckets[r] else ""
                                  for r in frame.index.tolist()]
    return out


# ---------------------------------------------------------------------------------------------
# Updates replace line items


def line_item_refusal(item: WorkItem, module: Module, change: str) -> RowOutcome:
    """The `failed` outcome for a document update refused for its line items."""
    noun = module.singular.replace("_", " ").capitalize()
    value = item.key or item.name or item.record_id or ""
    return RowOutcome(item.row, item.key, Status.FAILED, item.record_id, E_LINE_ITEMS,
                      message(E_LINE_ITEMS, noun=noun, value=value,
                              change=change))


def guard_line_items(items: Iterable[WorkItem], *, client, module: Module, mode: str,
                     key_field: str | None, replace: bool = False, journal=None,
                     records: FullRecords | None = None,
                     ) -> tuple[list[WorkItem], list[RowOutcome]]:
    """Refuse, before `run_rows`, the document updates that would lose or change lines Zoho
    holds (Deluge updateRecord: "line items not sent are deleted"), unless `replace`.

    Each document found in Zoho is compared with its full record (read by id once, or taken
    from the memory): the same lines pass, and go out with Zoho's `line_item_id`s so they are
    updated in place; lines only added after Zoho's pass too; any other change is refused.
    Items the journal already shows as done or failed with this payload pass through (the
    runner reports them from the journal). Pass the run's `records` to `run_rows` too, so
    nothing is read twice.
    """
    items = list(items)
    lines_key = module.line_items_key
    if replace or mode == "create" or not module.is_document or not any(
            lines_key in i.payload for i in items):
        return items, []
    from bulkio.run.journal import unsettled

    records = records if records is not None else FullRecords(client, module)
    index = records.index(key_field)
    open_items = unsettled(items, journal)
    records.settle_keys(open_items)
    refused: dict[int, RowOutcome] = {}
    checked: dict[int, WorkItem] = {}
    for item in open_items:
        record = index.record_for(item, mode) if lines_key in item.payload else None
        if record is None:
            continue
        full = records.get(record)
        change = line_change(module, full.get(lines_key), item.payload[lines_key])
        if change:
            refused[item.row] = line_item_refusal(item, module, change)
        else:
            checked[item.row] = with_line_ids(module, item, full.get(lines_key))
    send = [checked.get(i.row, i) for i in items if i.row not in refused]
    return send, list(refused.values())


def line_change(module: Module, old: Any, new: Any) -> str:
    """"" when sending the lines `new` over Zoho's `old` loses and changes nothing Zoho holds
    (the same lines, or more lines after them); else what would be lost, in words."""
    old = [line for line in old if isinstance(line, dict)] if isinstance(old, list) else []
    new = new if isinstance(new, list) else []
    for n, (have, want) in enumerate(zip(old, new), start=1):
        if not mapper.same_lines(module, [have], [want]):
            return (f"change its line {n} (Zoho holds {_line_words(have)}; the file gives "
                    f"{_line_words(want)})")
    if len(new) < len(old):
        gone = len(old) - len(new)
        which = f"line {len(new) + 1}" if gone == 1 else f"lines {len(new) + 1}-{len(old)}"
        return f"delete its {which} ({gone} of the {len(old)} lines in Zoho are not in the file)"
    return ""


def _line_words(line: dict) -> str:
    what = line.get("name") or line.get("item_name") or line.get("description")
    parts = [str(what)] if what else []
    parts += [f"{k} {line[k]}" for k in ("quantity", "rate") if line.get(k) not in (None, "")]
    return ", ".join(parts) or "a line"


def with_line_ids(module: Module, item: WorkItem, old: Any) -> WorkItem:
    """The item with Zoho's `line_item_id` on each line it keeps, so that Zoho updates those
    lines rather than deleting and adding them again."""
    old = old if isinstance(old, list) else []
    lines = item.payload.get(module.line_items_key)
    if not old or not isinstance(lines, list):
        return item
    sent = []
    for n, line in enumerate(lines):
        have = old[n] if n < len(old) and isinstance(old[n], dict) else {}
        if isinstance(line, dict) and have.get("line_item_id") and "line_item_id" not in line:
            line = {"line_item_id": have["line_item_id"], **line}
        sent.append(line)
    # the journal hash stays the row's own: these ids come from Zoho, not from the file
    return dataclasses.replace(item, payload={**item.payload, module.line_items_key: sent})
