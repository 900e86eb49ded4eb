"""Rows of one XLSX worksheet: python-calamine when it can, openpyxl when it must."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bulkio.errors import InputError
from bulkio.readers import sheetxml
from bulkio.readers.numfmt import padding_format


def sheet_names(path: Path) -> list[str]:
    """The workbook's worksheet names, in tab order."""
    try:
        return list(_calamine().CalamineWorkbook.from_path(str(path)).sheet_names)
    except Exception:  # noqa: BLE001 - any calamine failure: let openpyxl have a go
        with _openpyxl_book(path) as book:
            return list(book.sheetnames)


def resolve_sheet(names: list[str], sheet: str | int | None, source: str) -> str:
    """The sheet asked for by name (case and spacing forgiven if unambiguous) or 0-based index."""
    if not names:
        raise InputError(f"{source}: the workbook has no worksheets")
    if sheet is None:
        return names[0]
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


def iter_sheet_rows(path: Path, sheet: str) -> Iterator[list | tuple]:
    """Raw cell values of every row from row 1, blank rows included, so positions are rows.

    calamine turns error cells (#N/A, #DIV/0!) into empty text, which would silently lose
    them; a sheet holding any error cell is therefore read with openpyxl. Numbers under a
    zero-padding format ("00000") come as the padded text Excel shows ("00123"), from
    either reader; see numfmt.
    """
    styles = sheetxml.padding_styles(path)
    scan = sheetxml.scan_sheet(path, sheet, styles)
    rows = None
    if not scan.has_errors and scan.located:
        try:
            book = _calamine().CalamineWorkbook.from_path(str(path))
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001 - missing or failing calamine: openpyxl reads it
            rows = None
    if rows is not None:
        yield from _pad_cells(rows, scan.padded)
        return
    yield from _openpyxl_rows(path, sheet, formats=bool(styles))


def _pad_cells(rows: list[list], padded: dict) -> list[list]:
    for (row, column), pad in padded.items():
        if row <= len(rows) and column <= len(rows[row - 1]):
            text = pad.render(rows[row - 1][column - 1])
            if text is not None:
                rows[row - 1][column - 1] = text
    return rows


def _openpyxl_rows(path: Path, sheet: str, formats: bool) -> Iterator[list | tuple]:
    with _openpyxl_book(path) as book:
        worksheet = book[sheet]
        worksheet.reset_dimensions()  # a wrong <dimension> tag must not cut data off
        if not formats:  # values only is quicker; nothing in the book pads with zeros
            yield from worksheet.iter_rows(values_only=True)
            return
        for row in worksheet.iter_rows():
            yield [_shown(cell) for cell in row]


def _shown(cell) -> object:
    value = cell.value
    if type(value) is float or type(value) is int:
        pad = padding_format(cell.number_format)
        if pad is not None:
            text = pad.render(value)
            return value if text is None else text
    return value


def _calamine():
    import python_calamine  # optional speed-up; openpyxl reads everything too

    return python_calamine


@contextmanager
def _openpyxl_book(path: Path):
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure here means "not a workbook we can read"
        raise InputError(f"{path.name}: cannot read it as an XLSX workbook ({exc})") from None
    try:
        yield book
    finally:
        book.close()


def _loose(name: str) -> str:
    return "".join(name.split()).casefold()
