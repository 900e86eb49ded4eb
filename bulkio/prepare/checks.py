"""Vectorised cell parsers, one per field type.

Each parser takes a Series of trimmed, non-empty cell texts (index = spreadsheet row) and returns
a `Parsed`: the typed Python values for the cells it accepted, and a boolean mask of the cells it
rejected with the error code and what was expected. Parsers work on whole columns with pandas
string operations; no Python function runs per cell except `.map` over a dict.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from bulkio.errors import ConfigError

CURRENCY = "$€£₹"
# A number as people type it: sign, optional currency symbol, thousands separators, exponent.
_NUMBER = (rf"(?=.*\d)[+-]?(?:[{CURRENCY}]\s*)?[+-]?"
           r"(?:\d{1,3}(?:,\d{3})+|\d*)(?:\.\d*)?(?:[eE][+-]?\d+)?")
_NUMBER_RE = re.compile(_NUMBER)
_PERCENT_RE = re.compile(_NUMBER + r"\s*%?")
_DECORATION = frozenset(CURRENCY + ",% \t\u00a0")
# The same with a decimal comma (--decimal-comma): "1.234,56", "1 234,56" (a space, no-break
# space or narrow no-break space groups thousands), "12,50 €" (the sign may follow).
_COMMA_NUMBER = (rf"(?=.*\d)[+-]?(?:[{CURRENCY}]\s*)?[+-]?"
                 r"(?:\d{1,3}(?:[. \u00a0\u202f]\d{3})+|\d*)(?:,\d*)?(?:[eE][+-]?\d+)?"
                 rf"(?:\s*[{CURRENCY}])?")
_COMMA_NUMBER_RE = re.compile(_COMMA_NUMBER)
_COMMA_PERCENT_RE = re.compile(_COMMA_NUMBER + r"\s*%?")
_COMMA_DECORATION = frozenset(CURRENCY + ".% \t\u00a0\u202f")
DECIMAL_SEPARATORS = (".", ",")
# Number readings besides "." and ",": neither --decimal-point nor --decimal-comma was given.
# Then a value a comma makes ambiguous ("2,500": 2500 or 2.5?) is refused unless its column
# decides; in a ;-separated file (what Excel writes where the comma marks decimals) every
# value whose comma, or thousands-like dot ("2.500"), could be either is refused.
UNSAID = ""
UNSAID_SEMICOLON = ";"
_SIGNS = rf"[{CURRENCY}%\s\u00a0\u202f]"
_COMMA_GROUPS = r"[+-]?\d{1,3}(?:,\d{3})+"            # 2,500  12,345  1,234,567
_DOT_GROUPS = r"[+-]?[1-9]\d{0,2}(?:\.\d{3})+"        # 2.500  12.345
_POINT_DECIMALS = r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d*)\.\d+"   # 12.5  1,234.56
_COMMA_DECIMALS = r"[+-]?(?:\d{1,3}(?:\.\d{3})+|\d*),\d+"   # 12,5  1.234,56
COMMA_HINT = " (if your file writes decimals with a comma, pass --decimal-comma)"
FLOAT_DIGITS = 8  # decimals kept: enough for rates and amounts, drops binary noise (1.1000000001)
MAX_INT = 2**53

TRUTHS = {"yes": True, "true": True, "1": True, "y": True,
          "no": False, "false": False, "0": False, "n": False}
# the spellings spreadsheets usually hold, looked up before lower-casing every cell
_TRUTHS_AS_TYPED = {**TRUTHS, **{k.title(): v for k, v in TRUTHS.items()},
                    **{k.upper(): v for k, v in TRUTHS.items()}}

_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YMD_RE = r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + "$"
_DMY_RE = r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME + "$"
_SERIAL_RE = r"^\d{1,7}(?:\.\d+)?$"
MAX_SERIAL = 2958465  # Excel's 9999-12-31
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_MONTH_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])

_EMAIL_RE = r"[^@\s]+@[^@\s]+\.[^@\s.]+"
_URL_RE = r"(?:https?://)?[\w-]+(?:\.[\w-]+)+(?::\d+)?(?:[/?#]\S*)?"
_PHONE_RE = r"\+?[\d\s().\-/]{4,30}(?:\s*(?:x|ext\.?)\s*\d{1,6})?"

EXPECTED = {
    "number": "a whole number such as 12",
    "decimal": "a number such as 12.50",
    "amount": "a number such as 12.50",
    "percent": "a percentage such as 12.5",
    "check_box": "yes or no",
    "email": "an email address such as ann@example.com",
    "url": "a web address such as https://example.com",
    "phone": "a phone number such as +1 555 0100",
}
_COMMA_RULE = ' (--decimal-comma: "," marks decimals, "." or a space groups thousands)'
COMMA_EXPECTED = {
    "number": "a whole number such as 1.234" + _COMMA_RULE,
    "decimal": "a number such as 1.234,56" + _COMMA_RULE,
    "amount": "a number such as 1.234,56" + _COMMA_RULE,
    "percent": "a percentage such as 12,5" + _COMMA_RULE,
}
DATE_ORDERS = {"DMY", "MDY", "YMD"}
_DATE_FORMAT_RE = re.compile(r"(D{1,2}|M{1,2}|Y{4})([/.\-])(D{1,2}|M{1,2}|Y{4})\2(D{1,2}|M{1,2}|Y{4})")


@dataclass
class Parsed:
    """What a parser made of a column: typed values (accepted cells only) and rejected cells."""

    values: pd.Series          # object dtype, index = the accepted cells' rows
    bad: pd.Series             # bool, aligned with the input
    code: str = "E_TYPE"
    expected: str = ""
    ambiguous: pd.Series | None = None   # rejected because it reads two ways (day/month, 2,500)
    comma: pd.Series | None = None       # numbers only: rejected, but readable with a decimal comma
    ambiguous_code: str = "E_DATE_AMBIGUOUS"


def date_order(date_format: str | None) -> str | None:
    """"DD/MM/YYYY" -> "DMY", "MM/DD/YYYY" -> "MDY", "YYYY/MM/DD" -> "YMD"; None stays None.

    Any of / . - separates the parts. Raises ConfigError for anything else.
    """
    if date_format is None or str(date_format).strip() == "":
        return None
    match = _DATE_FORMAT_RE.fullmatch(str(date_format).strip().upper())
    order = "".join(p[0] for p in match.group(1, 3, 4)) if match else ""
    if order not in DATE_ORDERS:
        raise ConfigError(
            f'date format "{date_format}" is not understood; use DD/MM/YYYY, MM/DD/YYYY, '
            "DD.MM.YYYY or YYYY/MM/DD")
    return order


def decimal_separator(value: str | None) -> str:
    """"." or ","; None (not said) is UNSAID. ConfigError for anything else."""
    if value is None:
        return UNSAID
    if value not in DECIMAL_SEPARATORS:
        raise ConfigError(f'decimal_separator "{value}" is not understood; use "." (12.50) '
                          'or "," (12,50)')
    return value


def clear_marker(value) -> str | None:
    """The --clear-marker text, trimmed (cells are compared trimmed); None stays None.
    ConfigError for an empty or non-text marker: an empty cell never clears anything."""
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"clear marker {value!r} is not usable; give the exact text a cell holds "
                          'to clear its field, e.g. --clear-marker "#CLEAR"')
    return value.strip()


def date_example(date_format: str | None) -> str:
    """21 November 2026 written in `date_format` (ISO when none is given)."""
    if not date_format or date_order(date_format) is None:
        return "2026-11-21"
    text = str(date_format).strip().upper()
    return text.replace("YYYY", "2026").replace("DD", "21").replace("MM", "11") \
        .replace("D", "21").replace("M", "11")


def _object(values, index) -> pd.Series:
    return pd.Series(values, index=index, dtype=object)


def parse_text(s: pd.Series) -> Parsed:
    """Strings, multi-line text and ids: any text is fine."""
    return Parsed(_object(s.tolist(), s.index), pd.Series(False, index=s.index))


def parse_number(s: pd.Series, kind: str, decimal_separator: str = ".") -> Parsed:
    """number (whole), decimal, amount, percent: "1,234.50", "$12", " 12 ", "15%" (percent).

    With `decimal_separator` "," the file writes "1.234,56", "1 234,56" or "12,50 €" instead,
    and "1,234.56" is rejected. With ".", the rejected cells that a decimal comma would read
    ("12,50") are marked in `Parsed.comma`, so their message can say how to read them.
    UNSAID and UNSAID_SEMICOLON read "." and refuse what `ambiguous_numbers` finds.
    """
    if decimal_separator in (UNSAID, UNSAID_SEMICOLON):
        parsed = parse_number(s, kind, ".")
        ambiguous = ambiguous_numbers(s, semicolon=decimal_separator == UNSAID_SEMICOLON)
        parsed.bad = parsed.bad | ambiguous
        parsed.values = parsed.values[~ambiguous.loc[parsed.values.index].to_numpy()]
        parsed.ambiguous, parsed.ambiguous_code = ambiguous, "E_AMBIGUOUS_NUMBER"
        return parsed
    comma = decimal_separator == ","
    plain = _strip_decoration(s, _COMMA_DECORATION if comma else _DECORATION)
    # cells that lost a currency sign, separator or % must have had them in sensible places
    decorated = plain != s
    shaped = pd.Series(True, index=s.index)
    if decorated.any():
        pattern = {(False, False): _NUMBER_RE, (False, True): _PERCENT_RE,
                   (True, False): _COMMA_NUMBER_RE, (True, True): _COMMA_PERCENT_RE}[
            (comma, kind == "percent")]
        shaped[decorated] = s[decorated].str.fullmatch(pattern.pattern)
    if comma:
        plain = plain.str.replace(",", ".", regex=False)
    numbers = pd.to_numeric(plain.where(shaped, ""), errors="coerce").astype("float64")
    bad = ~np.isfinite(numbers)
    if kind == "number":
        bad |= (numbers % 1 != 0) | (numbers.abs() > MAX_INT)
        good = numbers[~bad].astype("int64")
    else:
        good = numbers[~bad].round(FLOAT_DIGITS)
    expected = (COMMA_EXPECTED if comma else EXPECTED).get(kind, EXPECTED["decimal"])
    return Parsed(_object(good.tolist(), good.index), bad, expected=expected,
                  comma=None if comma else _comma_readable(s, bad, kind))


def ambiguous_numbers(s: pd.Series, semicolon: bool) -> pd.Series:
    """The cells whose separator could mark thousands or decimals, when the file has not said.

    In a ;-separated file: any comma, and dots grouping three digits ("2.500"). Elsewhere:
    commas grouping three digits ("2,500") unless the column decides for a decimal point, by
    holding decimals written with a point ("12.5", "1,234.56") and none with a comma ("12,5").
    """
    marked = _holding(s, ",") | _holding(s, ".") if semicolon else _holding(s, ",")
    if not marked.any():
        return marked
    core = s[marked].str.replace(_SIGNS, "", regex=True)
    if semicolon:
        marked[marked] = core.str.contains(",", regex=False) | core.str.fullmatch(_DOT_GROUPS)
        return marked
    groups = core.str.fullmatch(_COMMA_GROUPS)
    if not groups.any():
        return marked & False
    dotted = s[s.str.contains(".", regex=False)].str.replace(_SIGNS, "", regex=True)
    point = dotted.str.fullmatch(_POINT_DECIMALS).any()
    comma = (core.str.fullmatch(_COMMA_DECIMALS) & ~groups).any()
    if point and not comma:
        return marked & False
    marked[marked] = groups
    return marked


def _comma_readable(s: pd.Series, bad: pd.Series, kind: str) -> pd.Series | None:
    """Of the cells rejected with a decimal point, those holding a comma that a decimal comma
    would read; None when there are none to check."""
    suspects = bad & _holding(s, ",")
    if not suspects.any():
        return None
    readable = pd.Series(False, index=s.index)
    readable[suspects] = ~parse_number(s[suspects], kind, ",").bad
    return readable


def _holding(s: pd.Series, char: str) -> pd.Series:
    """The cells holding `char`: one scan of the joined column first, since pandas' contains
    calls Python once per cell and most columns hold no such character at all."""
    if char not in "\x00".join(s.tolist()):
        return pd.Series(False, index=s.index)
    return s.str.contains(char, regex=False)


def _strip_decoration(s: pd.Series, decoration: frozenset[str] = _DECORATION) -> pd.Series:
    """The cells without currency signs, thousands separators, % and spaces. One cheap scan of
    the joined column decides which characters need a (per-cell) replace at all."""
    present = set("\x00".join(s.tolist())) & decoration
    for char in present:
        s = s.str.replace(char, "", regex=False)
    return s


def parse_check_box(s: pd.Series) -> Parsed:
    """yes/no, true/false, 1/0, y/n in any case -> bool."""
    flags = s.map(_TRUTHS_AS_TYPED)
    retry = flags.isna()
    if retry.any():
        flags[retry] = s[retry].str.lower().map(TRUTHS)
    bad = flags.isna()
    good = flags[~bad]
    return Parsed(_object([bool(v) for v in good.tolist()], good.index), bad,
                  expected=EXPECTED["check_box"])


def parse_choice(s: pd.Series, choices: tuple[str, ...]) -> Parsed:
    """A value of `choices`, matched case-insensitively, returned in its canonical spelling."""
    found = s.where(s.isin(choices))
    retry = found.isna()
    if retry.any():
        canonical = {c.casefold(): c for c in choices}
        found[retry] = s[retry].str.casefold().map(canonical)
    bad = found.isna()
    good = found[~bad]
    return Parsed(_object(good.tolist(), good.index), bad, code="E_CHOICE")


def parse_format(s: pd.Series, kind: str) -> Parsed:
    """email, url, phone: text of a recognisable shape, kept as written."""
    pattern = {"email": _EMAIL_RE, "url": _URL_RE, "phone": _PHONE_RE}[kind]
    ok = s.str.fullmatch(pattern, case=False)
    if kind == "phone":
        ok &= s.str.count(r"\d") >= 4
    good = s[ok]
    return Parsed(_object(good.tolist(), good.index), ~ok, code="E_FORMAT",
                  expected=EXPECTED[kind])


def parse_date(s: pd.Series, date_format: str | None = None) -> Parsed:
    """Dates -> "YYYY-MM-DD".

    Accepted always: ISO 2026-11-21 (also 2026/11/21, with a time after it), Excel serial
    numbers (46347). Day/month/year with / . or -: read as `date_format` says; without one,
    read day-first when only that reading works (21/11/2026), month-first when only that works
    (11/21/2026), and rejected as ambiguous when both work and differ (03/04/2026).
    """
    order = date_order(date_format)
    text = np.full(len(s), None, dtype=object)
    ambiguous = np.zeros(len(s), dtype=bool)
    # fast path: ISO dates and Excel's "2026-11-21 00:00:00", parsed in C by pandas (tried
    # only on cells shaped like them: a failed parse costs more than the slow path)
    rest = (s.str.slice(4, 5) == "-").to_numpy().copy()
    for fmt in ("%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        if rest.any():
            stamps = pd.to_datetime(s[rest], format=fmt, errors="coerce").to_numpy()
            hit = ~np.isnat(stamps)
            at = np.flatnonzero(rest)[hit]
            text[at] = np.datetime_as_string(stamps[hit].astype("datetime64[D]"), unit="D")
            rest[at] = False
    rest = pd.isna(text)
    if rest.any():
        at = np.flatnonzero(rest)
        text[at], ambiguous[at] = _other_dates(s.iloc[at], order)
    ok = pd.notna(text)
    return Parsed(_object(text[ok].tolist(), s.index[ok]), pd.Series(~ok, index=s.index),
                  code="E_DATE", expected=f"a date such as {date_example(date_format)}",
                  ambiguous=pd.Series(ambiguous, index=s.index))


def _other_dates(s: pd.Series, order: str | None) -> tuple[np.ndarray, np.ndarray]:
    """The slow path of parse_date: (texts or None, ambiguous) for the cells left over."""
    n = len(s)
    year = np.full(n, -1, dtype="int64")
    month = np.zeros(n, dtype="int64")
    day = np.zeros(n, dtype="int64")
    ambiguous = np.zeros(n, dtype=bool)
    serial_days = np.full(n, -1, dtype="int64")

    ymd = s.str.extract(_YMD_RE)
    is_ymd = ymd[0].notna().to_numpy()
    if is_ymd.any():
        parts = ymd[is_ymd].astype("int64").to_numpy()
        year[is_ymd], month[is_ymd], day[is_ymd] = parts[:, 0], parts[:, 1], parts[:, 2]

    rest = ~is_ymd
    if rest.any():
        dmy = s[rest].str.extract(_DMY_RE)
        hit = dmy[0].notna().to_numpy()
        where = np.flatnonzero(rest)[hit]
        if hit.any():
            a, b, y = dmy[hit].astype("int64").to_numpy().T
            dd, mm, amb = _day_month(a, b, order)
            year[where], month[where], day[where], ambiguous[where] = y, mm, dd, amb
        serial_at = np.flatnonzero(rest)[~hit]
        if serial_at.size:
            cells = s.iloc[serial_at]
            is_serial = cells.str.fullmatch(_SERIAL_RE).to_numpy()
            numbers = pd.to_numeric(cells[is_serial], errors="coerce").to_numpy()
            serial_days[serial_at[is_serial]] = np.floor(numbers).astype("int64")

    valid_ymd = _real_date(year, month, day) & ~ambiguous
    valid_serial = (serial_days >= 1) & (serial_days <= MAX_SERIAL)
    text = np.full(n, None, dtype=object)
    if valid_ymd.any():
        text[valid_ymd] = np.datetime_as_string(
            _to_datetime64(year[valid_ymd], month[valid_ymd], day[valid_ymd]), unit="D")
    if valid_serial.any():
        text[valid_serial] = np.datetime_as_string(
            _EXCEL_EPOCH + serial_days[valid_serial].astype("timedelta64[D]"), unit="D")
    return text, ambiguous


def _day_month(a: np.ndarray, b: np.ndarray, order: str | None):
    """(day, month, ambiguous) for first part `a` and second part `b` of d/m/y or m/d/y."""
    if order == "DMY":
        return a, b, np.zeros(a.shape, dtype=bool)
    if order == "MDY":
        return b, a, np.zeros(a.shape, dtype=bool)
    month_first = (a <= 12) & (b > 12)
    day = np.where(month_first, b, a)
    month = np.where(month_first, a, b)
    ambiguous = (a <= 12) & (b <= 12) & (a != b) & (a >= 1) & (b >= 1)
    return day, month, ambiguous


def _real_date(year, month, day) -> np.ndarray:
    """True where year/month/day name a day that exists (leap years included)."""
    ok = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    limit = _MONTH_DAYS[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    return ok & (day <= limit)


def _to_datetime64(year, month, day) -> np.ndarray:
    months = (year - 1970) * 12 + (month - 1)
    return months.astype("datetime64[M]").astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")


def parse_cells(s: pd.Series, field, date_format: str | None = None,
                decimal_separator: str = ".") -> Parsed:
    """Parse a column of trimmed, non-empty texts for `field` (a modules.Field) by its type."""
    kind = field.type
    if kind in ("number", "decimal", "amount", "percent"):
        return parse_number(s, kind, decimal_separator)
    if kind == "date":
        return parse_date(s, date_format)
    if kind == "check_box":
        return parse_check_box(s)
    if field.values:
        return parse_choice(s, field.values)
    if kind in ("email", "url", "phone"):
        return parse_format(s, kind)
    return parse_text(s)
