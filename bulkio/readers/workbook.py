"""Rows of one XLSX worksheet: python-calamine when it can, openpyxl when it must.

Memory and time follow the cells that hold something, never the extent a file claims: a
sheet whose written cells would make calamine's dense grid much larger than they are (one
stray space in XFD1048576) is read by openpyxl's streaming reader instead, and only the
cells holding something are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bulkio.errors import InputError
from bulkio.readers import detect, sheetxml
from bulkio.readers.cells import ERROR, UNCACHED, CellFlag
from bulkio.readers.numfmt import padding_format


@dataclass
class SheetRead:
    """A sheet being read: `rows` gives (row number from 1, cell values from column A) for
    the rows holding something, in order; `flags` maps (row, 0-based column) to the cells
    whose text is not a value (Excel errors, formulas without a saved result). `flags` may
    grow while `rows` is consumed; it is complete for the rows handed out so far."""

    rows: Iterator[tuple[int, list | tuple]]  # blank rows may be left out
    flags: dict[tuple[int, int], CellFlag] = field(default_factory=dict)


def check_workbook(path: Path) -> None:
    """InputError naming the file and what to do, unless it is an XLSX package (a zip
    holding xl/workbook.xml): encrypted workbooks, old .xls, ODS and other files."""
    kind = detect.container_kind(path)
    if kind == "xlsx":
        return
    raise InputError(f"{path.name}: {detect.CONTAINER_ADVICE[kind]}")


def sheet_entries(path: Path) -> list[sheetxml.SheetEntry]:
    """The workbook's worksheets in tab order, with whether each is hidden."""
    entries = _calamine_entries(path)
    if entries is None:
        entries = sheetxml.workbook_sheets(path)
    if entries is None:
        with _openpyxl_book(path) as book:
            entries = [sheetxml.SheetEntry(s.title, s.sheet_state != "visible") for s in book.worksheets]
    return entries


def sheet_names(path: Path) -> list[str]:
    """The workbook's worksheet names, in tab order."""
    return [entry.name for entry in sheet_entries(path)]


def hidden_sheets(path: Path) -> frozenset[str]:
    """The names of the sheets Excel hides (hidden or very hidden)."""
    return frozenset(entry.name for entry in sheet_entries(path) if entry.hidden)


def resolve_sheet(names: list[str], sheet: str | int | None, source: str,
                  hidden: frozenset[str] | set[str] = frozenset()) -> str:
    """The sheet asked for by name (case and spacing forgiven if unambiguous) or 0-based
    index; without one, the first sheet not in `hidden`: a hidden sheet is read only when
    asked for by name or index."""
    if not names:
        raise InputError(f"{source}: the workbook has no worksheets")
    if sheet is None:
        visible = [n for n in names if n not in hidden]
        if not visible:
            raise InputError(f"{source}: every sheet of the workbook is hidden; choose one with "
                             "--sheet, or unhide it in Excel")
        return visible[0]
    if isinstance(sheet, int) and not isinstance(sheet, bool):
        if 0 <= sheet < len(names):
            return names[sheet]
    elif sheet in names:
        return sheet
    else:
        loose = [n for n in names if _loose(n) == _loose(str(sheet))]
        if len(loose) == 1:
            return loose[0]
    listed = ", ".join(f"'{n}'" for n in names)
    raise InputError(f"{source}: no sheet {sheet!r}; the workbook has {listed}; choose one with --sheet")


def read_sheet(path: Path, sheet: str) -> SheetRead:
    """The rows of `sheet` holding something, and the cells whose text is no value.

    calamine turns error cells (#N/A, #DIV/0!) and formulas without a saved result into
    empty text; the sheet's XML says where they are (sheetxml.scan_sheet), so error cells
    keep their text and both are flagged. Numbers under a zero-padding format ("00000")
    come as the padded text Excel shows ("00123"), from either reader; see numfmt.
    """
    styles = sheetxml.padding_styles(path)
    scan = sheetxml.scan_sheet(path, sheet, styles)
    if scan.unplaced_formulas:
        raise InputError(
            f"{path.name}: sheet '{sheet}' holds {scan.unplaced_formulas} formula(s) whose result "
            "was never saved (the file was written by a program, not by Excel); open it in Excel, "
            "save it, and run the same command again")
    flags = {(row, column - 1): CellFlag(ERROR, text) for (row, column), text in scan.errors.items()}
    flags.update({(row, column - 1): CellFlag(UNCACHED, formula)
                  for (row, column), formula in scan.uncached.items()})
    if scan.located and scan.dense_ok():
        rows = calamine_rows(path, sheet)
        if rows is not None:
            _pad_cells(rows, scan.padded)
            _show_errors(rows, scan.errors)
            _show_errors(rows, scan.long_integers)
            return SheetRead(enumerate(rows, start=1), flags)  # bounded: dense_ok
    walk = bool(styles) or not scan.located
    rows = _openpyxl_rows(path, sheet, walk, None if scan.located else flags)
    return SheetRead(_holding(_unescaped(rows) if scan.escaped else rows), flags)


def calamine_rows(path: Path, sheet: str) -> list[list] | None:
    """Every row of `sheet` from A1 as calamine's dense grid reads it; None when calamine is
    missing or fails (openpyxl reads the sheet then)."""
    try:
        book = load_calamine().CalamineWorkbook.from_path(str(path))
        return book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    except Exception:  # missing or failing calamine: openpyxl reads it
        return None


def _calamine_entries(path: Path) -> list[sheetxml.SheetEntry] | None:
    try:
        book = load_calamine().CalamineWorkbook.from_path(str(path))
        metadata = book.sheets_metadata
        visible = load_calamine().SheetVisibleEnum.Visible
        worksheet = load_calamine().SheetTypeEnum.WorkSheet  # chartsheets hold no cells
        return [sheetxml.SheetEntry(m.name, m.visible != visible) for m in metadata
                if m.typ == worksheet]
    except Exception:  # an older calamine, or none: the XML says
        return None


def _unescaped(rows) -> Iterator[tuple[int, list | tuple]]:
    """Strings with their escaped characters ("_x000D_") decoded, as calamine and Excel show
    them; openpyxl's streaming reader leaves them as written."""
    for number, row in rows:
        yield number, [sheetxml.ESCAPE.sub(_escaped_char, v) if type(v) is str and "_x" in v else v
                       for v in row]


def _escaped_char(match) -> str:
    return chr(int(match.group(1), 16))


def _holding(rows) -> Iterator[tuple[int, list | tuple]]:
    """The numbered rows with their trailing empty cells cut off, rows left empty dropped."""
    for number, row in rows:
        end = len(row)
        while end and _blank(row[end - 1]):
            end -= 1
        if end:
            yield number, row if end == len(row) else row[:end]


def _blank(value: object) -> bool:
    return value is None or (type(value) is str and not value.strip())


def _pad_cells(rows: list[list], padded: dict) -> list[list]:
    for (row, column), pad in padded.items():
        if row <= len(rows) and column <= len(rows[row - 1]):
            text = pad.render(rows[row - 1][column - 1])
            if text is not None:
                rows[row - 1][column - 1] = text
    return rows


def _show_errors(rows: list[list], errors: dict) -> None:
    """Put texts calamine cannot give in place: error cells, which it leaves empty, get the
    text Excel shows (#N/A); integers past float precision their digits as written."""
    for (row, column), text in errors.items():
        if row <= len(rows) and column <= len(rows[row - 1]):
            rows[row - 1][column - 1] = text


def _openpyxl_rows(path: Path, sheet: str, walk: bool, flags: dict | None) -> Iterator[tuple[int, list | tuple]]:
    """Numbered rows from openpyxl's streaming reader. `walk`: look at each cell (formats,
    or error cells without a reference, which land in `flags` when it is given)."""
    with _openpyxl_book(path) as book:
        if sheet not in book.sheetnames:
            raise InputError(_unreadable_sheet(path, sheet))
        worksheet = book[sheet]
        worksheet.reset_dimensions()  # a wrong <dimension> tag must not cut data off
        if not walk:  # values only is quicker; nothing in the book pads with zeros
            yield from enumerate(worksheet.iter_rows(values_only=True), start=1)
            return
        for number, row in enumerate(worksheet.iter_rows(), start=1):
            if flags is not None:
                flags.update({(number, pos): CellFlag(ERROR, str(cell.value))
                              for pos, cell in enumerate(row) if cell.data_type == "e"})
            yield number, [_shown(cell) for cell in row]


def _unreadable_sheet(path: Path, sheet: str) -> str:
    # openpyxl lists no sheet of a strict workbook: it knows only the transitional namespaces
    if sheetxml.is_strict(path):
        return (f"{path.name}: sheet '{sheet}' is saved as 'Strict Open XML Spreadsheet', which "
                "bulkio reads only for small, plain sheets; open it in Excel and save it as "
                "'Excel Workbook (.xlsx)'")
    return (f"{path.name}: sheet '{sheet}' cannot be read; open the file in Excel and save it "
            "again as .xlsx")


def _shown(cell) -> object:
    value = cell.value
    if type(value) is float or type(value) is int:
        pad = padding_format(cell.number_format)
        if pad is not None:
            text = pad.render(value)
            return value if text is None else text
    return value


def load_calamine():
    """The python_calamine module; ImportError when it is not installed."""
    import python_calamine  # optional speed-up; openpyxl reads everything too

    return python_calamine


@contextmanager
def _openpyxl_book(path: Path):
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any failure here means "not a workbook we can read"
        raise InputError(f"{path.name}: cannot read it as an XLSX workbook ({exc}); open it in "
                         "Excel and save it again as .xlsx") from None
    try:
        yield book
    finally:
        book.close()


def _loose(name: str) -> str:
    return "".join(name.split()).casefold()
