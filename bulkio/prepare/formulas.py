"""Formula-injection guard for the spreadsheets bulkio writes, and its exact undo for reading.

A cell whose text begins with `=`, `+`, `-`, `@`, a tab or a carriage return is run as a formula
by Excel, LibreOffice and Google Sheets when they open a CSV. OWASP's remedy is to prefix such a
cell with a single quote. To keep the round trip lossless the prefix must be undone on import,
and a value that itself begins with quotes followed by a trigger (`'=x`, `''+1`) gets one more
quote, so that

    unguard_cell(guard_cell(text)) == text      for every text.

`unguard_cell` strips only a quote `guard_cell` could have added: one leading quote in front of
zero or more quotes and then a trigger character. `'abc` and `'` are left alone.

XLSX needs no prefix: its text cells are written with data_type "s" and never become formulas.
Numbers are never guarded (a numeric field's -12.5 stays a number); guard text cells only.
"""

from __future__ import annotations

import re

import pandas as pd

TRIGGERS = "=+-@\t\r"
QUOTE = "'"

# A text guard_cell changes: any run of quotes, then a trigger character.
_NEEDS_GUARD = re.compile(r"^'*[=+\-@\t\r]")
# A text unguard_cell changes: the quote guard_cell added in front of such a run.
_GUARDED = r"^'(?='*[=+\-@\t\r])"
_GUARDED_RE = re.compile(_GUARDED)


def needs_guard(text: str) -> bool:
    """True when `text` would start a formula (after any leading quotes)."""
    return bool(_NEEDS_GUARD.match(text))


def guard_cell(text: str) -> str:
    """The text to write into a CSV cell so that no spreadsheet runs it as a formula.

    >>> guard_cell('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> guard_cell("'=1"), guard_cell("plain"), guard_cell("'quoted")
    ("''=1", 'plain', "'quoted")
    """
    return QUOTE + text if _NEEDS_GUARD.match(text) else text


def unguard_cell(text: str) -> str:
    """Undo `guard_cell`: strip the one quote it added, and nothing else.

    >>> unguard_cell("'=1+1"), unguard_cell("''=1"), unguard_cell("'abc")
    ('=1+1', "'=1", "'abc")
    """
    return text[1:] if _GUARDED_RE.match(text) else text


def unguard_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of a reader's all-text frame with `unguard_cell` applied to every cell and header.

    Vectorised (one regex replace per column); the index (spreadsheet row numbers) is kept.
    Call it on frames read from CSV/TSV files only: XLSX text cells are never prefixed.
    """
    out = df.copy()
    for column in out.columns:
        values = out[column]
        if _is_text(values):
            out[column] = values.str.replace(_GUARDED, "", n=1, regex=True)
    out.columns = [unguard_cell(c) if isinstance(c, str) else c for c in out.columns]
    return out


def _is_text(values: pd.Series) -> bool:
    return values.dtype == object or pd.api.types.is_string_dtype(values.dtype)
