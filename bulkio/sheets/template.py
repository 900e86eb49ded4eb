"""An empty import workbook for a module: a person fills it in, `bulkio import` reads it as it is.

Sheet 1 holds one column per importable field (the organisation's custom fields included when
the module was merged with them), headed by the name the column matcher knows, so no mapping
file is needed. Required columns are marked by style (bold, red fill) and a comment, never by
changing the header text. Dropdowns and check boxes get list validation (long lists read from
a hidden "Lists" sheet), text fields a length check, dates and numbers a format. A "Notes"
sheet explains every column in one sentence.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from bulkio.catalogue import Field, Module
from bulkio.catalogue.spelling import field_index
from bulkio.errors import ConfigError
from bulkio.sheets.cells import fit_width
from bulkio.sheets.choices import ChoiceLists, check_column, choice_validation
from bulkio.sheets.headers import column_header
from bulkio.sheets.saving import AtomicFile, writing
from bulkio.sheets.xlsx import NUMBER_FORMATS, TEXT_FORMAT, set_widths, text_cell

NOTES_SHEET = "Notes"
REQUIRED_FILL = "FFC7CE"
HEADER_FILL = "DDEBF7"
FORMATS = {**NUMBER_FORMATS, "decimal": "0.########", "percent": "0.########"}
KINDS = {
    "string": "text", "multiline": "text (line breaks allowed)", "number": "a whole number",
    "decimal": "a number such as 2.5", "amount": "an amount such as 12.50",
    "percent": "a percentage as a plain number (12.5 for 12.5%)", "date": "a date, yyyy-mm-dd",
    "check_box": "TRUE or FALSE", "dropdown": "one of the listed values",
    "email": "an email address", "url": "a web address", "phone": "a phone number",
    "id": "a Zoho id (digits)",
}
OFFLINE_NOTE = ("Custom fields of your organisation are not included: no connection settings were "
                "available. Set ZOHO_ORGANIZATION_ID and the ZOHO_* credentials (or --org/--api-url) "
                "and run bulkio template again to add them.")


def template_fields(module: Module) -> tuple[list[Field], list[Field]]:
    """(header fields, line fields) a person can fill in: writable ones, keys first, then the
    required, then the other standard fields, then the other custom fields."""
    writable = [f for f in module.writable_fields if f.level == "header"]
    keys = [f for f in writable if f.custom and f.unique]
    required = [f for f in writable if f.required and f not in keys]
    rest = [f for f in writable if f not in keys and f not in required]
    header = keys + required + [f for f in rest if not f.custom] + [f for f in rest if f.custom]
    lines = [f for f in module.line_fields if not f.read_only and f.active] if module.is_document else []
    return _beside_targets(header), _beside_targets(lines)


def _beside_targets(fields: list[Field]) -> list[Field]:
    """Each lookup column moved right after the column it stands in for: a person who reads
    "Customer ID: required (or fill Customer Name)" finds Customer Name beside it, not 40
    columns away, and "Item Name" sits by "Item ID" instead of after every tax code."""
    targets = {f.api_name for f in fields}
    moving = [f for f in fields if f.lookup is not None and f.lookup.target in targets]
    ordered = [f for f in fields if f not in moving]
    for f in moving:
        at = max(i for i, g in enumerate(ordered)
                 if f.lookup.target in (g.api_name, g.lookup.target if g.lookup else None))
        ordered.insert(at + 1, f)
    return ordered


def build_template(module: Module, path, *, connected: bool = True) -> Path:
    """Write the import workbook for `module` to `path` (.xlsx) and return the path.

    `connected=False` says the module holds the catalogue only (no custom fields were asked
    for); the Notes sheet then says so.

    Example: build_template(load_fields(client, "items"), "items-template.xlsx")
    """
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ConfigError(f"-o {path.name}: a template is an .xlsx workbook; end the name with .xlsx")
    header, lines = template_fields(module)
    columns = _headed(module, header, lines)
    book = Workbook()
    sheet = book.active
    sheet.title = (module.title or module.name)[:31]
    lists = ChoiceLists(book)
    sheet.append([_column(sheet, number, text, f, module, lists)
                  for number, (text, f) in enumerate(columns, start=1)])
    sheet.freeze_panes = "A2"
    _notes(book.create_sheet(NOTES_SHEET), module, columns, connected)
    lists.finish()
    with AtomicFile(path) as temporary, writing(path):
        book.save(temporary)
    return path


def _headed(module: Module, header: list[Field], lines: list[Field]) -> list[tuple[str, Field]]:
    header_index = field_index(module.fields)
    line_index = field_index(module.line_fields)
    return ([(column_header(f, header_index), f) for f in header]
            + [(column_header(f, line_index, blocked=header_index), f) for f in lines])


def _column(sheet, number: int, text: str, f: Field, module: Module, lists: ChoiceLists):
    """Set up column `number` for field `f` (width, format, validation); return its header cell."""
    cell = text_cell(sheet, text)
    required = f.required and f.level == "header"
    cell.font = Font(bold=True)
    cell.fill = PatternFill("solid", fgColor=REQUIRED_FILL if required else HEADER_FILL)
    cell.comment = Comment(describe_column(text, f, module), "bulkio", width=320, height=120)
    dimension = sheet.column_dimensions[get_column_letter(number)]
    dimension.width = fit_width(len(text) + 4)
    dimension.number_format = FORMATS.get(f.type, TEXT_FORMAT if f.type != "check_box" else "General")
    validation = _validation(f, lists)
    if validation is not None:
        check_column(sheet, validation, number)
    return cell


def _validation(f: Field, lists: ChoiceLists):
    """The data validation for a field's column, or None."""
    check = choice_validation(f, lists)
    if check is not None:
        return check
    if f.type in ("number", "decimal", "amount", "percent"):
        kind = "whole" if f.type == "number" else "decimal"
        check = DataValidation(type=kind, operator="between", formula1="-1E+15", formula2="1E+15",
                               allow_blank=True, errorStyle="warning")
        check.error = f"{f.label} takes {KINDS[f.type]}."
    elif f.max_length and f.type in ("string", "multiline", "email", "url", "phone"):
        check = DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(f.max_length),
                               allow_blank=True)
        check.error = f"{f.label} takes at most {f.max_length} characters."
    else:
        return None
    check.errorTitle = f.label[:32]
    check.showErrorMessage = True
    return check


def describe_column(header: str, f: Field, module: Module) -> str:
    """One sentence about a column: what it holds, whether it is required, its limits.

    >>> items = load_module("items")
    >>> describe_column("Item Name", items.field("name"), items)
    'Item Name: text; required; at most 100 characters.'
    """
    parts = [f"{header}: {_kind(f)}"]
    if f.required and f.level == "header":
        alternatives = [g.label for g in module.fields if g.lookup and g.lookup.target == f.api_name]
        parts.append("required" + (f" (or fill {' or '.join(alternatives)})" if alternatives else ""))
    target = None
    if f.lookup is not None:
        find = module.line_field if f.level == "line" else module.field
        target = find(f.lookup.target)
    if target is not None:
        parts.append(f"fill it instead of {target.label}")
    if f.unique:
        parts.append("unique: no two records share it, so it can be the key (-k) that updates them")
    if f.max_length and f.type in ("string", "multiline", "email", "url", "phone"):
        parts.append(f"at most {f.max_length} characters")
    if f.values:
        parts.append("allowed: " + ", ".join(f.values))
    if f.level == "line":
        parts.append("one row per line item; rows with the same document key form one document")
    elif module.is_document and _join_field(module) == f:
        parts.append(f"write the same value on every row (line) of one {module.singular or 'document'}")
    if f.custom:
        parts.append("custom field of your organisation")
    return "; ".join(parts) + "."


def _kind(f: Field) -> str:
    if f.lookup is not None:
        return f"the {' or '.join(f.lookup.match)} of one of your {f.lookup.module} (bulkio finds its id)"
    return KINDS.get(f.type, "text")


def _notes(sheet, module: Module, columns: list[tuple[str, Field]], connected: bool) -> None:
    heads = ("Column", "Field", "Type", "Required", "Max length", "Allowed values", "Explanation")
    _append_text(sheet, heads)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for text, f in columns:
        _append_text(sheet, [text, f.api_name, f.type, "yes" if f.required and f.level == "header" else "",
                             f.max_length, ", ".join(f.values), describe_column(text, f, module)])
    sheet.append([])
    general = _how_to_fill(module) + [
        "Required columns have a red header. Leave a cell empty to leave the field as it is. "
        "To clear a field in Zoho, write a marker such as #CLEAR in the cell and import with "
        '--clear-marker "#CLEAR"; without that option no cell clears anything.',
        "Type values, or formulas Excel has calculated: a cell showing an error such as #N/A "
        "or #DIV/0! is refused, so fix its formula first.",
    ]
    if not connected:
        general.append(OFFLINE_NOTE)
    for line in general:
        _append_text(sheet, [line])
    set_widths(sheet, (28, 24, 12, 10, 11, 40, 90))
    for row in sheet.iter_rows(min_row=2, min_col=7, max_col=7):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")


def _how_to_fill(module: Module) -> list[str]:
    """The Notes sheet's first lines: what one row is and the import command that reads it.

    For documents a row is a line item, and the one thing a person cannot guess is how rows
    come together: by the same key on consecutive rows (documents.py groups them so)."""
    key = _key_field(module)
    command = f"bulkio import FILE -m {module.name}" + (f' -k "{key.label}"' if key else "")
    thing = module.singular or "record"
    if not module.is_document:
        return [f"Fill one row per {thing} on the first sheet and import it with {command}."]
    join = _join_field(module)
    if join is None:
        return [f"Fill one row per line item on the first sheet and import it with {command}."]
    return [
        f"Fill one row per line item on the first sheet: {_article(thing)} {thing} with three lines takes three rows, "
        f"one under the other, each with the same {join.label}. Rows next to each other with the same "
        f"{join.label} form one {thing}; its own columns (customer, dates, notes...) are read from its "
        f"first row and may be left empty on the rows below.",
        f"Import it with {command}.",
    ]


def _article(noun: str) -> str:
    return "an" if noun[:1].lower() in "aeiou" else "a"


def _key_field(module: Module) -> Field | None:
    return next((f for f in module.fields if f.custom and f.unique and f.active), None)


def _join_field(module: Module) -> Field | None:
    """The column whose repeated value ties a document's rows together: the key, else the number."""
    return _key_field(module) or (module.field(module.number_field) if module.number_field else None)


def _append_text(sheet, values) -> None:
    """Append a row whose text cells stay text even when they begin with = or +."""
    sheet.append([_note_cell(sheet, v) for v in values])


def _note_cell(sheet, value):
    if value in ("", None):
        return None
    return text_cell(sheet, value) if isinstance(value, str) else value
