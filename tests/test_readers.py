"""Reading CSV/TSV/XLSX files into tables of text with spreadsheet row numbers."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import openpyxl
import pytest

from bulkio.errors import InputError, MappingError
from bulkio.readers import describe, iter_tables, read_table
from bulkio.readers.numfmt import padding_format


def write(tmp_path, name, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rows(df):
    return {row: list(values) for row, values in zip(df.index, df.itertuples(index=False), strict=False)}


# --- CSV / TSV -------------------------------------------------------------------------------


def test_csv_cells_stay_text_exactly_as_written(tmp_path):
    path = write(tmp_path, "items.csv", b"SKU,Qty,Note\n00123,1E5,NA\n#N/A,null, padded \n")
    df = read_table(path)
    assert list(df.columns) == ["SKU", "Qty", "Note"]
    assert rows(df) == {2: ["00123", "1E5", "NA"], 3: ["#N/A", "null", " padded "]}
    assert df.index.name == "row"
    assert all(type(v) is str for v in df.to_numpy().ravel())


def test_headers_trimmed_inner_spacing_and_case_kept(tmp_path):
    path = write(tmp_path, "a.csv", b"  Item  Name , sku\t,RATE\nWidget,1,2\n")
    assert list(read_table(path).columns) == ["Item  Name", "sku", "RATE"]


def test_utf8_bom(tmp_path):
    path = write(tmp_path, "bom.csv", "\ufeffName,City\nJosé,Zürich\n".encode("utf-8"))
    df = read_table(path)
    assert list(df.columns) == ["Name", "City"]
    assert df.loc[2, "City"] == "Zürich"
    assert describe(path).encoding == "utf-8-sig"


def test_utf16_le_with_bom_and_tabs(tmp_path):
    text = "Name\tCity\r\nJosé\tZürich\r\nMüller\t€uro\r\n"
    path = write(tmp_path, "u16.csv", text.encode("utf-16"))
    df = read_table(path)
    assert describe(path).delimiter == "\t"
    assert rows(df) == {2: ["José", "Zürich"], 3: ["Müller", "€uro"]}


def test_cp1252_western_file(tmp_path):
    text = "SKU;Name;Price\n001;Café crème;3€\n002;Müller Straße;4\n003;Gâteau;5\n"
    path = write(tmp_path, "legacy.csv", text.encode("cp1252"))
    info = describe(path)
    assert (info.encoding, info.delimiter) == ("cp1252", ";")
    df = read_table(path)
    assert df["Name"].tolist() == ["Café crème", "Müller Straße", "Gâteau"]
    assert df.loc[2, "Price"] == "3€"


def test_semicolon_with_decimal_commas(tmp_path):
    path = write(tmp_path, "eu.csv", b"Name;Price\nA;1,50\nB;2,75\n")
    df = read_table(path)
    assert rows(df) == {2: ["A", "1,50"], 3: ["B", "2,75"]}


def test_tsv_extension_means_tab(tmp_path):
    path = write(tmp_path, "a.tsv", b"Name\tNote\nA\tx, y; z\n")
    assert rows(read_table(path)) == {2: ["A", "x, y; z"]}


def test_pipe_delimiter(tmp_path):
    path = write(tmp_path, "a.txt", b"a|b|c\n1|2|3\n")
    assert rows(read_table(path)) == {2: ["1", "2", "3"]}


def test_explicit_delimiter_and_encoding_win(tmp_path):
    path = write(tmp_path, "a.csv", "a;b,c\nx;y,z\n".encode("latin-1"))
    df = read_table(path, delimiter=",", encoding="latin-1")
    assert list(df.columns) == ["a;b", "c"]


def test_quoted_newlines_count_as_one_row(tmp_path):
    path = write(tmp_path, "q.csv", b'Name,Note\r\nA,"line 1\r\nline 2"\r\nB,"say ""hi"""\r\nC,x\r\n')
    df = read_table(path)
    assert rows(df) == {2: ["A", "line 1\r\nline 2"], 3: ["B", 'say "hi"'], 4: ["C", "x"]}


def test_blank_rows_dropped_but_counted(tmp_path):
    path = write(tmp_path, "gaps.csv", b"\n\nName,Qty\nA,1\n\n , \nB,2\n,\n\n\n")
    df = read_table(path)
    assert rows(df) == {4: ["A", "1"], 7: ["B", "2"]}


def test_short_rows_padded(tmp_path):
    path = write(tmp_path, "short.csv", b"a,b,c\n1\n1,2\n")
    assert rows(read_table(path)) == {2: ["1", "", ""], 3: ["1", "2", ""]}


def test_row_longer_than_header_is_refused_with_its_row(tmp_path):
    path = write(tmp_path, "ragged.csv", b"a,b\n1,2\n\"x\ny\",2\n3,4,5\n")
    with pytest.raises(InputError) as err:
        read_table(path)
    assert str(err.value) == (
        "ragged.csv: row 4 has 3 cells but the header (row 1) has 2 columns; "
        "remove the extra cells or give them a header"
    )


def test_trailing_empty_cells_beyond_header_are_harmless(tmp_path):
    path = write(tmp_path, "trail.csv", b"a,b\n1,2,,\n3,4\n")
    assert rows(read_table(path)) == {2: ["1", "2"], 3: ["3", "4"]}


def test_trailing_delimiter_column_dropped_blank_header_with_data_named(tmp_path):
    path = write(tmp_path, "blank.csv", b"a,,c,\n1,x,3,\n2,,4,\n")
    df = read_table(path)
    assert list(df.columns) == ["a", "Column B", "c"]
    assert df["Column B"].tolist() == ["x", ""]


def test_duplicate_headers_refused(tmp_path):
    path = write(tmp_path, "dup.csv", b"Name,SKU,Rate,X,Y, Name \n1,2,3,4,5,6\n")
    with pytest.raises(MappingError) as err:
        read_table(path)
    assert str(err.value) == "Column 'Name' appears twice (columns A and F); rename or remove one"


def test_header_only_gives_empty_table_with_columns(tmp_path):
    df = read_table(write(tmp_path, "h.csv", b"a,b\n"))
    assert list(df.columns) == ["a", "b"] and len(df) == 0 and df.index.name == "row"


def test_iter_tables_continues_row_numbers(tmp_path):
    body = "".join(f"{i:05d},v{i}\n" if i % 4 else "\n" for i in range(1, 21))
    path = write(tmp_path, "big.csv", ("id,v\n" + body).encode())
    chunks = list(iter_tables(path, chunk_rows=6))
    assert len(chunks) > 1
    assert all(list(c.columns) == ["id", "v"] for c in chunks)
    numbers = [n for c in chunks for n in c.index]
    assert numbers == [i + 1 for i in range(1, 21) if i % 4]
    assert chunks[0].loc[2, "id"] == "00001"
    whole = read_table(path)
    assert numbers == whole.index.tolist()


def test_iter_tables_restarts_at_full_width_without_repeating_rows(tmp_path):
    path = write(tmp_path, "w.csv", b"a,b\n1,2\n3,4\n5,6\n7,8,,\n9,10\n")
    chunks = list(iter_tables(path, chunk_rows=2))
    assert [n for c in chunks for n in c.index] == [2, 3, 4, 5, 6]
    assert [v for c in chunks for v in c["a"]] == ["1", "3", "5", "7", "9"]


def test_iter_tables_refuses_late_data_in_dropped_headerless_column(tmp_path):
    path = write(tmp_path, "late.csv", b"a,\n1,\n2,\n3,x\n")
    with pytest.raises(InputError) as err:
        list(iter_tables(path, chunk_rows=1))
    assert str(err.value) == "late.csv: column B has no header but holds data in row 4; give it a header"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "empty.csv: the file is empty"),
        ("blank.csv", b",,\n , \n", "blank.csv: the file holds no header row (it is empty)"),
        ("old.xls", b"\xd0\xcf\x11\xe0", ("old.xls: this is an old Excel 97-2003 workbook (.xls), which bulkio "
                                           "does not read; open it in Excel and save it as .xlsx (Excel Workbook) "
                                           "or .csv")),
        ("data.json", b"{}", "data.json: unsupported file type '.json'; use .csv, .tsv or .xlsx"),
    ],
)
def test_bad_files_get_clear_messages(tmp_path, name, data, message):
    with pytest.raises(InputError) as err:
        read_table(write(tmp_path, name, data))
    assert str(err.value) == message


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as err:
        read_table(tmp_path / "nope.csv")
    assert str(err.value) == f"{tmp_path / 'nope.csv'}: no such file"


def test_undecodable_bytes_later_in_file(tmp_path):
    path = write(tmp_path, "mixed.csv", b"a,b\n" + b"x,y\n" * 10 + b"\x81\x8d,z\n")
    with pytest.raises(InputError) as err:
        read_table(path, encoding="cp1252")
    assert "not valid cp1252 text" in str(err.value)
    assert "save the file as UTF-8 CSV" in str(err.value)


def test_not_a_workbook(tmp_path):
    with pytest.raises(InputError) as err:
        read_table(write(tmp_path, "fake.xlsx", b"a,b\n1,2\n"))
    assert str(err.value) == ("fake.xlsx: this is a text file, not an Excel workbook; if it is a "
                              "CSV, rename it to .csv")


# --- XLSX ------------------------------------------------------------------------------------


def typed_workbook(path):
    """A workbook with a blank row above the header, typed cells and a second sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Items"
    sheet.append([])
    sheet.append([" SKU ", "Name", "Date", "When", "Qty", "Rate", "Taxed", "Calc", "Time"])
    sheet.append(["00042", "Widget", dt.date(2024, 1, 5), dt.datetime(2024, 1, 5, 13, 4, 5),
                  3, 0.1, True, "=E3*2", dt.time(9, 30)])
    sheet.append(["1E5", "NA", dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 1), 2.5, -1e-07,
                  False, None, None])
    sheet.append([])
    sheet.append(["   ", None, None, None, None, None, None, None, None])
    sheet.append(["X9", "Gadget", 45000, None, 1234567890, 12.0, None, None, None])
    sheet["C7"].number_format = "yyyy-mm-dd"
    other = book.create_sheet("Prices")
    other.append(["sku", "price"])
    other.append(["A", 10])
    book.save(path)
    _cache_formula_result(path, "E3*2", "6")
    return path


def _cache_formula_result(path, formula, value):
    # openpyxl writes formulas without a cached result; Excel would store one.
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    part = "xl/worksheets/sheet1.xml"
    old = f"<f>{formula}</f><v />".encode()
    assert old in parts[part]
    parts[part] = parts[part].replace(old, f"<f>{formula}</f><v>{value}</v>".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


EXPECTED_ITEMS = {
    3: ["00042", "Widget", "2024-01-05", "2024-01-05 13:04:05", "3", "0.1", "TRUE", "6", "09:30:00"],
    4: ["1E5", "NA", "2024-02-01", "2024-02-01", "2.5", "-1e-07", "FALSE", "", ""],
    7: ["X9", "Gadget", "2023-03-15", "", "1234567890", "12", "", "", ""],
}


def test_xlsx_cells_as_text_with_real_row_numbers(tmp_path):
    df = read_table(typed_workbook(tmp_path / "items.xlsx"))
    assert list(df.columns) == ["SKU", "Name", "Date", "When", "Qty", "Rate", "Taxed", "Calc", "Time"]
    assert rows(df) == EXPECTED_ITEMS
    assert all(type(v) is str for v in df.to_numpy().ravel())


def test_xlsx_openpyxl_fallback_gives_the_same_table(tmp_path, monkeypatch):
    path = typed_workbook(tmp_path / "items.xlsx")
    from bulkio.readers import workbook

    def no_calamine():
        raise ImportError("python_calamine missing")

    monkeypatch.setattr(workbook, "load_calamine", no_calamine)
    df = read_table(path)
    assert rows(df) == EXPECTED_ITEMS
    assert describe(path).sheets == ("Items", "Prices")


def test_xlsx_error_cells_keep_their_text(tmp_path):
    path = tmp_path / "err.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["SKU", "Lookup"])
    book.active.append(["A1", "#N/A"])
    book.active.append(["A2", "ok"])
    book.save(path)
    assert rows(read_table(path)) == {2: ["A1", "#N/A"], 3: ["A2", "ok"]}


def test_xlsx_second_sheet_by_name_index_and_loose_name(tmp_path):
    path = typed_workbook(tmp_path / "items.xlsx")
    for sheet in ("Prices", 1, " prices "):
        assert rows(read_table(path, sheet=sheet)) == {2: ["A", "10"]}


def test_xlsx_missing_sheet_lists_the_sheets(tmp_path):
    path = typed_workbook(tmp_path / "items.xlsx")
    with pytest.raises(InputError) as err:
        read_table(path, sheet="Orders")
    assert str(err.value) == (
        "items.xlsx: no sheet 'Orders'; the workbook has 'Items', 'Prices'; choose one with --sheet"
    )


def test_xlsx_headerless_data_column_named_and_empty_one_dropped(tmp_path):
    path = tmp_path / "cols.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet["B2"], sheet["D2"] = "Name", "Qty"
    sheet["B3"], sheet["C3"], sheet["D3"] = "a", "stray", "1"
    sheet["F3"].number_format = "0.00"  # styled but empty: no column
    book.save(path)
    df = read_table(path)
    assert list(df.columns) == ["Name", "Column C", "Qty"]
    assert rows(df) == {3: ["a", "stray", "1"]}


def test_xlsx_iter_tables_chunks(tmp_path):
    path = tmp_path / "many.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["id"])
    for i in range(1, 11):
        book.active.append([f"{i:03d}"])
    book.save(path)
    chunks = list(iter_tables(path, chunk_rows=4))
    assert [len(c) for c in chunks] == [4, 4, 2]
    assert [n for c in chunks for n in c.index] == list(range(2, 12))
    assert chunks[2].loc[11, "id"] == "010"


def test_xlsx_empty_sheet(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(InputError) as err:
        read_table(path)
    assert str(err.value) == "empty.xlsx: sheet 'Sheet' is empty (no header row)"


# --- XLSX number formats that pad with zeros ---------------------------------------------------


def padded_workbook(path):
    """SKUs and ZIP codes kept as numbers under zero-padding formats, beside ordinary numbers."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Items"
    sheet.append([])
    sheet.append(["SKU", "Zip", "Price", "Total", "SSN", "Note"])
    sheet.append([123, 42.0, 12.5, 1234, 12345678, "00042"])
    sheet.append([7, 2134.0, 3.0, 1234567, 0, "x"])
    sheet.append([])
    sheet.append([123.4, None, 0.125, -5, -12, 99])
    formats = {"A": "00000", "B": "000000", "C": "0.00", "D": "#,##0", "E": "000-00-0000;(0000)"}
    for letter, code in formats.items():
        for row in (3, 4, 6):
            sheet[f"{letter}{row}"].number_format = code
    sheet["F6"].number_format = "0"
    sheet["F2"].number_format = "00000"  # a padded header text stays as it is
    book.save(path)
    return path


EXPECTED_PADDED = {
    3: ["00123", "000042", "12.5", "1234", "012-34-5678", "00042"],
    4: ["00007", "002134", "3", "1234567", "000-00-0000", "x"],
    6: ["123.4", "", "0.125", "-5", "(0012)", "99"],
}


def test_xlsx_zero_padding_formats_show_the_padded_number(tmp_path):
    df = read_table(padded_workbook(tmp_path / "pad.xlsx"))
    assert list(df.columns) == ["SKU", "Zip", "Price", "Total", "SSN", "Note"]
    assert rows(df) == EXPECTED_PADDED


def test_xlsx_zero_padding_via_openpyxl_fallback(tmp_path, monkeypatch):
    path = padded_workbook(tmp_path / "pad.xlsx")
    from bulkio.readers import workbook

    def no_calamine():
        raise ImportError("python_calamine missing")

    monkeypatch.setattr(workbook, "load_calamine", no_calamine)
    assert rows(read_table(path)) == EXPECTED_PADDED


def test_xlsx_zero_padding_beside_an_error_cell(tmp_path):
    path = tmp_path / "err.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["SKU", "Lookup"])
    book.active.append([123, "#N/A"])
    book.active["A2"].number_format = "00000"
    book.save(path)
    assert rows(read_table(path)) == {2: ["00123", "#N/A"]}


def test_xlsx_zero_padding_in_cells_without_references(tmp_path):
    # r="A1" is optional in the file format; without it only openpyxl can place the cell.
    path = padded_workbook(tmp_path / "pad.xlsx")
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    part = "xl/worksheets/sheet1.xml"
    stripped = re.sub(rb'(<c) r="[A-Z]+[0-9]+"', rb"\1", parts[part])
    assert stripped != parts[part] and b'<c s="' in stripped
    parts[part] = stripped
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert rows(read_table(path)) == EXPECTED_PADDED


@pytest.mark.parametrize(
    ("code", "value", "shown"),
    [
        ("00000", 123.0, "00123"),
        ("00000", -12, "-00012"),
        ("00000;(00000);\"none\"", 0, None),  # words instead of the number: keep it
        ("[Red]00000_)", 7, "00007"),
        ("\"ID-\"0000", 12, "ID-0012"),
        ("00000-0000", 21341234, "02134-1234"),
        ("00", 123456, "123456"),
        ("00000", 123.5, None),
        ("00000;;", -5, None),
        ("00000", True, None),
    ],
)
def test_padding_format_renders_integers(code, value, shown):
    assert padding_format(code).render(value) == shown


@pytest.mark.parametrize(
    "code", ["General", "0", "0.00", "#,##0", "#,##0.00", "0%", "0.00%", "00.00", "@", "0.00E+00",
             "yyyy-mm-dd", "[<=99999]00000;00000-0000", "###-####"],
)
def test_formats_that_do_not_pad_are_left_alone(code):
    assert padding_format(code) is None
