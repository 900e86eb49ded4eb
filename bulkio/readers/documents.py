"""The input of a document import as one table, whatever layout it came in.

A workbook with a header sheet and a line sheet ("Line Items", else the second sheet) joined by the
document key/number column, as `bulkio export` writes it, becomes the header sheet plus a
`line_items` column holding each document's lines as JSON (CONTRACT.md "Line items"), so everything
after reading sees one of the two layouts of one sheet: grouped rows or a `line_items` column.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from bulkio.catalogue import Module, header_key
from bulkio.catalogue.spelling import field_index
from bulkio.errors import InputError
from bulkio.readers import BOOK_SUFFIXES, cell_flags, read_table, workbook
from bulkio.readers.cells import ERROR

#: The line sheet of a two-sheet document workbook: export writes it, import looks for it first.
LINES_SHEET = "Line Items"
SOURCE_KEY = "_source"   # where a line of a two-sheet workbook was, for messages


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
    head_texts = zip(*(frame[c].fillna("").astype(str).str.strip().tolist() for c in head_joins), strict=False)
    owner: dict[tuple, int] = {}
    for row, key in zip(frame.index.tolist(), head_texts, strict=False):
        if any(key):
            owner.setdefault(key, row)
    buckets: dict[int, list[dict]] = {row: [] for row in frame.index.tolist()}
    orphans = []
    line_texts = lines.fillna("").astype(str).apply(lambda s: s.str.strip())
    for row, cells in zip(lines.index.tolist(), line_texts.itertuples(index=False), strict=False):
        cells = dict(zip(lines.columns, cells, strict=False))
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
