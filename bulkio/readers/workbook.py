"""Rows of one XLSX worksheet: python-calamine when it can, openpyxl when it must."""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from xml.etree import ElementTree

from bulkio.errors import InputError

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_ERROR_CELL = b't="e"'


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
    them; a sheet holding any error cell is therefore read with openpyxl.
    """
    rows = None
    if not _has_error_cells(path, sheet):
        try:
            book = _calamine().CalamineWorkbook.from_path(str(path))
            rows = book.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        except Exception:  # noqa: BLE001 - missing or failing calamine: openpyxl reads it
            rows = None
    if rows is not None:
        yield from rows
        return
    with _openpyxl_book(path) as book:
        worksheet = book[sheet]
        worksheet.reset_dimensions()  # a wrong <dimension> tag must not cut data off
        yield from worksheet.iter_rows(values_only=True)


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


def _has_error_cells(path: Path, sheet: str) -> bool:
    try:
        with zipfile.ZipFile(path) as archive:
            part = _sheet_part(archive, sheet)
            if part is None:
                return False
            with archive.open(part) as stream:
                return _stream_contains(stream, _ERROR_CELL)
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return False


def _sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next(
        (s.get(f"{_REL}id") for s in workbook.iter(f"{_MAIN}sheet") if s.get("name") == sheet),
        None,
    )
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{_PKG}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    return None


def _stream_contains(stream, needle: bytes, block: int = 1 << 20) -> bool:
    tail = b""
    while chunk := stream.read(block):
        if needle in tail + chunk[: len(needle)] or needle in chunk:
            return True
        tail = chunk[-len(needle) :]
    return False
