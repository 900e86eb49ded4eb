"""Raw chunks of a CSV/TSV file: every cell text, index the record's row number."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from bulkio.errors import InputError


def find_header(path: Path, encoding: str, delimiter: str) -> tuple[int, list[str]]:
    """The first record holding something: its row number and its cells."""
    with _open_text(path, encoding) as handle:
        try:
            for number, record in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                if any(cell.strip() for cell in record):
                    return number, record
        except UnicodeDecodeError:
            raise InputError(f"{path.name}: not valid {encoding} text; save the file as UTF-8 CSV") from None
        except csv.Error as exc:
            raise InputError(f"{path.name}: cannot read it as CSV ({exc})") from None
    raise InputError(f"{path.name}: the file holds no header row (it is empty)")


def iter_raw_chunks(
    path: Path, encoding: str, delimiter: str, width: int, chunk_rows: int | None
) -> Iterator[pd.DataFrame]:
    """Chunks of raw records, columns 0..n, index the row number (record 1 = row 1).

    pandas' fast parser needs the width in advance and refuses longer records. When one
    turns up, the file is measured once with the csv module and read again at the full
    width, skipping the rows already handed out; the caller then judges the extra cells.
    """
    done = 0
    while True:
        try:
            for chunk in _pandas_chunks(path, encoding, delimiter, width, chunk_rows):
                chunk = chunk[chunk.index > done]
                if len(chunk):
                    done = int(chunk.index[-1])
                    yield chunk
            return
        except pd.errors.ParserError as exc:
            widest = _widest_record(path, encoding, delimiter)
            if widest <= width:
                raise InputError(f"{path.name}: cannot read it as CSV ({_first_line(exc)})") from None
            width = widest


def _pandas_chunks(path, encoding, delimiter, width, chunk_rows) -> Iterator[pd.DataFrame]:
    options = dict(
        sep=delimiter,
        header=None,
        names=range(width),
        index_col=False,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,  # blank lines are rows a person sees; keep the count right
        encoding=encoding,
        engine="c",
    )
    try:
        if chunk_rows is None:
            frames = [pd.read_csv(path, **options)]
        else:
            frames = pd.read_csv(path, chunksize=chunk_rows, **options)
        for frame in frames:
            frame.index = frame.index + 1
            yield frame
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{path.name}: not valid {encoding} text (byte {exc.object[exc.start:exc.start + 1]!r} "
            f"at position {exc.start}); save the file as UTF-8 CSV"
        ) from None
    except pd.errors.EmptyDataError:
        return


def _widest_record(path: Path, encoding: str, delimiter: str) -> int:
    with _open_text(path, encoding) as handle:
        try:
            return max((len(r) for r in csv.reader(handle, delimiter=delimiter)), default=0)
        except (csv.Error, UnicodeDecodeError):
            return 0


def _open_text(path: Path, encoding: str):
    try:
        return open(path, encoding=encoding, newline="")
    except OSError as exc:
        raise InputError(f"{path.name}: cannot open it ({exc.strerror})") from None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
