"""Spreadsheet rows -> documents: which rows form one document (CONTRACT.md "Line items").

Consecutive rows with the same document key (the -k field, else the document number column) form
one document; header columns come from its first row, each row gives one line. A header cell of a
later row must be empty or equal to the first row's. A row with line cells but an empty key and no
header cell is a line that lost its key (E_NO_KEY): it is never filled down, and the document above
it is not sent either. In the JSON form (a `line_items` column) each row is one document.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bulkio.catalogue import Field, Module
from bulkio.errors import RowError
from bulkio.prepare.columns import ColumnPlan
from bulkio.prepare.rowerrors import message
from bulkio.prepare.validation import column_flags

E_NO_KEY = "E_NO_KEY"


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
    for row, text, keyless in zip(rows, keys, line_only, strict=False):
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
    for row, column in zip(*np.nonzero(differs.to_numpy()), strict=False):
        at, name = int(texts.index[row]), columns[column]
        first, value, expected = first_of[at], texts.iat[row, column], heads.iat[row, column]
        errors.append(RowError(first, name, "E_HEADER_MISMATCH", value, message(
            "E_HEADER_MISMATCH", column=name, value=value, row=at, expected=expected,
            first=first)))
    return errors
