"""XLSX shapes from other writers: the workbook reader reads XLSX files nobody here wrote,
and gives the same table whichever path reads the sheet (calamine, or openpyxl streaming).

The workbooks are written part by part (a zip of hand-made XML) where no library makes the
shape: inline strings, cells or rows without references, lying dimensions, prefixed or strict
namespaces, chartsheets. Each expectation is what openpyxl (data_only=True) reads, put in
bulkio's cell-to-text rules (readers/__init__.py, cells.py, numfmt.py): every cell str, ""
empty, index the spreadsheet row, dates ISO, numbers plain, zero-padding formats padded.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.worksheet.table import Table

from bulkio.errors import InputError
from bulkio.readers import cell_flags, describe, read_table, sheetxml, workbook
from bulkio.readers.cells import CellFlag

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_RELS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006/relationships"
QUOTE = {'"': "&quot;"}


def book(path: Path, sheets, shared=None, formats=(), xfs=(0,), date1904=False, ns=MAIN,
         prefix="", rels=RELS) -> Path:
    """An XLSX package written part by part. `sheets`: (name, sheetData XML, state, before,
    after) where before/after are XML around <sheetData> (dimension, mergeCells)."""
    p = f"{prefix}:" if prefix else ""
    xmlns = f'xmlns:{prefix}="{ns}"' if prefix else f'xmlns="{ns}"'
    parts, entries, links = {}, [], []
    for i, (name, data, state, before, after) in enumerate(sheets, start=1):
        shown = f' state="{state}"' if state else ""
        entries.append(f'<{p}sheet name="{escape(name, QUOTE)}" sheetId="{i}"{shown} r:id="rId{i}"/>')
        parts[f"xl/worksheets/sheet{i}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet {xmlns} xmlns:r="{rels}">'
            f"{before}<{p}sheetData>{data}</{p}sheetData>{after}</{p}worksheet>")
        links.append(f'<Relationship Id="rId{i}" Type="{rels}/worksheet" Target="worksheets/sheet{i}.xml"/>')
    links.append(f'<Relationship Id="rIdS" Type="{rels}/styles" Target="styles.xml"/>')
    if shared is not None:
        links.append(f'<Relationship Id="rIdT" Type="{rels}/sharedStrings" Target="sharedStrings.xml"/>')
        items = "".join(s if s.startswith("<") else f"<{p}si><{p}t>{escape(s)}</{p}t></{p}si>" for s in shared)
        parts["xl/sharedStrings.xml"] = f"<{p}sst {xmlns}>{items}</{p}sst>"
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        # openpyxl finds the shared strings by their content type
        + ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
           'officedocument.spreadsheetml.sharedStrings+xml"/>' if shared is not None else "")
        + "</Types>")
    parts["_rels/.rels"] = (f'<Relationships xmlns="{PACKAGE}"><Relationship Id="rId1" '
                            f'Type="{rels}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    pr = f'<{p}workbookPr date1904="1"/>' if date1904 else ""
    parts["xl/workbook.xml"] = (f'<{p}workbook {xmlns} xmlns:r="{rels}">{pr}<{p}sheets>'
                                f'{"".join(entries)}</{p}sheets></{p}workbook>')
    parts["xl/_rels/workbook.xml.rels"] = f'<Relationships xmlns="{PACKAGE}">{"".join(links)}</Relationships>'
    codes = "".join(f'<{p}numFmt numFmtId="{i}" formatCode="{escape(c, QUOTE)}"/>' for i, c in formats)
    cell_xfs = "".join(f'<{p}xf numFmtId="{i}" fontId="0" fillId="0" borderId="0" xfId="0" '
                       'applyNumberFormat="1"/>' for i in xfs)
    parts["xl/styles.xml"] = (
        f"<{p}styleSheet {xmlns}>" + (f"<{p}numFmts>{codes}</{p}numFmts>" if formats else "")
        + f'<{p}fonts><{p}font><{p}sz val="11"/></{p}font></{p}fonts>'
        f'<{p}fills><{p}fill><{p}patternFill patternType="none"/></{p}fill></{p}fills>'
        f"<{p}borders><{p}border/></{p}borders><{p}cellStyleXfs><{p}xf/></{p}cellStyleXfs>"
        f"<{p}cellXfs>{cell_xfs}</{p}cellXfs></{p}styleSheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


def sheet(name, data, state=None, before="", after=""):
    return (name, data, state, before, after)


def text(ref, value, p=""):
    ref = f' r="{ref}"' if ref else ""
    return f'<{p}c{ref} t="inlineStr"><{p}is><{p}t xml:space="preserve">{value}</{p}t></{p}is></{p}c>'


def row(number, *cells, p=""):
    at = f' r="{number}"' if number else ""
    return f"<{p}row{at}>{''.join(cells)}</{p}row>"


def header(*names, at=1):
    return row(at, *(text(f"{chr(65 + i)}{at}", n) for i, n in enumerate(names)))


@pytest.fixture(params=["calamine", "stream"])
def read(request, monkeypatch):
    """read_table through one path; "calamine" also checks that calamine did read it."""
    used = []
    if request.param == "stream":  # what a sheet too spread out for a dense grid gets
        monkeypatch.setattr(sheetxml.SheetScan, "dense_ok", lambda self, slack=0: False)
        monkeypatch.setattr(workbook, "calamine_rows", lambda *a: pytest.fail("calamine used"))
    else:
        real = workbook.calamine_rows
        monkeypatch.setattr(workbook, "calamine_rows", lambda *a: used.append(1) or real(*a))

    def reader(path, expect_calamine=True, **options):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl's note on minimal style sheets
            frame = read_table(path, **options)
        if request.param == "calamine" and expect_calamine:
            assert used, "calamine was not used"
        assert all(type(v) is str for v in frame.to_numpy().ravel())
        return frame

    reader.path = request.param
    return reader


def table(frame):
    return {n: list(v) for n, v in zip(frame.index, frame.to_numpy().tolist(), strict=False)}


def openpyxl_values(path, name=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = openpyxl.load_workbook(path, data_only=True)
    ws = loaded[name] if name else loaded.worksheets[0]
    return [[c.value for c in r] for r in ws.iter_rows()]


# --- strings -----------------------------------------------------------------------------


def test_shared_inline_formula_and_rich_text_strings(tmp_path, read):
    shared = ["SKU", "Calc", "00123", "<si><r><t>Bold</t></r><r><rPr><b/></rPr>"
              '<t xml:space="preserve"> part</t></r></si>', "<si><t>a&amp;b &lt;c&gt;</t></si>"]
    data = (row(1, '<c r="A1" t="s"><v>0</v></c>', text("B1", "Name"), '<c r="C1" t="s"><v>1</v></c>',
                text("D1", "Rich"))
            + row(2, '<c r="A2" t="s"><v>2</v></c>', text("B2", " Widget "),
                  '<c r="C2" t="str"><f>A2&amp;"x"</f><v>00123x</v></c>', '<c r="D2" t="s"><v>3</v></c>')
            + row(3, '<c r="A3" t="inlineStr"><is><r><t>Ri</t></r><r><rPr><b/></rPr><t>ch</t></r></is></c>',
                  '<c r="B3" t="str"><f>""</f><v></v></c>', '<c r="C3" t="s"><v>4</v></c>'))
    path = book(tmp_path / "s.xlsx", [sheet("S", data)], shared=shared)
    frame = read(path)
    assert list(frame.columns) == ["SKU", "Name", "Calc", "Rich"]
    assert table(frame) == {2: ["00123", " Widget ", "00123x", "Bold part"], 3: ["Rich", "", "a&b <c>", ""]}
    assert openpyxl_values(path)[1] == ["00123", " Widget ", "00123x", "Bold part"]
    assert cell_flags(frame) == {}  # a formula whose saved result is "" is no error


# --- where the cells are -------------------------------------------------------------------


def test_cells_without_references_and_an_error_among_them(tmp_path, read):
    data = (row(1, text(None, "SKU"), text(None, "Qty"))
            + row(3, text(None, "A"), "<c><v>5</v></c>")
            + row(4, text(None, "B"), '<c t="e"><v>#N/A</v></c>'))
    frame = read(book(tmp_path / "a.xlsx", [sheet("S", data)]), expect_calamine=False)
    assert table(frame) == {3: ["A", "5"], 4: ["B", "#N/A"]}
    assert cell_flags(frame) == {(4, "Qty"): CellFlag("error", "#N/A")}


def test_rows_and_cells_without_references(tmp_path, read):
    data = (row(None, text(None, "SKU"), text(None, "Qty")) + row(None, text(None, "A"), "<c><v>5</v></c>")
            + row(None, text(None, "B"), "<c><v>6</v></c>"))
    frame = read(book(tmp_path / "b.xlsx", [sheet("S", data)]), expect_calamine=False)
    assert table(frame) == {2: ["A", "5"], 3: ["B", "6"]}


def test_references_on_some_cells_only_place_the_others_after_them(tmp_path, read):
    data = (row(1, text(None, "SKU"), text("C1", "Qty"), text(None, "Note"))
            + row(2, text(None, "A"), '<c r="C2"><v>5</v></c>', text(None, "n")))
    path = book(tmp_path / "m.xlsx", [sheet("S", data)])
    frame = read(path, expect_calamine=False)
    assert openpyxl_values(path) == [["SKU", None, "Qty", "Note"], ["A", None, 5, "n"]]
    assert list(frame.columns) == ["SKU", "Qty", "Note"]
    assert table(frame) == {2: ["A", "5", "n"]}


@pytest.mark.parametrize("dimension", ['<dimension ref="A1"/>', '<dimension ref="A1:B2"/>',
                                       '<dimension ref="A1:XFD1048576"/>', ""])
def test_a_lying_or_missing_dimension_changes_nothing(tmp_path, read, dimension):
    body = "".join(row(n, text(f"A{n}", f"K{n}"), f'<c r="B{n}"><v>{n}</v></c>') for n in range(2, 7))
    frame = read(book(tmp_path / "d.xlsx", [sheet("S", header("SKU", "Qty") + body, before=dimension)]))
    assert table(frame) == {n: [f"K{n}", str(n)] for n in range(2, 7)}


def test_data_from_c5_with_merged_cells_and_a_table(tmp_path, read):
    data = (row(5, text("C5", "SKU"), text("D5", "Name"), text("E5", "Group"))
            + row(6, text("C6", "A"), text("D6", "wide"), '<c r="E6"/><c r="F6"/>')
            + row(7, text("C7", "B"), text("D7", "x"), text("E7", "g")))
    merged = '<mergeCells count="1"><mergeCell ref="D6:E6"/></mergeCells>'
    frame = read(book(tmp_path / "c5.xlsx", [sheet("S", data, before='<dimension ref="C5:E7"/>', after=merged)]))
    assert list(frame.columns) == ["SKU", "Name", "Group"]
    assert table(frame) == {6: ["A", "wide", ""], 7: ["B", "x", "g"]}

    listed = openpyxl.Workbook()
    listed.active.title = "Items list"
    for ref, value in {"B3": "SKU", "C3": "Qty", "B4": "K1", "C4": 2, "B5": "K2", "C5": 3}.items():
        listed.active[ref] = value
    listed.active.add_table(Table(displayName="Items", ref="B3:C5"))
    listed.save(tmp_path / "t.xlsx")
    assert table(read(tmp_path / "t.xlsx")) == {4: ["K1", "2"], 5: ["K2", "3"]}


def test_trailing_rows_and_columns_holding_only_styles_are_dropped(tmp_path, read):
    data = (row(1, text("A1", "SKU"), text("B1", "Qty"), '<c r="C1" s="1"/><c r="Z1" s="1"/>')
            + row(2, text("A2", "K1"), '<c r="B2"><v>3</v></c><c r="C2" s="1"/>')
            + "".join(f'<row r="{n}" s="1" customFormat="1"><c r="A{n}" s="1"/><c r="Z{n}" s="1"/></row>'
                      for n in range(3, 300)))
    frame = read(book(tmp_path / "tr.xlsx", [sheet("S", data)], xfs=(0, 14)))
    assert list(frame.columns) == ["SKU", "Qty"] and table(frame) == {2: ["K1", "3"]}


# --- numbers, dates, booleans ---------------------------------------------------------------

FORMATS = [(164, "dd/mm/yyyy"), (165, '"$"#,##0.00'), (166, "00000"), (167, "yyyy-mm-dd hh:mm"),
           (168, "[$€-407] #,##0.00"), (169, "mmm d, yyyy")]
XFS = (0, 14, 164, 21, 22, 10, 165, 49, 166, 46, 2, 4, 167, 168, 169, 9)
TYPED = ["45000.5", "45292", "45292", "0.5208333333333334", "45292.75", "0.125", "1234.5", None,
         "123", "1.5", "3.14159", "1234567.891", "45292.5", "99.5", "45292", "0.5"]
COLUMNS = ["General", "Date", "Custom date", "Time", "Datetime", "Percent", "Currency", "Text",
           "Padded", "Duration", "Fixed", "Thousands", "Custom datetime", "Euro", "Month", "Pct0"]


@pytest.mark.parametrize("date1904, day", [(False, "2024-01-01"), (True, "2028-01-02")])
def test_dates_times_and_number_formats(tmp_path, read, date1904, day):
    cells = [f'<c r="{chr(65 + i)}2" s="{i}"><v>{v}</v></c>' if v else
             f'<c r="{chr(65 + i)}2" s="{i}" t="s"><v>0</v></c>' for i, v in enumerate(TYPED)]
    path = book(tmp_path / "dt.xlsx", [sheet("S", header(*COLUMNS) + row(2, *cells))], shared=["00123"],
                formats=FORMATS, xfs=XFS, date1904=date1904)
    frame = read(path)
    assert table(frame)[2] == [
        "45000.5", day, day, "12:30:00", f"{day} 18:00:00", "0.125", "1234.5", "00123", "00123",
        "36:00:00", "3.14159", "1234567.891", f"{day} 12:00:00", "99.5", day, "0.5"]
    assert str(openpyxl_values(path)[1][1].date()) == day


def test_long_integers_booleans_and_numbers_stored_as_text(tmp_path, read):
    data = (header("SKU", "EAN", "Id", "Big", "Neg", "Yes", "No", "Tiny", "Tenth")
            + row(2, '<c r="A2" t="s"><v>0</v></c>', '<c r="B2"><v>4006381333931</v></c>',
                  '<c r="C2"><v>1234567890123456789</v></c>', '<c r="D2"><v>1E+21</v></c>',
                  '<c r="E2"><v>-0.5</v></c>', '<c r="F2" t="b"><v>1</v></c>', '<c r="G2" t="b"><v>0</v></c>',
                  '<c r="H2"><v>1.5E-10</v></c>', '<c r="I2"><v>0.1</v></c>')
            + row(3, text("A3", "00123"), '<c r="B3" t="s"><v>1</v></c>',
                  '<c r="C3" t="str"><v>1234567890123456789</v></c>', '<c r="D3"><v>-1234567890123456789</v></c>'))
    path = book(tmp_path / "n.xlsx", [sheet("S", data)], shared=["00123", "4006381333931"])
    frame = read(path)
    assert openpyxl_values(path)[1][2] == 1234567890123456789
    assert table(frame) == {
        2: ["00123", "4006381333931", "1234567890123456789", "1e+21", "-0.5", "TRUE", "FALSE",
            "1.5e-10", "0.1"],
        3: ["00123", "4006381333931", "1234567890123456789", "-1234567890123456789", "", "", "", "", ""]}


# --- sheets ---------------------------------------------------------------------------------

SIMPLE = header("SKU", "Qty") + row(2, text("A2", "K1"), '<c r="B2"><v>3</v></c>')
SECRET = header("Secret")


@pytest.mark.parametrize("first, state", [("Summary 2024 – Übersicht", None), ("Hid", "hidden"),
                                          ("VH", "veryHidden")])
def test_unicode_names_and_hidden_first_sheets(tmp_path, read, first, state):
    path = book(tmp_path / "h.xlsx", [sheet(first, SECRET if state else SIMPLE, state),
                                      sheet("Daten ünicode 日本", SIMPLE)])
    expected = "Daten ünicode 日本" if state else first
    assert describe(path).sheet == expected
    assert table(read(path)) == {2: ["K1", "3"]}
    assert table(read(path, sheet="daten  ünicode 日本")) == {2: ["K1", "3"]}


def test_a_chartsheet_before_the_first_worksheet_is_not_a_sheet_to_read(tmp_path, read):
    made = openpyxl.Workbook()
    made.active.title = "Data"
    made.active.append(["SKU", "Qty"])
    made.active.append(["K1", 3])
    chart = BarChart()
    chart.add_data(Reference(made.active, min_col=2, min_row=1, max_row=2), titles_from_data=True)
    made.create_chartsheet("Chart1", 0).add_chart(chart)
    made.save(tmp_path / "c.xlsx")
    assert describe(tmp_path / "c.xlsx").sheets == ("Data",)
    assert table(read(tmp_path / "c.xlsx")) == {2: ["K1", "3"]}


# --- namespaces -----------------------------------------------------------------------------


def test_prefixed_namespaces_as_some_writers_save(tmp_path, read):
    p = "x:"
    data = (row(1, text("A1", "SKU", p), '<x:c r="B1" t="s"><x:v>0</x:v></x:c>',
                '<x:c r="C1" t="s"><x:v>1</x:v></x:c>', p=p)
            + row(2, text("A2", "K1", p), '<x:c r="B2" t="e"><x:f>VLOOKUP(A2,X!A:B,2,0)</x:f>'
                  '<x:v>#N/A</x:v></x:c>', '<x:c r="C2" s="1"><x:v>123</x:v></x:c>', p=p)
            + row(3, text("A3", "K2", p), '<x:c r="B3"><x:f>1+1</x:f></x:c>',
                  '<x:c r="C3" s="1"><x:v>7</x:v></x:c>', p=p))
    path = book(tmp_path / "x.xlsx", [sheet("S", data)], shared=["Qty", "Pad"], prefix="x",
                formats=[(164, "00000")], xfs=(0, 164))
    frame = read(path)
    assert table(frame) == {2: ["K1", "#N/A", "00123"], 3: ["K2", "", "00007"]}
    assert cell_flags(frame) == {(2, "Qty"): CellFlag("error", "#N/A"), (3, "Qty"): CellFlag("uncached", "=1+1")}


def test_strict_ooxml_reads_or_says_what_to_do(tmp_path, read):
    path = book(tmp_path / "strict.xlsx", [sheet("S", SIMPLE)], ns=STRICT, rels=STRICT_RELS)
    assert describe(path).sheet == "S"
    if read.path == "calamine":
        assert table(read(path)) == {2: ["K1", "3"]}
        return
    with pytest.raises(InputError) as err:
        read(path)
    assert str(err.value) == (
        "strict.xlsx: sheet 'S' is saved as 'Strict Open XML Spreadsheet', which bulkio reads only "
        "for small, plain sheets; open it in Excel and save it as 'Excel Workbook (.xlsx)'")


# --- errors and formulas ----------------------------------------------------------------------

ERRORS = ["#N/A", "#DIV/0!", "#REF!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]


def test_error_cells_and_formulas_with_and_without_saved_results(tmp_path, read):
    names = [f"E{i}" for i in range(7)] + ["Cached", "Uncached", "Text", "Empty v"]
    data = (header(*names)
            + row(2, *(f'<c r="{chr(65 + i)}2" t="e"><f>X()</f><v>{e}</v></c>' for i, e in enumerate(ERRORS)),
                  '<c r="H2"><f>1+1</f><v>2</v></c>', '<c r="I2"><f>1+1</f></c>',
                  '<c r="J2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>', '<c r="K2"><f>1+1</f><v></v></c>')
            + row(3, '<c r="A3" t="e"><v>#N/A</v></c>', '<c r="H3"><f t="shared" ref="H3:H4" si="0">A3*2</f></c>',
                  '<c r="I3" t="b"><f>TRUE()</f><v>1</v></c>')
            + row(4, text("A4", "#N/A"), '<c r="H4"><f t="shared" si="0"/></c>'))
    path = book(tmp_path / "e.xlsx", [sheet("S", data)])
    frame = read(path)
    assert table(frame)[2] == ERRORS + ["2", "", "ab", ""]
    assert table(frame)[3][:9] == ["#N/A", "", "", "", "", "", "", "", "TRUE"]
    assert openpyxl_values(path)[1][:8] == ERRORS + [2]
    expected = {(2, f"E{i}"): CellFlag("error", e) for i, e in enumerate(ERRORS)}
    expected.update({(3, "E0"): CellFlag("error", "#N/A"), (2, "Uncached"): CellFlag("uncached", "=1+1"),
                     (2, "Empty v"): CellFlag("uncached", "=1+1"), (3, "Cached"): CellFlag("uncached", "=A3*2"),
                     (4, "Cached"): CellFlag("uncached", "")})
    assert cell_flags(frame) == expected  # typed "#N/A" text (A4) is a value, not an error


def test_escaped_characters_and_phonetic_runs_read_as_excel_shows_them(tmp_path, read):
    # Excel writes a line break inside a cell as "_x000D_\n"; "_x005F_" escapes an underscore
    shared = ['<si><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><phoneticPr fontId="0"/></si>',
              "<si><t>line1_x000D_\nline2</t></si>"]
    data = (header("City", "Notes", "Code")
            + row(2, '<c r="A2" t="s"><v>0</v></c>', '<c r="B2" t="s"><v>1</v></c>',
                  text("C2", "x_x0041_y_x005F_x0042_")))
    frame = read(book(tmp_path / "p.xlsx", [sheet("S", data)], shared=shared))
    assert table(frame) == {2: ["東京", "line1\r\nline2", "xAy_x0042_"]}


def test_an_end_of_time_date_does_not_crash_the_reader(tmp_path, read):
    # ERP exports write "valid until" as 9999-12-31 23:59:59.999; rounding must not overflow
    data = header("Valid until") + row(2, '<c r="A2" s="1"><v>2958465.9999999</v></c>')
    frame = read(book(tmp_path / "end.xlsx", [sheet("S", data)], xfs=(0, 22)))
    assert table(frame) == {2: ["9999-12-31 23:59:59"]}
