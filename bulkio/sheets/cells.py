"""What an XLSX cell can hold and how wide a column is: the basics every sheet writer shares,
openpyxl's and the streamed one alike (so this module loads no openpyxl).

Excel refuses control characters and cuts a cell at 32,767 characters, so a text cell holds
the text without them, cut there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

MIN_WIDTH, MAX_WIDTH = 8, 50
MAX_CELL = 32_767  # Excel's limit on the characters of one cell
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")  # openpyxl's own rule


def excel_text(text: str) -> str:
    """`text` as an XLSX cell can hold it: control characters dropped, cut at MAX_CELL."""
    return ILLEGAL_CHARACTERS.sub("", text)[:MAX_CELL]


def fit_width(width: float, widest: float = MAX_WIDTH) -> float:
    """`width` kept between MIN_WIDTH and `widest`."""
    return min(widest, max(MIN_WIDTH, width))


def column_widths(header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                  measure: Callable[[Any], int] = len, widest: float = MAX_WIDTH) -> list[float]:
    """Each column's width: its longest entry (the header or a cell of `rows`, as `measure`
    counts it) plus a margin of 2, between MIN_WIDTH and `widest`."""
    longest = [len(h) for h in header]
    for row in rows:
        for i, value in enumerate(row):
            length = measure(value)
            if length > longest[i]:
                longest[i] = length
    return [fit_width(n + 2, widest) for n in longest]
