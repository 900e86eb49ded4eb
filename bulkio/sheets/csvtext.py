"""CSV text made a column at a time, exactly as `csv.writer` (the excel dialect: commas, minimal
quoting, lines ended by \\r\\n) writes it row by row. A report's columns are lists of text
already: joining them is one C-level pass, where csv.writer checks each of its 2.6 million
cells one by one (the longest step of a 100,000-row report).
"""

from __future__ import annotations

import csv
import re
from itertools import islice
from typing import TextIO

_QUOTED = re.compile(r'[,"\r\n]')  # what makes csv.writer quote a cell


def write_columns(out: TextIO, columns: list[list[str]], piece: int = 10_000) -> None:
    """Write the rows these columns make to `out` as CSV lines, each ended by \\r\\n, `piece`
    rows at a time (the text of them all would double the memory a report takes)."""
    if len(columns) < 2:  # csv.writer quotes a row's only cell when it is empty: leave that to it
        csv.writer(out).writerows(zip(*columns, strict=True))
        return
    lines = map(",".join, zip(*map(_quoted, columns), strict=True))
    while chunk := list(islice(lines, piece)):
        out.write("\r\n".join(chunk) + "\r\n")


def _quoted(column: list[str]) -> list[str]:
    if not _QUOTED.search("\x00".join(column)):
        return column
    return ['"' + cell.replace('"', '""') + '"' if _QUOTED.search(cell) else cell for cell in column]
