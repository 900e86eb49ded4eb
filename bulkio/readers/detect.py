"""Guess how a delimited text file is written: its encoding and its delimiter."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from pathlib import Path

from bulkio.errors import InputError

SAMPLE_BYTES = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
SNIFF_RECORDS = 50

# Longest BOM first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_WIDE = ["utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be", "utf_7"]
# How much messier than the best guess cp1252 may look and still be chosen.
_CP1252_TOLERANCE = 0.02


def detect_encoding(sample: bytes, complete: bool) -> str:
    """The encoding of `sample` (the file's first bytes; `complete` if it is the whole file).

    BOM first, then strict UTF-8, then charset-normalizer. Among single-byte code pages that
    fit the bytes equally well, cp1252 wins: small samples cannot tell the Latin code pages
    apart, and cp1252 is what Excel writes on Western Windows.
    """
    for bom, name in _BOMS:
        if sample.startswith(bom):
            return name
    has_nul = b"\x00" in sample
    if not has_nul and _is_utf8(sample, complete):
        return "utf-8"
    # loaded only here: most files are UTF-8, and the import costs more than reading them
    from charset_normalizer import from_bytes

    best = from_bytes(sample, cp_exclusion=None if has_nul else _WIDE).best()
    if best is None:
        raise InputError("cannot tell the file's text encoding; save it as UTF-8 CSV")
    if has_nul:
        return best.encoding
    western = from_bytes(sample, cp_isolation=["cp1252"]).best()
    if western is not None and western.chaos <= best.chaos + _CP1252_TOLERANCE:
        return "cp1252"
    return best.encoding


def _is_utf8(sample: bytes, complete: bool) -> bool:
    # A sample cut mid-character must not count against UTF-8, hence the incremental decoder.
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        return False
    return True


def decode_sample(sample: bytes, encoding: str) -> str:
    """The sample as text, ignoring a character cut off at its end."""
    return codecs.getincrementaldecoder(encoding)(errors="replace").decode(sample, final=False)


def detect_delimiter(text: str) -> str:
    """The delimiter among , ; tab | that splits the sample's records most consistently.

    Each candidate parses the first records (quotes respected); the header must split into at
    least two cells, and the winner is the one whose records most often have the header's
    width, then the widest header, then the order above. One column: a comma.
    """
    best, best_score = ",", None
    for rank, delimiter in enumerate(DELIMITERS):
        records = _first_records(text, delimiter)
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        consistent = sum(len(r) == width for r in records) / len(records)
        score = (consistent, width, -rank)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def _first_records(text: str, delimiter: str) -> list[list[str]]:
    # Drop the last line: the sample may have cut it short.
    cut = text.rfind("\n")
    text = text[: cut + 1] if cut > 0 else text
    records = []
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if any(cell.strip() for cell in record):
                records.append(record)
            if len(records) >= SNIFF_RECORDS:
                break
    except csv.Error:
        pass
    return records


# ---------------------------------------------------------------------------------------------
# What kind of file it really is, whatever its name says

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"   # Compound File (CDF): .xls, or an encrypted .xlsx
# An encrypted OOXML package is a CDF holding these streams; their names are UTF-16 in the
# CDF's directory (MS-OFFCRYPTO 2.3.4)
_ENCRYPTED = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
_SCAN_BLOCK = 1 << 20

CONTAINER_ADVICE = {
    "encrypted": ("the workbook is protected with a password (encrypted), so it cannot be read; "
                  "open it in Excel, remove the password (File > Info > Protect Workbook > "
                  "Encrypt with Password) and save it as .xlsx"),
    "xls": ("this is an old Excel 97-2003 workbook (.xls), which bulkio does not read; open it "
            "in Excel and save it as .xlsx (Excel Workbook) or .csv"),
    "ods": ("this is an OpenDocument spreadsheet (LibreOffice, .ods), which bulkio does not "
            "read; open it and save it as .xlsx or .csv"),
    "zip": "this is a zip archive, not an Excel workbook; save the sheet as .xlsx or .csv",
    "text": "this is a text file, not an Excel workbook; if it is a CSV, rename it to .csv",
    "binary": ("this is not a spreadsheet bulkio can read (neither an .xlsx workbook nor CSV "
               "text); open it in Excel and save it as .xlsx or .csv"),
}


def container_kind(path) -> str:
    """"xlsx", "ods", "zip" (another zip), "encrypted" (a password-protected workbook), "xls"
    (an old binary workbook), "text" or "binary", from the file's bytes, not its name."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
            if head.startswith(_OLE):
                return "encrypted" if _holds(handle, head, _ENCRYPTED) else "xls"
    except OSError as exc:
        raise InputError(f"{Path(path).name}: cannot open it ({exc.strerror})") from None
    if head.startswith(_ZIP):
        return _zip_kind(path)
    return "text" if _looks_like_text(head) else "binary"


def _holds(handle, head: bytes, needles: tuple[bytes, ...]) -> bool:
    # the directory may sit anywhere in the container: read it block by block, overlapping
    tail = head
    while True:
        if any(n in tail for n in needles):
            return True
        block = handle.read(_SCAN_BLOCK)
        if not block:
            return False
        tail = tail[-64:] + block


def _zip_kind(path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names:
                return "xlsx"
            if "mimetype" in names and archive.read("mimetype").strip().startswith(_ODS_MIME):
                return "ods"
    except (OSError, zipfile.BadZipFile, KeyError):
        return "binary"
    return "zip"


def _looks_like_text(head: bytes) -> bool:
    for bom, _name in _BOMS:
        if head.startswith(bom):
            return True
    return not any(byte in head for byte in _BINARY_BYTES) or _utf16_without_bom(head)


# bytes no text file holds outside UTF-16/32 (tab, line feed, carriage return and form feed
# aside); NUL is judged separately, UTF-16 without a BOM holds many
_BINARY_BYTES = [bytes([b]) for b in (*range(1, 9), 11, *range(14, 26), *range(28, 32))]


def _utf16_without_bom(head: bytes) -> bool:
    # ASCII text in UTF-16: every other byte NUL
    return len(head) >= 4 and (head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4)


def binary_advice(path) -> str | None:
    """For a file named like CSV/TSV: what to do when its bytes say it is something else
    (a workbook, a zip, a binary file); None when it may be text."""
    kind = container_kind(path)
    if kind == "xlsx":
        return "this is an Excel workbook with a text file's name; rename it to .xlsx"
    if kind in ("text",):
        return None
    return CONTAINER_ADVICE[kind]
