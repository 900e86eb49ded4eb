"""Guess how a delimited text file is written: its encoding and its delimiter."""

from __future__ import annotations

import codecs
import csv
import io

from charset_normalizer import from_bytes

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
