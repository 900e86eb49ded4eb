"""Turn raw grids of text (columns = sheet positions, index = row numbers) into tables."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from bulkio.errors import InputError, MappingError


def column_letter(position: int) -> str:
    """Spreadsheet letters for a 0-based column position: 0 -> A, 27 -> AB."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def nonblank_rows(df: pd.DataFrame) -> np.ndarray:
    """A mask of the rows holding at least one cell that is more than whitespace."""
    keep = np.zeros(len(df), dtype=bool)
    for column in df.columns:
        todo = np.flatnonzero(~keep)
        if not len(todo):
            break
        # Only rows not yet known to hold something are looked at, so in a normal table the
        # first column decides almost every row and the other columns cost next to nothing.
        cells = df[column].iloc[todo]
        keep[todo] = (cells.str.strip() != "").to_numpy(dtype=bool)
    return keep


class Shaper:
    """Names the columns from the header row and shapes each chunk of rows the same way."""

    def __init__(self, header: list[str], header_row: int, source: str, ragged_ok: bool):
        self.header_row = header_row
        self.width = len(header)
        self.source = source
        # In a workbook, cells right of the last header are columns without a header;
        # in a text file they are a record longer than its header.
        self.ragged_ok = ragged_ok
        self.names = {pos: cell.strip() for pos, cell in enumerate(header)}
        self.keep: list[int] | None = None  # decided by the first chunk
        self.blank_dropped: list[int] = []
        self._kept: frozenset[int] = frozenset()
        _refuse_duplicates([(pos, name) for pos, name in self.names.items() if name])

    def shape(self, raw: pd.DataFrame) -> pd.DataFrame:
        """One chunk of raw rows (columns 0..n, index row numbers) as a table chunk."""
        raw = raw[raw.index > self.header_row]
        raw = raw[nonblank_rows(raw)] if len(raw) else raw
        if self.keep is None:
            self._decide_columns(raw)
        self._refuse_extra_cells(raw)
        self._refuse_late_data(raw)
        if all(pos in raw.columns for pos in self.keep):
            table = raw[self.keep]
        else:
            table = raw.reindex(columns=self.keep, fill_value="").astype(str)
        table = table.set_axis([self._name(pos) for pos in self.keep], axis=1)
        table.index = table.index.astype("int64")
        table.index.name = "row"
        return table

    def column_name(self, pos: int) -> str | None:
        """The table's name for sheet position `pos`; None when that column is not kept."""
        if self.keep is None or pos not in self._kept:
            return None
        return self._name(pos)

    def _name(self, pos: int) -> str:
        return self.names.get(pos) or f"Column {column_letter(pos)}"

    def _decide_columns(self, raw: pd.DataFrame) -> None:
        # A column without a header is kept when it holds data, so nothing is lost. A raw
        # chunk may hold only the positions that have something (readers._grid).
        positions = set(range(self.width))
        if self.ragged_ok:
            wider = [pos for pos in raw.columns if pos >= self.width]
            self.names.update({pos: "" for pos in wider})
            positions.update(wider)
            self.width = max([self.width, *(pos + 1 for pos in wider)])
        self.keep = []
        for pos in sorted(positions):
            if self.names.get(pos) or (pos in raw.columns and _has_data(raw[pos])):
                self.keep.append(pos)
            else:
                self.blank_dropped.append(pos)
        self._kept = frozenset(self.keep)
        _refuse_duplicates([(pos, self._name(pos)) for pos in self.keep])

    def _refuse_extra_cells(self, raw: pd.DataFrame) -> None:
        extra = [pos for pos in raw.columns if pos >= self.width]
        rows = _rows_with_data(raw, extra)
        if len(rows) and self.ragged_ok:
            pos = next(p for p in extra if raw.at[rows[0], p].strip())
            raise InputError(self._late_message(pos, rows[0]))
        if len(rows):
            row = rows[0]
            cells = max(pos for pos in extra if raw.at[row, pos].strip()) + 1
            raise InputError(
                f"{self.source}: row {row} has {cells} cells but the header (row "
                f"{self.header_row}) has {self.width} columns; remove the extra cells or give "
                "them a header"
            )

    def _refuse_late_data(self, raw: pd.DataFrame) -> None:
        # Only in chunked reading: a headerless column empty in the first chunk was dropped.
        columns = [pos for pos in self.blank_dropped if pos in raw.columns]
        rows = _rows_with_data(raw, columns)
        if len(rows):
            pos = next(p for p in columns if raw.at[rows[0], p].strip())
            raise InputError(self._late_message(pos, rows[0]))

    def _late_message(self, pos: int, row: int) -> str:
        return (
            f"{self.source}: column {column_letter(pos)} has no header but holds data in "
            f"row {row}; give it a header"
        )


def _has_data(cells: pd.Series) -> bool:
    return bool((cells.str.strip() != "").any())


def _rows_with_data(raw: pd.DataFrame, columns: list[int]) -> list[int]:
    if not columns or not len(raw):
        return []
    mask = nonblank_rows(raw[columns])
    return raw.index[mask].tolist()


def _refuse_duplicates(named: list[tuple[int, str]]) -> None:
    where = defaultdict(list)
    for pos, name in named:
        where[name].append(column_letter(pos))
    for name, letters in where.items():
        if len(letters) > 1:
            times = "twice" if len(letters) == 2 else f"{len(letters)} times"
            listed = ", ".join(letters[:-1]) + f" and {letters[-1]}"
            raise MappingError(
                f"Column '{name}' appears {times} (columns {listed}); rename or remove one"
            )
