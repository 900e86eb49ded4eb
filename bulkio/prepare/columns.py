"""Which spreadsheet column feeds which field: automatic matching plus an optional mapping file.

A column matches a field by its api name, label, one of the catalogue's aliases, or for a custom
field `CF.<label>`; case, spaces, underscores, hyphens and dots are ignored. A `--mapping` TOML
file (see CONTRACT.md "Mapping files") names columns explicitly, sets constants, ignores columns
and carries options; columns it does not name are still matched automatically.

Anything that would make a write guess is a `MappingError` before a single call: a column that
matches two fields, or a field fed twice (two columns, or a column and a constant).
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import Any

from bulkio.catalogue import Field, Module, header_key
from bulkio.catalogue.spelling import field_index
from bulkio.errors import ConfigError, MappingError
from bulkio.prepare.checks import clear_marker, date_order, decimal_separator

# Columns bulkio's own reports add; an errors file re-imported as it is must not warn about them.
REPORT_COLUMNS = frozenset(header_key(c) for c in ("row", "status", "record_id", "error_code", "message"))
MAPPING_TABLES = ("columns", "constants", "ignore", "options")
MAPPING_OPTIONS = ("date_format", "decimal_separator", "clear_marker")


@dataclass
class Mapping:
    """A parsed --mapping file. `source` names the file in messages."""

    columns: dict[str, tuple[str, ...]] = dataclass_field(default_factory=dict)
    constants: dict[str, str] = dataclass_field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    options: dict = dataclass_field(default_factory=dict)
    source: str | None = None


@dataclass
class ColumnPlan:
    """Where each column goes.

    `fields`: column (as written) -> api names of the header fields it feeds, in column order.
    `constants`: api name -> text set on every row. `unknown`: columns matching nothing (already
    summed up in `warnings`). `ignored`: columns left out on purpose (mapping `ignore`, read-only
    fields, bulkio's report columns). `line_fields`: column -> line-item api names, for
    documents. `line_items_column`: a document's `line_items` column (a JSON array of lines per
    row). `options`: the mapping's [options]; `mapping_source` names it in messages.
    """

    fields: dict[str, tuple[str, ...]]
    constants: dict[str, str] = dataclass_field(default_factory=dict)
    unknown: list[str] = dataclass_field(default_factory=list)
    warnings: list[str] = dataclass_field(default_factory=list)
    ignored: list[str] = dataclass_field(default_factory=list)
    line_fields: dict[str, tuple[str, ...]] = dataclass_field(default_factory=dict)
    options: dict = dataclass_field(default_factory=dict)
    mapping_source: str | None = None
    line_items_column: str | None = None

    def columns_for(self, api_name: str) -> list[str]:
        """The columns feeding header field `api_name` (at most one in a plan that matched)."""
        return [col for col, apis in self.fields.items() if api_name in apis]


# ---------------------------------------------------------------------------------------------
# Mapping files


def load_mapping(path: str | Path) -> Mapping:
    """Read a --mapping TOML file; ConfigError naming the file for anything malformed.

    >>> load_mapping("map.toml").columns          # [columns] "SKU" = ["External ID", "sku"]
    {'SKU': ('External ID', 'sku')}
    """
    path = Path(path)
    where = f"Mapping file {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise ConfigError(f"{where} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{where} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML: {exc}") from None
    return parse_mapping(data, source=str(path))


def parse_mapping(data: dict, source: str | None = None) -> Mapping:
    """A Mapping from already-parsed TOML data (the tables of CONTRACT.md "Mapping files")."""
    where = mapping_label(source)
    data = _hoist_ignore(data)
    unknown = [k for k in data if k not in MAPPING_TABLES]
    if unknown:
        raise ConfigError(f'{where}: unknown entry "{unknown[0]}"; expected '
                          + ", ".join(MAPPING_TABLES))
    columns = {str(col): _targets(where, col, value)
               for col, value in _table(where, data, "columns").items()}
    constants = {str(name): _constant_text(where, name, value)
                 for name, value in _table(where, data, "constants").items()}
    options = _table(where, data, "options")
    for key in options:
        if key not in MAPPING_OPTIONS:
            raise ConfigError(f'{where}: unknown option "{key}"; known: ' + ", ".join(MAPPING_OPTIONS))
    try:
        if "date_format" in options:
            date_order(options["date_format"])
        if "decimal_separator" in options:
            decimal_separator(options["decimal_separator"])
        if "clear_marker" in options:
            options["clear_marker"] = clear_marker(options["clear_marker"])
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    return Mapping(columns=columns, constants=constants, ignore=_ignore(where, data),
                   options=dict(options), source=source)


def _hoist_ignore(data: dict) -> dict:
    """Move an `ignore = [...]` written after a table heading (as CONTRACT.md's own example
    does, which TOML files under that table) back to the top level where it was meant."""
    data = dict(data)
    for name in ("columns", "constants", "options"):
        table = data.get(name)
        if isinstance(table, dict) and isinstance(table.get("ignore"), list):
            table = dict(table)
            data["ignore"] = list(data.get("ignore", [])) + table.pop("ignore")
            data[name] = table
    return data


def _table(where: str, data: dict, name: str) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: [{name}] must be a table")
    return value


def _targets(where: str, column: str, value: Any) -> tuple[str, ...]:
    targets = [value] if isinstance(value, str) else value
    if not isinstance(targets, list) or not targets or not all(isinstance(t, str) for t in targets):
        raise ConfigError(f'{where}: [columns] "{column}" must be a field name or a list of field names')
    return tuple(targets)


def _constant_text(where: str, name: str, value: Any) -> str:
    """TOML values as the text a cell would hold, so constants go through the same checks."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    raise ConfigError(f'{where}: [constants] "{name}" must be a single value')


def _ignore(where: str, data: dict) -> frozenset[str]:
    value = data.get("ignore", [])
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise ConfigError(f"{where}: ignore must be a list of column names")
    return frozenset(items)


# ---------------------------------------------------------------------------------------------
# Matching


def column_key(column: str) -> str:
    """header_key of a column heading, without the asterisks some exports use to mark required
    columns (Xero's "*ContactName", others' "Name*")."""
    return header_key(str(column).strip().strip("*"))


def describe(f: Field) -> str:
    """`name (Item Name)`: how messages name a field."""
    return f.api_name if header_key(f.label) == header_key(f.api_name) else f"{f.api_name} ({f.label})"


def match_columns(columns, module: Module, mapping: Mapping | None = None) -> ColumnPlan:
    """Decide which field each column feeds.

    Raises MappingError when a column matches more than one field or a field is fed twice, and
    ConfigError when the mapping names a field the module does not have.
    """
    mapping = mapping or Mapping()
    columns = [str(c) for c in columns]
    header_index = field_index(module.fields)
    line_index = field_index(module.line_fields)
    plan = ColumnPlan(fields={}, options=dict(mapping.options), mapping_source=mapping.source)
    target = _TargetResolver(module, header_index, mapping, line_index)
    explicit = _explicit_columns(columns, mapping, target, plan)
    ignored = {column_key(c) for c in mapping.ignore}
    clashes: list[str] = []

    for column in columns:
        if column in explicit:
            _place_explicit(plan, column, explicit[column])
            continue
        key = column_key(column)
        found = header_index.get(key, [])
        if _is_line_items(module, key) and not found:
            plan.line_items_column = column
        elif not key or key in ignored:
            plan.ignored.append(column)
        elif len(found) > 1:
            clashes.append(f'Column "{column}" matches {len(found)} fields: '
                           + ", ".join(describe(f) for f in found)
                           + "; map it to one field in a --mapping file")
        elif found:
            _place(plan, column, found[0], module.id_field)
        elif key in line_index:
            plan.line_fields[column] = tuple(f.api_name for f in line_index[key])
        elif key in REPORT_COLUMNS:
            plan.ignored.append(column)
        else:
            plan.unknown.append(column)

    plan.constants = {target(name, name, "constants").api_name: value
                      for name, value in mapping.constants.items()}
    clashes += _fed_twice(plan, module)
    if clashes:
        raise MappingError("\n".join(clashes))
    if plan.unknown:
        plan.warnings.append(
            f"{len(plan.unknown)} column(s) match no field of {module.name} and are left out: "
            + ", ".join(f'"{c}"' for c in plan.unknown)
            + " (list them under ignore in a --mapping file to silence this)")
    return plan


def _is_line_items(module: Module, key: str) -> bool:
    return module.is_document and bool(module.line_items_key) and key == header_key(module.line_items_key)


def _place_explicit(plan: ColumnPlan, column: str, fields: tuple[Field, ...]) -> None:
    header = tuple(f.api_name for f in fields if f.level == "header")
    lines = tuple(f.api_name for f in fields if f.level != "header")
    if header:
        plan.fields[column] = header
    if lines:
        plan.line_fields[column] = lines


def _place(plan: ColumnPlan, column: str, f: Field, id_field: str) -> None:
    """Feed an automatically matched column, or leave it out silently when the field is
    read-only (an export's status, created_time...); the record id still feeds updates by id."""
    if f.read_only and f.api_name != id_field:
        plan.ignored.append(column)
    else:
        plan.fields[column] = (f.api_name,)


def _explicit_columns(columns, mapping: Mapping, target, plan: ColumnPlan) -> dict[str, tuple]:
    """Columns the mapping names -> the fields they feed; warns about mapped columns not in the
    file. A mapped column is found as written, else with case and spacing ignored."""
    by_key = {column_key(c): c for c in columns}
    out: dict[str, tuple] = {}
    for name, targets in mapping.columns.items():
        found = [target(name, t, "columns") for t in targets]
        apis = tuple({(f.level, f.api_name): f for f in found}.values())
        column = name if name in columns else by_key.get(column_key(name))
        if column is None:
            plan.warnings.append(f'{mapping_label(mapping.source)} maps column "{name}", which is not in the file')
        else:
            out[column] = apis
    return out


class _TargetResolver:
    """Finds the field a mapping entry names: its exact api name first, then any spelling; a
    document's line fields after its header fields ([columns] only)."""

    def __init__(self, module: Module, index: dict[str, list[Field]], mapping: Mapping,
                 line_index: dict[str, list[Field]] | None = None):
        self.module, self.index, self.mapping = module, index, mapping
        self.line_index = line_index or {}

    def __call__(self, entry: str, name: str, table: str) -> Field:
        exact = self.module.field(name)
        found = [exact] if exact else self.index.get(header_key(name), [])
        if not found and table == "columns":
            line = self.module.line_field(name)
            found = [line] if line else self.line_index.get(header_key(name), [])
        if len(found) == 1 and (not found[0].read_only or found[0].api_name == self.module.id_field):
            return found[0]
        if len(found) == 1:
            problem = f"field {describe(found[0])} is read-only"
        elif found:
            problem = f'"{name}" could be ' + " or ".join(describe(f) for f in found)
            problem += "; use the field's api name"
        else:
            problem = f'{self.module.name} has no field "{name}" (see bulkio fields -m {self.module.name})'
        raise ConfigError(f'{mapping_label(self.mapping.source)}: [{table}] "{entry}": {problem}')


def mapping_label(source: str | None) -> str:
    """How messages name a mapping: `Mapping file map.toml`, or `The mapping` for one built in
    code."""
    return f"Mapping file {source}" if source else "The mapping"


def _fed_twice(plan: ColumnPlan, module: Module) -> list[str]:
    """Messages for fields fed by more than one column, or by a column and a constant (header
    and line fields apart: a document's header and its lines may both have a discount)."""
    sources: dict[tuple[str, str], list[str]] = {}
    for level, table in (("header", plan.fields), ("line", plan.line_fields)):
        for column, apis in table.items():
            for api in apis:
                sources.setdefault((level, api), []).append(f'column "{column}"')
    for api in plan.constants:
        sources.setdefault(("header", api), []).append("a constant in the mapping")
    return [f"{'Field' if level == 'header' else 'Line field'} "
            f"{describe(module.field(api) if level == 'header' else module.line_field(api))}"
            " is fed by " + ", ".join(fed_by[:-1])
            + f" and {fed_by[-1]}; keep one, or list the others under ignore in a --mapping file"
            for (level, api), fed_by in sources.items() if len(fed_by) > 1]


# ---------------------------------------------------------------------------------------------
# Where the headings are

HEADER_SEARCH_ROWS = 10  # title rows people put above the headings (a report name, a date...)
MAX_SHOWN_HEADINGS = 6


def check_header_row(frame, module: Module, plan: ColumnPlan, mapping: Mapping | None = None) -> None:
    """MappingError when the column headings are evidently not on row 1: one of the first rows
    below it names more fields than row 1 does (title rows, or a merged group heading above the
    real headings), or no heading of row 1 names a field at all. Without this every row would
    come back "required" with no hint of why."""
    matched = _matched(plan)
    best_row, best = None, max(matched, 1)
    for row, cells in zip(frame.index[:HEADER_SEARCH_ROWS],
                          frame.head(HEADER_SEARCH_ROWS).itertuples(index=False, name=None), strict=True):
        found = _row_as_headings(cells, module, mapping)
        if found > best:
            best_row, best = int(row), found
    if best_row is not None:
        above = "row 1" if best_row == 2 else f"rows 1 to {best_row - 1}"
        cells = frame.loc[best_row].tolist()
        raise MappingError(
            f"Row {best_row} looks like the column headings ({_shown(cells)}), but bulkio reads "
            f"the headings from row 1. Delete {above} so the headings are on row 1, then run "
            "again.")
    if matched == 0 and plan.unknown:
        raise MappingError(
            f"None of the column headings on row 1 ({_shown(list(frame.columns))}) names a field "
            f"of {module.name}. bulkio reads the headings from row 1: delete any title rows above "
            "them, or map your columns to fields in a --mapping file (bulkio fields -m "
            f"{module.name} lists the fields).")


def _matched(plan: ColumnPlan) -> int:
    return len(plan.fields) + len(plan.line_fields) + (1 if plan.line_items_column else 0)


def _row_as_headings(cells, module: Module, mapping: Mapping | None) -> int:
    """How many fields a data row's cells would feed if they were the headings."""
    names = [str(c).strip() for c in cells]
    if sum(1 for n in names if n) < 2:
        return 0
    try:
        return _matched(match_columns(names, module, mapping))
    except (MappingError, ConfigError):
        return 0


def _shown(cells) -> str:
    texts = [f'"{str(c).strip()}"' for c in cells if str(c).strip()]
    return ", ".join(texts[:MAX_SHOWN_HEADINGS]) + (", ..." if len(texts) > MAX_SHOWN_HEADINGS else "")
