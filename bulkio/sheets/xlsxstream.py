"""An XLSX workbook written as a stream: each sheet's XML goes straight into the zip, a batch
of rows at a time, with no cell objects in between.

openpyxl's write-only mode builds an object per cell and an XML element per object: a report of
100,000 rows x 26 columns took half a minute. This writer knows the few things a report sheet
holds — text cells (inline strings, as openpyxl writes them), one column of numbers, a bold
header, a fill per row in one column, a frozen header row, an autofilter and column widths —
and writes them as openpyxl would, so the workbook reads back the same with openpyxl, Excel or
LibreOffice. Memory stays one batch of rows, whatever the number of rows.

Example:
    book = StreamedWorkbook(Path("r.xlsx"), fills=("C6EFCE", "FFC7CE"))
    sheet = book.add_sheet("Report", ["row", "status"], widths=[8, 12], number_column=0, fill_column=1)
    sheet.append([["2", "valid"], ["3", "invalid"]], fills=[0, 1])
    book.close()
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from bulkio.sheets.cells import ILLEGAL_CHARACTERS, MAX_CELL

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_BOLD_STYLE = 1  # cellXfs: 0 plain, 1 bold, 2... one per fill
_NEEDS_CARE = re.compile(r"[\001-\010\013\014\016-\037&<>]")  # a cell to clean or escape (\0 apart)


class StreamedWorkbook:
    """A workbook at `path`, its sheets written one after another (`add_sheet`, then that
    sheet's `append`s); `close` ends it. `fills` are the solid fill colours (RRGGBB) a row's
    fill column can take, by position."""

    def __init__(self, path: Path, fills: Sequence[str] = ()):
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._fills = tuple(fills)
        self._titles: list[str] = []
        self._filters: list[str] = []
        self._sheet: StreamedSheet | None = None

    def add_sheet(self, title: str, header: Sequence[str], widths: Sequence[float], *,
                  number_column: int = -1, fill_column: int = -1) -> StreamedSheet:
        """A new sheet (the one before it is ended) with a bold, frozen `header` row; the
        cells of `number_column` are written as numbers, and `fill_column` takes each row's fill."""
        self._end_sheet()
        self._titles.append(title)
        part = self._zip.open(f"xl/worksheets/sheet{len(self._titles)}.xml", "w", force_zip64=True)
        self._sheet = StreamedSheet(part, header, widths, number_column, fill_column)
        return self._sheet

    def close(self) -> None:
        """End the last sheet and write the workbook's own parts."""
        self._end_sheet()
        count = len(self._titles)
        parts = {
            "[Content_Types].xml": _content_types(count),
            "_rels/.rels": _relationships([("rId1", f"{_RELS}/officeDocument", "xl/workbook.xml")]),
            "xl/workbook.xml": _workbook(self._titles, self._filters),
            "xl/_rels/workbook.xml.rels": _relationships(
                [(f"rId{i}", f"{_RELS}/worksheet", f"worksheets/sheet{i}.xml") for i in range(1, count + 1)]
                + [(f"rId{count + 1}", f"{_RELS}/styles", "styles.xml")]),
            "xl/styles.xml": _styles(self._fills),
        }
        for name, text in parts.items():
            self._zip.writestr(name, text)
        self._zip.close()

    def discard(self) -> None:
        """Stop writing (the file is left incomplete, for the caller to remove)."""
        if self._sheet is not None:
            self._sheet.part.close()
            self._sheet = None
        self._zip.close()

    def _end_sheet(self) -> None:
        if self._sheet is not None:
            self._filters.append(self._sheet.end())
            self._sheet = None


class StreamedSheet:
    """One sheet's XML, written a batch of rows at a time."""

    def __init__(self, part, header: Sequence[str], widths: Sequence[float], number_column: int, fill_column: int):
        self.part, self.rows = part, 1
        self._columns = len(header)
        self._letters = [column_letter(i + 1) for i in range(self._columns)]
        self._number_column, self._fill_column = number_column, fill_column
        self._template = _row_template(self._letters, number_column, fill_column)
        cols = "".join(f'<col width="{_number(w)}" customWidth="1" min="{i}" max="{i}" />'
                       for i, w in enumerate(widths, start=1))
        self._write(f'<worksheet xmlns="{_MAIN}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" />'
                    '<pageSetUpPr /></sheetPr><sheetViews><sheetView workbookViewId="0">'
                    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen" />'
                    '<selection pane="bottomLeft" activeCell="A1" sqref="A1" /></sheetView></sheetViews>'
                    '<sheetFormatPr baseColWidth="8" defaultRowHeight="15" />'
                    + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
                    + _row(1, self._letters, [_cell_text(h) for h in header], f' s="{_BOLD_STYLE}"'))

    def append(self, body: Sequence[Sequence[str]], fills: Sequence[int] | None = None) -> None:
        """Write these rows (text cells; a fill index per row when the sheet has a fill column)."""
        chunk = []
        for i, values in enumerate(body):
            self.rows += 1
            chunk.append(self._row(self.rows, values, _BOLD_STYLE + 1 + fills[i] if fills else 0))
            if len(chunk) >= 1000:
                self._write("".join(chunk))
                chunk = []
        self._write("".join(chunk))

    def _row(self, n: int, values: Sequence[str], style: int) -> str:
        # One str.format per row; a row whose cells need cleaning, escaping or their spaces
        # kept (rare) is written cell by cell.
        joined = "\x00".join(values)
        plain = (len(values) == self._columns and len(joined) <= MAX_CELL and not _NEEDS_CARE.search(joined)
                 and joined.count("\x00") == self._columns - 1)
        # an empty number cell (a report row standing for no input row) is written as text
        empty_number = self._number_column >= 0 and not values[self._number_column]
        if plain and not empty_number and "\x00".join(map(str.strip, values)) == joined:
            number = int(values[self._number_column]) if self._number_column >= 0 else 0
            return self._template.format(n, style, number, *values).replace("<is><t></t></is>", "")
        texts = values if plain else [_cell_text(v) for v in values]
        cells = [_cell(f"{letter}{n}", v) for letter, v in zip(self._letters, texts, strict=False)]
        if self._number_column >= 0 and not empty_number:
            at = self._number_column
            cells[at] = f'<c r="{self._letters[at]}{n}" t="n"><v>{int(values[at])}</v></c>'
        if self._fill_column >= 0:
            at = self._fill_column
            cells[at] = _cell(f"{self._letters[at]}{n}", texts[at], f' s="{style}"')
        return f'<row r="{n}">{"".join(cells)}</row>'

    def end(self) -> str:
        """Close the sheet's XML; its autofilter's range (empty for a sheet without columns)."""
        ref = f"A1:{self._letters[-1]}{self.rows}" if self._columns else ""
        self._write("</sheetData>" + (f'<autoFilter ref="{ref}" />' if ref else "")
                    + '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5" />'
                    "</worksheet>")
        self.part.close()
        return ref

    def _write(self, text: str) -> None:
        self.part.write(text.encode("utf-8"))


def column_letter(number: int) -> str:
    """The letters of column `number` (1 = A, 27 = AA)."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _row_template(letters: Sequence[str], number_column: int, fill_column: int) -> str:
    """A row as a str.format template: {0} the row's number, {1} the fill's style, {2} the number
    cell's value, {3}... the cells' texts (an empty cell's <is><t></t></is> is removed after)."""
    cells = []
    for at, letter in enumerate(letters):
        ref = f'r="{letter}{{0}}"'
        if at == number_column:
            cells.append(f'<c {ref} t="n"><v>{{2}}</v></c>')
        else:
            style = ' s="{1}"' if at == fill_column else ""
            cells.append(f'<c {ref}{style} t="inlineStr"><is><t>{{{at + 3}}}</t></is></c>')
    return '<row r="{0}">' + "".join(cells) + "</row>"


def _row(n: int, letters: Sequence[str], texts: Sequence[str], style: str) -> str:
    cells = "".join(_cell(f"{letter}{n}", v, style) for letter, v in zip(letters, texts, strict=False))
    return f'<row r="{n}">{cells}</row>'


def _cell(ref: str, text: str, style: str = "") -> str:
    """A text cell (`text` escaped already); an empty one as openpyxl writes it."""
    if not text:
        return f'<c r="{ref}"{style} t="inlineStr" />'
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{_space(text)}>{text}</t></is></c>'


def _cell_text(value: str) -> str:
    """A cell's text as an XLSX holds it (see cells.excel_text), escaped for XML."""
    return _escape(ILLEGAL_CHARACTERS.sub("", value)[:MAX_CELL])


def _space(text: str) -> str:
    # openpyxl's rule: text with spaces at an end (and something else) keeps them explicitly
    stripped = text.strip()
    return ' xml:space="preserve"' if stripped and stripped != text else ""


def _number(width: float) -> str:
    return str(int(width)) if float(width).is_integer() else repr(float(width))


def _workbook(titles: list[str], filters: list[str]) -> str:
    sheets = "".join(f'<sheet name="{_attribute(t)}" sheetId="{i}" state="visible" r:id="rId{i}" />'
                     for i, t in enumerate(titles, start=1))
    names = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{_escape(_absolute(title, ref))}</definedName>"
        for i, (title, ref) in enumerate(zip(titles, filters, strict=True)) if ref)
    return (f'<workbook xmlns:r="{_RELS}" xmlns="{_MAIN}"><workbookPr /><bookViews><workbookView '
            'visibility="visible" minimized="0" showHorizontalScroll="1" showVerticalScroll="1" '
            'showSheetTabs="1" tabRatio="600" firstSheet="0" activeTab="0" autoFilterDateGrouping="1" />'
            f"</bookViews><sheets>{sheets}</sheets>"
            + (f"<definedNames>{names}</definedNames>" if names else "")
            + '<calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>')


def _absolute(title: str, ref: str) -> str:
    start, end = ref.split(":")
    quoted = title.replace("'", "''")
    return f"'{quoted}'!{_dollars(start)}:{_dollars(end)}"


def _dollars(cell: str) -> str:
    letters = cell.rstrip("0123456789")
    return f"${letters}${cell[len(letters):]}"


def _styles(fills: tuple[str, ...]) -> str:
    fill_xml = "".join(f'<fill><patternFill patternType="solid"><fgColor rgb="00{c}" /></patternFill></fill>'
                       for c in fills)
    xfs = ('<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" />'
           '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" />'
           + "".join(f'<xf numFmtId="0" fontId="0" fillId="{i + 2}" borderId="0" applyFill="1" xfId="0" />'
                     for i in range(len(fills))))
    return (f'<styleSheet xmlns="{_MAIN}"><fonts count="2"><font><sz val="11" /><name val="Calibri" />'
            '<family val="2" /><scheme val="minor" /></font><font><b val="1" /><sz val="11" />'
            '<name val="Calibri" /><family val="2" /><scheme val="minor" /></font></fonts>'
            f'<fills count="{len(fills) + 2}"><fill><patternFill /></fill>'
            f'<fill><patternFill patternType="gray125" /></fill>{fill_xml}</fills>'
            '<borders count="1"><border><left /><right /><top /><bottom /><diagonal /></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>'
            f'<cellXfs count="{len(fills) + 2}">{xfs}</cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" /></cellStyles>'
            "</styleSheet>")


def _content_types(sheets: int) -> str:
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_SHEET_TYPE}" />'
                        for i in range(1, sheets + 1))
    return ('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
            '<Default Extension="xml" ContentType="application/xml" />'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" />'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml" />'
            f"{overrides}</Types>")


def _relationships(links: list[tuple[str, str, str]]) -> str:
    body = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}" />' for rid, kind, target in links)
    return f'<Relationships xmlns="{_PACKAGE_RELS}">{body}</Relationships>'


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attribute(text: str) -> str:
    return _escape(text).replace('"', "&quot;")
