"""A document's line items: read from line columns or a `line_items` JSON cell, typed field by
field, checked for an item, and turned into the JSON of one line.

Every problem of a line is reported on its document's first row, saying which line it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

import numpy as np
import pandas as pd

from bulkio.catalogue import Field, Module, header_key
from bulkio.catalogue.spelling import field_index
from bulkio.errors import RowError
from bulkio.modes import Mode
from bulkio.prepare.columns import ColumnPlan
from bulkio.prepare.mapper import LINE_CUSTOM_KEY, custom_field_entry, shape_for
from bulkio.prepare.rowerrors import message
from bulkio.prepare.validation import type_column
from bulkio.readers import cell_flags
from bulkio.readers.documents import SOURCE_KEY

# A line needs one of these, else Zoho cannot tell what was sold.
ITEM_SOURCES = ("item_id", "item_name", "sku", "name", "description")
# Which of those a message about a line without an item names first: what people fill.
ITEM_COLUMN_ORDER = ("item_name", "sku", "item_id", "name", "description")


@dataclass
class Line:
    """One line item before typing: its document, where it was (for messages: "" on the
    document's first row), api name -> (column as written, text), and JSON keys that are no
    line field (sent as they are)."""

    doc: int
    where: str
    cells: dict[str, tuple[str, str]]
    extra: dict[str, Any] = dataclass_field(default_factory=dict)
    values: dict[str, Any] = dataclass_field(default_factory=dict)
    row: int = 0   # the spreadsheet row of a line from line columns (0: from JSON)



def collect_lines(frame: pd.DataFrame, module: Module, plan: ColumnPlan,
                  groups: dict[int, list[int]]) -> tuple[list[Line], list[RowError]]:
    """Every document's lines, in order: from its line columns (one line per row with any
    line cell filled) and, in the JSON form, from its line_items cell."""
    lines: list[Line] = []
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
            for column, text in zip(line_columns, texts.loc[row].tolist(), strict=False):
                if text or (row, column) in flags:
                    cells.update({api: (column, text) for api in plan.line_fields[column]})
            if cells:
                lines.append(Line(first, "" if row == first else f"row {row}", cells, row=row))
    return lines, errors


def _json_lines(text: str, module: Module, index: dict[str, list[Field]],
                doc: int) -> tuple[list[Line], str | None]:
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
        line = Line(doc, where, {})
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


def type_lines(lines: list[Line], module: Module, date_format: str | None,
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
        errors += [on_document(lines[e.row], e) for e in typed.errors]
        for pos, value in zip(positions, typed.values.tolist(), strict=False):
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


def on_document(line: Line, error: RowError) -> RowError:
    """`error` moved to the line's document's first row, its message saying which line."""
    prefix = f"{line.where}: " if line.where else ""
    return RowError(line.doc, error.column, error.code, error.value, prefix + error.message)


def missing_lines(module: Module, plan: ColumnPlan, groups: dict[int, list[int]],
                  lines: list[Line], mode: str) -> list[RowError]:
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
            errors.append(on_document(line, RowError(
                line.doc, column, "E_REQUIRED", "", message("E_REQUIRED", column=column))))
    if mode == Mode.CREATE:
        with_lines = {line.doc for line in lines}
        shown = " or ".join(f'"{c}"' for c in item_columns) or '"Item Name" and "Quantity"'
        errors += [RowError(first, "", "E_NO_LINES", "", message("E_NO_LINES", columns=shown))
                   for first in groups if first not in with_lines]
    return errors


def line_payload(module: Module, values: dict[str, Any], extra: dict[str, Any] | None = None,
                 kind: str = Mode.CREATE) -> dict:
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
