"""Quick looks inside an XLSX package without parsing its sheets: extent, error cells,
formulas without a saved result, padded cells, sheet visibility.

calamine gives values only, and builds a dense grid from the first to the last cell written.
What it loses (error cells, formulas whose result was never saved, the number format that
shows 123 as 00123) and what it would cost (the grid's size) are found here by scanning the
raw sheet XML for a few byte patterns, which costs a fraction of reading the sheet.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from xml.etree import ElementTree

from bulkio.readers.numfmt import PadFormat, padding_format

_STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
_ERROR_CELL = re.compile(rb"""\st=["']e["']""")
_BLOCK = 1 << 22
_CELL_TAG = re.compile(rb"<(?:[\w.-]+:)?c\s")
_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Z]{1,3})([0-9]+)["']""")
# Every cell reference of a block in one C-level findall: the grid's extent without a loop.
_ANY_REF = re.compile(rb"""<(?:[\w.-]+:)?c\s[^>]*?\br=["']([A-Z]{1,3})([0-9]+)["']""")
_COLUMN_REFS = re.compile(rb""" r=["']([A-Z]{1,3})[0-9]""")
_ROW_REFS = re.compile(rb""" r=["'][A-Z]{1,3}([0-9]+)["']""")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v>([^<]*)</(?:[\w.-]+:)?v>")
# A formula element followed by no value, or an empty one, before the cell ends.
_UNCACHED = re.compile(
    rb"<(?:[\w.-]+:)?f(?:\s[^>]*)?(?:/>|>([^<]*)</(?:[\w.-]+:)?f>)\s*"
    rb"(?:<(?:[\w.-]+:)?v\s*/>|<(?:[\w.-]+:)?v>\s*</(?:[\w.-]+:)?v>)?\s*</(?:[\w.-]+:)?c>")
# An integer of 16 digits or more: calamine reads it as a float, which changes its last digits
# (the literal prefix "v>" lets the regex engine skip ahead: half the time of "<(x:)?v>")
_LONG_INTEGER = re.compile(rb"v>(-?[0-9]{16,})</")
_TYPED = re.compile(rb"""\st=["'](?!n["'])""")
# An escaped character in a string (ST_Xstring: "_x000D_" is a carriage return)
ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_ESCAPE = re.compile(ESCAPE.pattern.encode())
_TEXT_RESULT = re.compile(rb"""\st=["']str["']""")


@dataclass
class SheetScan:
    """What calamine would miss in one sheet, and how big its grid would be.

    `padded` maps (row, column), both from 1, to the format of each cell styled with a
    zero-padding format. `errors` maps the position of each error cell to its text ("#N/A");
    `uncached` maps each formula cell without a saved result to its formula ("" for a shared
    one). `long_integers` maps number cells of 16 digits or more (a 19-digit id) to their
digits, which a float would change. `escaped`: a string of the sheet, or a shared one,
holds an escaped character ("_x000D_"). `located` is False when such a cell has no reference (r="B7"), so only a reader
    that walks the cells (openpyxl) can place it (`unplaced_formulas` counts the formulas
    without a result that nothing can place). `cells` counts the cells written with a
    reference, `last_row` and `last_column` bound them.
    """

    padded: dict[tuple[int, int], PadFormat] = field(default_factory=dict)
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    uncached: dict[tuple[int, int], str] = field(default_factory=dict)
    long_integers: dict[tuple[int, int], str] = field(default_factory=dict)
    escaped: bool = False
    located: bool = True
    unplaced_formulas: int = 0
    cells: int = 0
    last_row: int = 0
    last_column: int = 0

    def dense_ok(self, slack: int = 65_536) -> bool:
        """Whether a dense grid over the written cells stays within a few times their number:
        a stray cell far away (XFD1048576) would make calamine allocate gigabytes."""
        return self.last_row * self.last_column <= 4 * self.cells + slack


@dataclass(frozen=True)
class SheetEntry:
    """One sheet of the workbook, in tab order: its name and whether Excel hides it."""

    name: str
    hidden: bool


def workbook_sheets(path: Path) -> list[SheetEntry] | None:
    """The worksheets listed in xl/workbook.xml with their visibility (state="hidden" or
    "veryHidden"); chartsheets are left out. None when the package cannot be read so."""
    try:
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("xl/workbook.xml"))
            kinds = {rel.get("Id"): rel.get("Type", "") for rel in _relationships(archive)}
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return None
    return [SheetEntry(s.get("name", ""), (s.get("state") or "visible") != "visible")
            for s in root.iter() if _local(s.tag) == "sheet"
            and kinds.get(_rel_id(s), "/worksheet").endswith("/worksheet")]


def is_strict(path: Path) -> bool:
    """Whether the workbook is saved as "Strict Open XML Spreadsheet" (ISO 29500 strict
    namespaces), which openpyxl cannot read."""
    try:
        with zipfile.ZipFile(path) as archive:
            with archive.open("xl/workbook.xml") as stream:
                head = stream.read(4096)
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return _STRICT in head


def padding_styles(path: Path) -> dict[int, PadFormat]:
    """Cell style index (the `s` of a cell) -> PadFormat, for the styles that zero-pad."""
    try:
        with zipfile.ZipFile(path) as archive:
            styles = ElementTree.fromstring(archive.read("xl/styles.xml"))
        # Only custom formats need a look: no built-in format pads with zeros.
        codes = {
            int(fmt.get("numFmtId", "")): fmt.get("formatCode", "")
            for fmt in _children(styles, "numFmts", "numFmt")
        }
        format_ids = [int(xf.get("numFmtId") or 0) for xf in _children(styles, "cellXfs", "xf")]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile, ElementTree.ParseError):
        return {}  # unreadable styles: calamine's plain numbers, as before
    found = {}
    for index, format_id in enumerate(format_ids):
        pad = padding_format(codes.get(format_id))
        if pad is not None:
            found[index] = pad
    return found


def scan_sheet(path: Path, sheet: str, styles: dict[int, PadFormat]) -> SheetScan:
    """One pass over the sheet's XML: extent, error cells, formulas without a saved result,
    and cells using one of `styles`."""
    scan = SheetScan()
    style_hit = _style_pattern(styles)
    letters: set[bytes] = set()
    try:
        with zipfile.ZipFile(path) as archive:
            part = sheet_part(archive, sheet)
            if part is None:
                return SheetScan(located=False, escaped=True)
            with archive.open(part) as stream:
                for text in _row_aligned_blocks(stream):
                    _measure(text, scan, letters)
                    _collect_problems(text, scan)
                    _collect_long_integers(text, scan)
                    scan.escaped = scan.escaped or _ESCAPE.search(text) is not None
                    if style_hit is not None and scan.located:
                        _collect_padded(text, style_hit, styles, scan)
            scan.escaped = scan.escaped or _shared_strings_escaped(archive)
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        # unmeasured: only the streaming reader is safe, and any string may hold an escape
        return SheetScan(located=False, escaped=True)
    if letters:
        scan.last_column = max(_column_number(x) for x in letters)
    return scan


def _measure(text: bytes, scan: SheetScan, letters: set[bytes]) -> None:
    # Two C-level findalls with a literal prefix (" r="): a tenth of a regex over whole tags.
    tags = text.count(b"<c ") or text.count(b":c ")  # a namespaced sheet writes <x:c
    columns = _COLUMN_REFS.findall(text)
    if len(columns) >= tags:
        rows = _ROW_REFS.findall(text)
    else:  # references written unusually (r='A1', a line break before r=), or missing
        refs = _ANY_REF.findall(text)
        columns, rows = [c for c, _ in refs], [r for _, r in refs]
        scan.located = scan.located and len(refs) >= tags
    scan.cells += len(columns)
    letters.update(columns)
    if rows:
        scan.last_row = max(scan.last_row, max(map(int, rows)))


def _collect_problems(text: bytes, scan: SheetScan) -> None:
    """Error cells (t="e") and formula cells without a cached value, by position."""
    # literal searches first: most sheets hold neither, and a regex scan costs more
    for hit in _ERROR_CELL.finditer(text) if b'"e"' in text or b"'e'" in text else ():
        opened = text.rfind(b"<", 0, hit.start())
        if opened < 0 or not _CELL_TAG.match(text, opened):
            continue
        closed = text.find(b"c>", hit.end())  # the cell's end tag, namespaced or not
        value = _VALUE.search(text, hit.end(), closed + 2 if closed >= 0 else len(text))
        _place(text, opened, scan.errors, unescape((value.group(1) if value else b"").decode()), scan)
    for hit in _UNCACHED.finditer(text) if b"<f" in text or b":f" in text else ():
        opened = text.rfind(b"<", 0, hit.start())
        while opened > 0 and not _CELL_TAG.match(text, opened):
            opened = text.rfind(b"<", 0, opened)
        if opened < 0:
            continue
        tag = text[opened : text.find(b">", opened)]
        if _TEXT_RESULT.search(tag):
            continue  # a formula whose saved result is the empty text
        formula = unescape((hit.group(1) or b"").decode("utf-8", "replace"))
        _place(text, opened, scan.uncached, f"={formula}" if formula else "", scan)


def _shared_strings_escaped(archive: zipfile.ZipFile) -> bool:
    targets = [rel.get("Target", "") for rel in _relationships(archive)
               if rel.get("Type", "").endswith("/sharedStrings")]
    for target in targets:
        part = _part_path(target)
        if part in archive.namelist():
            with archive.open(part) as stream:
                tail = b""
                while block := stream.read(_BLOCK):
                    if _ESCAPE.search(tail + block):
                        return True
                    tail = block[-6:]  # an escape cut between two blocks
    return False


def _collect_long_integers(text: bytes, scan: SheetScan) -> None:
    for hit in _LONG_INTEGER.finditer(text):
        if text[hit.start() - 1 : hit.start()] not in (b"<", b":"):
            continue  # not a <v> or <x:v> element
        opened = text.rfind(b"<", 0, hit.start())
        while opened > 0 and not _CELL_TAG.match(text, opened):
            opened = text.rfind(b"<", 0, opened)
        tag = text[opened : text.find(b">", opened)] if opened >= 0 else b""
        if tag and not _TYPED.search(tag):  # a number cell, not a string index or a text
            _place(text, opened, scan.long_integers, hit.group(1).decode(), scan)


def _place(text: bytes, opened: int, into: dict, value: str, scan: SheetScan) -> None:
    ref = _CELL_REF.search(text[opened : text.find(b">", opened)])
    if ref is None:
        scan.located = False  # the sheet must be read by a reader that walks its cells
        scan.unplaced_formulas += into is scan.uncached
        return
    into[(int(ref.group(2)), _column_number(ref.group(1)))] = value


def sheet_part(archive: zipfile.ZipFile, sheet: str) -> str | None:
    """The package path of the named worksheet's XML."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rel_id = next(
        (_rel_id(s) for s in workbook.iter() if _local(s.tag) == "sheet" and s.get("name") == sheet),
        None,
    )
    for rel in _relationships(archive):
        if rel.get("Id") == rel_id:
            return _part_path(rel.get("Target", ""))
    return None


def _part_path(target: str) -> str:
    """A relationship target of the workbook as a path inside the package."""
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _relationships(archive: zipfile.ZipFile) -> list[ElementTree.Element]:
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    return [rel for rel in rels.iter() if _local(rel.tag) == "Relationship"]


def _rel_id(sheet: ElementTree.Element) -> str | None:
    """A <sheet>'s r:id, whichever namespace the relationships prefix stands for: strict
    OOXML (ISO 29500, "Strict Open XML Spreadsheet") uses purl.oclc.org's, not _REL's."""
    return next((value for name, value in sheet.attrib.items() if name.endswith("}id")), None)


def _style_pattern(styles: dict[int, PadFormat]) -> re.Pattern | None:
    # Starting with the literal 's=' lets the regex engine skip ahead fast: ten times the
    # speed of matching whole <c> tags. The tag around each hit is checked afterwards.
    if not styles:
        return None
    ids = b"|".join(str(i).encode() for i in sorted(styles))
    return re.compile(rb"""s=["'](""" + ids + rb""")["']""")


def _collect_padded(text: bytes, style_hit: re.Pattern, styles, scan: SheetScan) -> None:
    for hit in style_hit.finditer(text):
        start = hit.start()
        if start == 0 or not text[start - 1 : start].isspace():
            continue  # part of another attribute's name, e.g. spans="1:5"
        opened = text.rfind(b"<", 0, start)
        if opened < 0 or not _CELL_TAG.match(text, opened):
            continue  # a row's default style, or text that merely looks like one
        tag = text[opened : text.find(b">", start)]
        ref = _CELL_REF.search(tag)
        if ref is None:
            scan.located = False
            return
        position = (int(ref.group(2)), _column_number(ref.group(1)))
        scan.padded[position] = styles[int(hit.group(1))]


def _row_aligned_blocks(stream):
    # Each block ends just after a row's end tag ("</row>", "</x:row>"), so no cell is ever
    # cut in two: a cell's formula and value are always seen together.
    tail = b""
    while chunk := stream.read(_BLOCK):
        text = tail + chunk
        cut = text.rfind(b"row>")
        if cut < 0:
            tail = text
            continue
        yield text[: cut + 4]
        tail = text[cut + 4 :]
    if tail:
        yield tail


def _children(root: ElementTree.Element, parent: str, child: str):
    for element in root:
        if _local(element.tag) == parent:
            return [c for c in element if _local(c.tag) == child]
    return []


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
