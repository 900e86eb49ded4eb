"""Documents with line items (invoices, bills, estimates, sales orders, purchase orders, credit
notes): a reader's table -> one checked payload per document.

Two layouts of one table are read (CONTRACT.md "Line items"; a two-sheet workbook comes as the second,
see `bulkio.readers.documents`): grouped rows, several rows per document (`bulkio.prepare.grouping`),
or a `line_items` column holding a JSON array of lines per row, each row one document. Lines are read
and typed by `bulkio.prepare.lines`.

Every problem of a document is reported on its first row (the report has one row per
document); a problem found on another row or line says where. A document with any problem is
left out whole: nothing is sent for it. Lookup columns (Customer Name, Item Name, SKU, Tax
Name, Tax %, Account Name) become ids through `bulkio.prepare.lookups.LookupResolver`; an id column
given on the row wins without any lookup.

Updating a document replaces its line items in Zoho: `bulkio.run.lineguard` (reads Zoho) turns
an update that would change or delete lines Zoho holds into a failure unless
--replace-line-items.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from bulkio.catalogue import Field, Module
from bulkio.errors import RowError
from bulkio.modes import Mode
from bulkio.prepare.columns import ColumnPlan
from bulkio.prepare.grouping import E_NO_KEY, group_rows, header_mismatches
from bulkio.prepare.lines import Line, collect_lines, line_payload, missing_lines, on_document, type_lines
from bulkio.prepare.lookups import normalise
from bulkio.prepare.mapper import build_payload, payload_hash
from bulkio.prepare.rowerrors import message
from bulkio.prepare.validation import ValidationResult, number_reading, resolve_key, validate_frame
from bulkio.prepare.workitem import WorkItem
from bulkio.readers import cell_flags


@dataclass
class DocumentBatch:
    """A file's documents, checked and mapped: what the import's prepare step needs.

    `items`: one WorkItem per valid document (row = its first row, payload with line items).
    `errors`: every problem, each on its document's first row. `groups`: first row -> all the
    spreadsheet rows of that document. `validation`: the same as a ValidationResult over
    documents (records = valid documents' header values, total_rows = documents).
    """

    items: list[WorkItem]
    errors: list[RowError]
    groups: dict[int, list[int]]
    validation: ValidationResult


def prepare_documents(frame: pd.DataFrame, module: Module, plan: ColumnPlan, *,
                      key_field: Field | str | None = None, mode: str = Mode.CREATE,
                      date_format: str | None = None, resolver=None,
                      decimal_separator: str | None = None,
                      clear_marker: str | None = None) -> DocumentBatch:
    """Group, check, look up and map the documents of `frame` (a reader's table).

    `resolver` (a `LookupResolver`) turns names into ids; without one (offline validation)
    lookup columns are left unresolved and their documents' payloads lack those ids.
    Raises ConfigError / MappingError as `validate_frame` does.

    Example:
        batch = prepare_documents(frame, module, plan, key_field="cf_order_ref",
                                  mode=Mode.UPSERT, resolver=LookupResolver(client))
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
    errors += [e for e in missing_lines(module, plan, documents, lines, mode)
               if e.row not in unreadable]
    early = {e.row for e in errors}
    records = [r for r in validation.records if r.row not in early]
    resolved: dict[int, dict[str, Any]] = {}
    if resolver is not None:
        errors += _resolve_headers(module, plan, validation.records, resolver, resolved)
        errors += _resolve_lines(module, lines, resolver)
    invalid = {e.row for e in errors}
    by_doc: dict[int, list[Line]] = {}
    for line in lines:
        by_doc.setdefault(line.doc, []).append(line)
    items = [_work_item(module, r, resolved.get(r.row, {}), by_doc.get(r.row, []), mode)
             for r in records if r.row not in invalid]
    errors.sort(key=lambda e: e.row)
    result = ValidationResult([r for r in records if r.row not in invalid], errors, invalid,
                              len(groups))
    return DocumentBatch(items, errors, groups, result)


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


def _resolve_lines(module: Module, lines: list[Line], resolver) -> list[RowError]:
    errors = []
    for line in lines:
        cells = {api: (line.cells[api][0], value) for api, value in line.values.items()}
        found, problem = _resolve(module.line_fields, cells, line.values, resolver,
                                  _id_label(module, header=False))
        line.values.update(found)
        if problem:
            errors.append(on_document(line, RowError(line.doc, *problem)))
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


def _work_item(module: Module, record, resolved: dict[str, Any], lines: list[Line],
               mode: str) -> WorkItem:
    values = {**record.values, **resolved}
    payload = build_payload(module, values, mode)
    if lines or mode == Mode.CREATE:
        # no line columns at all on an update: the document's lines stay as they are in Zoho
        payload[module.line_items_key] = [line_payload(module, line.values, line.extra, mode)
                                          for line in lines]
    return WorkItem(record.row, record.key, payload, payload_hash(payload),
                    name=_text(values.get(module.name_field)),
                    record_id=_text(values.get(module.id_field)))


def _text(value: Any) -> str | None:
    return None if value in (None, "") else str(value)
