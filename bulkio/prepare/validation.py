"""Validation: a DataFrame of cell texts -> typed Records for the valid rows + every problem.

Cells are trimmed first; an empty cell is "not given" and left out of `Record.values`. Only
with a clear marker (`--clear-marker TEXT`, `clear_marker` in a mapping's [options]) does a
cell ask to clear the field in Zoho: a cell holding exactly that text becomes
`values[api] = ""` (for every type but check boxes, which take yes or no only). Clearing a
required field or the key is an `E_CLEAR` error. Without a marker no cell clears anything.

A workbook cell holding an Excel error (#N/A, #DIV/0!) is E_EXCEL_ERROR and a formula whose
result was never saved E_NO_CACHED_VALUE (the reader flags them: `readers.cell_flags`); keys
are checked by `bulkio.prepare.keys` (NFC, invisible characters, duplicates, case twins).

Checks run per column with pandas (see `bulkio.prepare.checks`); Python touches single cells only to
word an error or to assemble the final Records. Every problem is a `RowError` with one message
template per code (`bulkio.prepare.rowerrors.MESSAGES`); nothing stops at the first one.

Typed values: str for text, dropdowns (canonical spelling), ids, emails, urls and phones; int for
number; float for decimal, amount and percent; "YYYY-MM-DD" for dates; bool for check boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from itertools import compress, repeat
from typing import Any

import numpy as np
import pandas as pd

from bulkio.catalogue import Field, Module
from bulkio.errors import ConfigError, MappingError, RowError
from bulkio.modes import Mode, check_mode
from bulkio.prepare.checks import COMMA_HINT, UNSAID, UNSAID_SEMICOLON, date_order, parse_cells
from bulkio.prepare.checks import clear_marker as check_marker
from bulkio.prepare.checks import decimal_separator as check_separator
from bulkio.prepare.columns import ColumnPlan, describe, mapping_label
from bulkio.prepare.keys import UNIQUE_UNKNOWN, check_keys, key_warnings, resolve_key, standard_keys
from bulkio.prepare.rowerrors import row_errors
from bulkio.readers import CellFlag, cell_flags, delimiter_of
from bulkio.readers.cells import ERROR

__all__ = ["UNIQUE_UNKNOWN", "Record", "TypedColumn", "ValidationResult", "column_flags", "key_warnings",
           "number_reading", "required_fields", "resolve_key", "standard_keys", "type_column", "validate_frame"]

TEXT_TYPES = frozenset({"string", "multiline", "email", "url", "phone", "id", "dropdown"})
MAX_SHOWN_CHOICES = 15
# a sum row people leave at the bottom of a sheet ("Total", "TOTAL:", "Grand total", "Totals")
_TOTAL_RE = re.compile(r"(?:grand\s*|sub\s*)?totals?\s*:?", re.IGNORECASE)


@dataclass
class Record:
    """One valid row: its spreadsheet row, key text (None without -k) and typed values."""

    row: int
    key: str | None
    values: dict[str, Any]


@dataclass
class ValidationResult:
    """Records for the valid rows (in input order), every error (by row), the invalid rows."""

    records: list[Record]
    errors: list[RowError]
    invalid_rows: set[int]
    total_rows: int


def validate_frame(df: pd.DataFrame, module: Module, plan: ColumnPlan, *,
                   key_field: Field | str | None = None, mode: str = Mode.UPSERT,
                   date_format: str | None = None,
                   seen_keys: dict[str, int] | None = None,
                   decimal_separator: str | None = None,
                   clear_marker: str | None = None) -> ValidationResult:
    """Check every cell of `df` against `module` as `plan` maps it; a bad row never raises.

    `date_format`, `decimal_separator` ("." or ",": numbers written 12,50; None: not said, see
    `number_reading`) and `clear_marker` fall back to the mapping's [options]. `seen_keys`
    (key -> first row) carries key uniqueness across the chunks of one file; it is updated
    in place.
    Raises ConfigError for a bad mode, key, date format or mapping constant, and MappingError
    when no column feeds the key (or, for an update by id, the record id).
    """
    check_mode(mode)
    key = resolve_key(module, key_field) if key_field is not None else None
    date_format = date_format or plan.options.get("date_format")
    date_order(date_format)
    separator = number_reading(decimal_separator, plan, df)
    marker = check_marker(clear_marker if clear_marker is not None else plan.options.get("clear_marker"))
    _check_feeds(module, plan, key, mode)
    return _Checker(df, module, plan, key, mode, date_format, separator, marker).run(
        {} if seen_keys is None else seen_keys)


def number_reading(decimal_separator: str | None, plan: ColumnPlan, df: pd.DataFrame) -> str:
    """How numbers are read: "." or "," as given (or as the mapping says); when neither says,
    checks.UNSAID, or checks.UNSAID_SEMICOLON for a ;-separated file, where a comma is as
    likely to mark decimals as thousands."""
    separator = check_separator(decimal_separator or plan.options.get("decimal_separator"))
    if separator == UNSAID and delimiter_of(df) == ";":
        return UNSAID_SEMICOLON
    return separator


def _check_feeds(module: Module, plan: ColumnPlan, key: Field | None, mode: str) -> None:
    """Refuse a run whose rows could never be matched to records."""
    if mode == Mode.UPSERT and key is None:
        raise ConfigError("--mode upsert needs -k KEY, a unique custom field that identifies "
                          "each record; or use --mode create")
    if key and not plan.columns_for(key.api_name):
        raise MappingError(f'No column feeds the key {describe(key)}; add a column '
                           f'"{key.label}" or map one to it with --mapping')
    if mode == Mode.UPDATE and key is None and not plan.columns_for(module.id_field):
        raise MappingError(f"--mode update without -k needs a {module.id_field} column "
                           "holding the Zoho ids of the records to update")


def required_fields(module: Module, key: Field | None, mode: str) -> list[Field]:
    """Fields every row must give: create/upsert -> the module's required fields and the key;
    update -> only the key (or the record id when updating by id)."""
    if mode == Mode.UPDATE:
        api = key.api_name if key else module.id_field
        return [module.field(api) or Field(api_name=api, label=api, type="id")]
    required = [f for f in module.fields
                if f.required and not f.read_only and f.active and f.level == "header"]
    return required + ([key] if key and key not in required else [])


class _Checker:
    """One validation pass over one frame: typed columns and errors, then Records."""

    def __init__(self, df, module, plan, key, mode, date_format, decimal_separator=".",
                 clear_marker=None):
        self.df, self.module, self.plan = df, module, plan
        self.key, self.mode, self.date_format = key, mode, date_format
        self.decimal_separator, self.clear_marker = decimal_separator, clear_marker
        self.flags = column_flags(df)
        self.rows = df.index.to_numpy()
        self.errors: list[RowError] = []
        self.columns: dict[str, TypedColumn] = {}     # api -> the column that fed it

    def run(self, seen_keys: dict[str, int]) -> ValidationResult:
        constants = self._constants()
        for column, apis in self.plan.fields.items():
            text = _trimmed(self.df[column])
            text.index = pd.RangeIndex(len(text))
            for api in apis:
                self._column(text, column, self.module.field(api))
        self._missing_required(constants)
        self._totals_row()
        keys = self._keys(seen_keys) if self.key else None
        if self.key is None and self.mode == Mode.CREATE:
            self._name_keys(seen_keys)
        self.errors.sort(key=lambda e: e.row)
        invalid = {e.row for e in self.errors}
        return ValidationResult(self._records(keys, constants, invalid), self.errors, invalid,
                                len(self.df))

    def _protected(self, f: Field) -> bool:
        return f.required or (self.key is not None and f.api_name == self.key.api_name)

    def _column(self, text: pd.Series, column: str, f: Field) -> None:
        typed = type_column(text, column, f, self.rows, self._protected(f), self.date_format,
                            self.decimal_separator, clear_marker=self.clear_marker,
                            flags=self.flags.get(column))
        self.errors += typed.errors
        self.columns[f.api_name] = typed

    def _constants(self) -> dict[str, Any]:
        """Mapping constants typed like cells; a bad one is a ConfigError naming the mapping."""
        typed, problems = {}, []
        for api, text in self.plan.constants.items():
            f = self.module.field(api)
            one = type_column(pd.Series([str(text).strip()]), api, f, np.array([0]),
                              self._protected(f), self.date_format, self.decimal_separator,
                              clear_marker=self.clear_marker)
            problems += [e.message for e in one.errors]
            typed[api] = one.values[0]
        if problems:
            raise ConfigError(f"{mapping_label(self.plan.mapping_source)}, [constants]: "
                              + "; ".join(problems))
        return {api: v for api, v in typed.items() if v is not None}

    def _missing_required(self, constants: dict[str, Any]) -> None:
        """E_REQUIRED where no source gives a required field a value: its column, or a lookup
        column whose target it is (a customer name resolves to customer_id later)."""
        for f in required_fields(self.module, self.key, self.mode):
            if f.api_name in constants:
                continue
            sources = [f.api_name] + [g.api_name for g in self.module.fields
                                      if g.lookup and g.lookup.target == f.api_name]
            fed = [self.columns[api] for api in sources if api in self.columns]
            missing = np.ones(len(self.rows), dtype=bool)
            for typed in fed:
                missing &= ~typed.given
            column = fed[0].column if fed else f.label
            if not fed:
                self._warn_unfed(f)
            self.errors += row_errors("E_REQUIRED", np.flatnonzero(missing), self.rows, column)

    def _warn_unfed(self, f: Field) -> None:
        """Say once, above the row errors, why every row lacks a required field."""
        warning = (f"No column feeds {describe(f)}, which every row must give; add a "
                   f'"{f.label}" column, or map one of yours to it in a --mapping file '
                   f"(bulkio fields -m {self.module.name} lists the fields)")
        if warning not in self.plan.warnings:
            self.plan.warnings.append(warning)

    def _totals_row(self) -> None:
        """E_TOTAL_ROW on a last row that says it is a total: imported, it would become a record
        named "TOTAL" holding the sum of the prices."""
        if len(self.df) < 2:
            return
        last = len(self.df) - 1
        for column, cell in zip(self.df.columns, self.df.iloc[last].tolist(), strict=True):
            text = str(cell).strip()
            if _TOTAL_RE.fullmatch(text):
                self.errors += row_errors("E_TOTAL_ROW", [last], self.rows, str(column), {last: text})
                return

    def _name_keys(self, seen: dict[str, int]) -> None:
        """Create mode: the name (a document's number) is what Zoho keeps unique and what an
        unanswered create is checked by, so it is checked as a key is: NFC (what is sent),
        no invisible character or line break, no case twin. A name given twice is left to
        Zoho, which refuses the second ("already exists"): two equal invoices without a
        number are two documents."""
        typed = self.columns.get(self.module.name_field or "")
        if typed is not None:
            self._keys(seen, typed, duplicates=False)

    def _keys(self, seen: dict[str, int], typed: TypedColumn | None = None, *,
              duplicates: bool = True) -> list[str | None]:
        """Each row's key text (`keys.check_keys`); `typed`: the column, by default the key's."""
        typed = typed if typed is not None else self.columns[self.key.api_name]
        keys, errors = check_keys(typed.values, typed.texts, typed.column, self.rows, seen,
                                  duplicates=duplicates)
        self.errors += errors
        return keys

    def _records(self, keys, constants: dict[str, Any], invalid: set[int]) -> list[Record]:
        # Each row's values as dict(zip(names, constants + cells)), made by C-level maps: the
        # constants, the columns given on every row, then the others, whose cells without a
        # value are taken out again (or give the constant back). The same dicts, keys in the
        # same order, as filling them field by field, which took longer than reading the file.
        full = [a for a, c in self.columns.items() if c.given.all()]
        sparse = [a for a in self.columns if a not in full]
        names = list(constants) + full + sparse
        rows = self.rows.tolist()
        cells = zip(*(self.columns[a].values.tolist() for a in full + sparse), strict=True) if full or sparse \
            else repeat((), len(rows))
        if constants:
            cells = map(tuple.__add__, repeat(tuple(constants.values())), cells)
        values = list(map(dict, map(zip, repeat(names), cells)))
        for at, apis in self._missing_cells(sparse).items():
            for api in apis:
                if api in constants:
                    values[at][api] = constants[api]
                else:
                    del values[at][api]
        keep = [row not in invalid for row in rows]
        keys = keys if keys is not None else repeat(None)
        return list(map(Record, compress(rows, keep), compress(keys, keep), compress(values, keep)))

    def _missing_cells(self, sparse: list[str]) -> dict[int, list[str]]:
        """Row position -> the fields of `sparse` that row gives no value."""
        absent = [np.equal(self.columns[a].values, None) for a in sparse]
        if not absent:
            return {}
        return {int(at): [a for a, column in zip(sparse, absent, strict=True) if column[at]]
                for at in np.flatnonzero(np.logical_or.reduce(absent))}


@dataclass
class TypedColumn:
    """One column checked for one field: typed values (None = not given), which cells held
    something (a value or a clear), the trimmed texts, and the errors found."""

    column: str
    values: np.ndarray
    given: np.ndarray
    texts: np.ndarray
    errors: list[RowError] = dataclass_field(default_factory=list)


def type_column(text: pd.Series, column: str, f: Field, rows: np.ndarray, protected: bool,
                date_format: str | None, decimal_separator: str = ".", *,
                clear_marker: str | None = None,
                flags: dict[int, CellFlag] | None = None) -> TypedColumn:
    """Check trimmed cell texts (positional index) for field `f`: flags, clear, type, length.

    `protected` fields (required ones, the key) may not be cleared; errors name `column`.
    `decimal_separator` "," reads numbers written 12,50 and 1.234,56 (see number_reading).
    A cell holding exactly `clear_marker` clears the field. `flags` (position -> CellFlag)
    marks cells whose text is no value: each is one error of its own, and nothing else.
    """
    texts = text.to_numpy(dtype=object)
    given = texts != ""
    flagged = np.zeros(len(texts), dtype=bool)
    errors = []
    for pos, flag in (flags or {}).items():
        flagged[pos] = given[pos] = True   # an uncomputed formula is not an empty cell
        code = "E_EXCEL_ERROR" if flag.kind == ERROR else "E_NO_CACHED_VALUE"
        errors += row_errors(code, [pos], rows, column, {pos: flag.text})
    clear = ((texts == clear_marker) & (f.type != "check_box") & ~flagged if clear_marker
             else np.zeros(len(texts), dtype=bool))
    values = np.full(len(texts), None, dtype=object)
    values[clear] = ""
    if protected:
        errors += row_errors("E_CLEAR", np.flatnonzero(clear), rows, column, texts)
    cells = text[given & ~clear & ~flagged]
    parsed = parse_cells(cells, f, date_format, decimal_separator)
    bad = parsed.bad
    if parsed.ambiguous is not None:
        errors += _ambiguous_errors(parsed, bad.index[bad & parsed.ambiguous], rows, column,
                                    texts, decimal_separator)
        bad = bad & ~parsed.ambiguous
    hinted = bad & parsed.comma if parsed.comma is not None else bad & False
    errors += row_errors(parsed.code, bad.index[bad & ~hinted], rows, column, texts,
                         expected=parsed.expected, choices=_choices(f))
    errors += row_errors(parsed.code, bad.index[hinted], rows, column, texts,
                         expected=parsed.expected, hint=COMMA_HINT)
    if f.type in TEXT_TYPES and f.max_length and not f.values:
        lengths = cells.str.len()
        too_long = lengths[lengths > f.max_length]
        for pos, length in zip(too_long.index, too_long.tolist(), strict=True):
            errors += row_errors("E_LENGTH", [pos], rows, column, texts, length=length,
                                 max_length=f.max_length)
    values[parsed.values.index.to_numpy()] = parsed.values.to_numpy()
    return TypedColumn(column, values, given, texts, errors)


def _ambiguous_errors(parsed, positions, rows, column: str, texts, separator: str) -> list[RowError]:
    if parsed.ambiguous_code != "E_AMBIGUOUS_NUMBER":
        return row_errors(parsed.ambiguous_code, positions, rows, column, texts)
    why = (" (the file is separated by semicolons, as files that write decimals with a comma are)"
           if separator == UNSAID_SEMICOLON else " (nothing else in the column says which)")
    errors = []
    for pos in positions:
        mark = "," if "," in texts[pos] else "."
        errors += row_errors("E_AMBIGUOUS_NUMBER", [pos], rows, column, texts, mark=mark, why=why)
    return errors


def column_flags(df: pd.DataFrame) -> dict[str, dict[int, CellFlag]]:
    """The reader's cell flags of `df` as column -> {position in the frame: CellFlag}."""
    flags = cell_flags(df)
    if not flags:
        return {}
    at = {row: pos for pos, row in enumerate(df.index.tolist())}
    out: dict[str, dict[int, CellFlag]] = {}
    for (row, column), flag in flags.items():
        if row in at:
            out.setdefault(column, {})[at[row]] = flag
    return out


def _trimmed(cells: pd.Series) -> pd.Series:
    """The cells as trimmed text. Stripping runs per cell in Python, so it runs only on a column
    where some cell starts or ends with whitespace (one regex over the joined column says)."""
    text = cells.fillna("").astype(str)
    if _edge_space("\x00".join(text.tolist())):
        text = text.str.strip()
    return text


# every character str.strip() removes (str.isspace), fixed by Unicode
_WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
               "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _edge_space(joined: str) -> bool:
    """Whether a cell of a NUL-joined column starts or ends with whitespace. Substring tests
    run in C at memory speed; a regex over the same text took longer than the strip."""
    if joined[:1].isspace() or joined[-1:].isspace():
        return True
    return any(c in joined and ("\x00" + c in joined or c + "\x00" in joined) for c in _WHITESPACE)


def _choices(f: Field) -> str:
    shown = ", ".join(f.values[:MAX_SHOWN_CHOICES])
    return shown + (", ..." if len(f.values) > MAX_SHOWN_CHOICES else "")
