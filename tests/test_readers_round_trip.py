"""Property: any table of text written as CSV or XLSX reads back cell for cell."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from bulkio.readers import read_table

# Printable text with the awkward parts made likely: delimiters, quotes, newlines, zeros.
_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]),
        st.sampled_from([",", ";", '"', "\n", "\r", " ", "0", "\t", "|"]),
    ),
    max_size=12,
)
# XML keeps no bare carriage returns, and openpyxl writes a whitespace-only string without
# xml:space="preserve", so readers (Excel too) see it empty.
_xlsx_text = _text.map(lambda s: s.replace("\r", "")).map(lambda s: s if s.strip() else "")


def _tables(cell):
    header = st.lists(
        cell.map(str.strip).filter(lambda s: s and "\n" not in s), min_size=1, max_size=5, unique=True
    )

    def body(names):
        row = st.lists(cell, min_size=len(names), max_size=len(names)).filter(
            lambda r: any(c.strip() for c in r)
        )
        return st.tuples(st.just(names), st.lists(row, max_size=8))

    return header.flatmap(body)


def _expected(rows):
    return {number: row for number, row in enumerate(rows, start=2)}


def _read(path, **options):
    df = read_table(path, **options)
    return list(df.columns), {n: list(r) for n, r in zip(df.index, df.itertuples(index=False), strict=False)}


@settings(max_examples=40, deadline=None)
@given(_tables(_text))
def test_csv_round_trip(table):
    names, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([names, *rows])
        assert _read(path, delimiter=",") == (names, _expected(rows))


# Cells without the other candidate delimiters: the sniffer must then find the comma.
_plain = _text.map(lambda s: s.replace(";", "").replace("\t", "").replace("|", ""))


@settings(max_examples=30, deadline=None)
@given(_tables(_plain).filter(lambda t: len(t[0]) > 1))
def test_csv_round_trip_with_sniffed_delimiter(table):
    names, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.csv"
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows([names, *rows])
        assert _read(path) == (names, _expected(rows))


@settings(max_examples=25, deadline=None)
@given(_tables(_xlsx_text))
def test_xlsx_round_trip(table):
    names, rows = table
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "t.xlsx"
        book = openpyxl.Workbook()
        sheet = book.active
        for r, values in enumerate([names, *rows], start=1):
            for c, value in enumerate(values, start=1):
                if value:
                    cell = sheet.cell(row=r, column=c)
                    # Text even when it looks like a number, a formula or an error code.
                    cell.value, cell.data_type = value, "s"
        book.save(path)
        assert _read(path) == (names, _expected(rows))
