"""Excel number formats that pad integers with zeros ("00000"), rendered as Excel shows them.

Only these change what a value *is*: an SKU or ZIP code shown as 00123 is not 123. Every other
format (decimals, thousands, percent, dates, "@") is left alone, so the cell keeps the plain
number text and validation does any conversion. A format is honoured when it is built from
digit placeholders (0 # ?) and literal text only, and at least one of its number sections has
two or more "0" placeholders: "00000", "000-00-0000", "00000;-00000", '"ID "0000'.
Only integer values are rendered; 123.4 under "00000" keeps its text "123.4" rather than
Excel's rounded "00123", so no digit is silently lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bulkio.readers.cells import INT_LIMIT  # the bound of cells.number_text: beyond it Excel prints exponents

# What an unused placeholder shows. "?" keeps a blank the width of a digit, for alignment
# only: the text a person reads has no such space, so here it shows nothing.
_PLACEHOLDERS = {"0": "0", "#": "", "?": ""}
_LITERALS = set(" $-+():!^&'~{}<>=")  # characters Excel shows without quotes
_COLOR = re.compile(r"(?i)(black|blue|cyan|green|magenta|red|white|yellow|color\d{1,2})")


@dataclass(frozen=True)
class _Section:
    tokens: tuple[tuple[bool, str], ...]  # (is_placeholder, placeholder char or literal text)

    @property
    def zeros(self) -> int:
        return sum(1 for is_digit, text in self.tokens if is_digit and text == "0")

    def render(self, digits: str) -> str:
        """Digits placed right to left; the leftmost placeholder takes any overflow."""
        slots = [i for i, (is_digit, _) in enumerate(self.tokens) if is_digit]
        out = [text for _, text in self.tokens]
        remaining = digits
        for i in reversed(slots):
            if i == slots[0]:
                out[i] = remaining or _PLACEHOLDERS[self.tokens[i][1]]
            else:
                out[i] = remaining[-1:] or _PLACEHOLDERS[self.tokens[i][1]]
                remaining = remaining[:-1]
        return "".join(out)


@dataclass(frozen=True)
class PadFormat:
    """A zero-padding integer format; `render` gives the text Excel shows, or None."""

    code: str
    sections: tuple[_Section | None, ...]  # positive, negative, zero; None = not renderable

    def render(self, value: object) -> str | None:
        """`value` as Excel shows it under this format; None when it is left as it is.

        >>> padding_format("00000").render(123.0)
        '00123'
        """
        if type(value) not in (int, float) or not float(value).is_integer():
            return None
        if abs(value) >= INT_LIMIT:
            return None
        number = int(value)
        section, sign = self._section(number)
        if section is None:
            return None
        digits = str(abs(number)) if number else ""
        shown = section.render(digits)
        # A section of "#" placeholders shows zero as nothing; an empty cell would lose it.
        return sign + shown if shown.strip() else None

    def _section(self, number: int) -> tuple[_Section | None, str]:
        count = len(self.sections)
        if number < 0:
            # With a negative section the sign is whatever that section writes.
            return (self.sections[1], "") if count > 1 else (self.sections[0], "-")
        if number == 0 and count > 2:
            return self.sections[2], ""
        return self.sections[0], ""


@lru_cache(maxsize=256)
def padding_format(code: str | None) -> PadFormat | None:
    """The PadFormat for an Excel format code that zero-pads integers, else None.

    >>> padding_format("000-00-0000").render(12345678)
    '012-34-5678'
    >>> padding_format("#,##0") is None
    True
    """
    if not code:
        return None
    parts = _split_sections(code)
    if parts is None:
        return None
    sections = []
    for part in parts[:3]:  # a fourth section is for text cells
        try:
            sections.append(_parse_section(part))
        except _Unsupported:
            sections.append(None)
        except _Conditional:
            return None  # conditions reorder the sections; not worth guessing
    if not any(s is not None and s.zeros >= 2 for s in sections):
        return None
    return PadFormat(code, tuple(sections))


class _Unsupported(Exception):
    pass


class _Conditional(Exception):
    pass


def _split_sections(code: str) -> list[str] | None:
    parts, current, i = [], [], 0
    while i < len(code):
        char = code[i]
        if char == '"':
            end = code.find('"', i + 1)
            if end < 0:
                return None
            current.append(code[i : end + 1])
            i = end + 1
            continue
        if char in "\\_*" and i + 1 < len(code):
            current.append(code[i : i + 2])
            i += 2
            continue
        if char == ";":
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        i += 1
    parts.append("".join(current))
    return parts


def _parse_section(part: str) -> _Section:
    tokens: list[tuple[bool, str]] = []
    i = 0
    while i < len(part):
        char = part[i]
        if char in _PLACEHOLDERS:
            tokens.append((True, char))
        elif char == '"':
            end = part.index('"', i + 1)
            tokens.append((False, part[i + 1 : end]))
            i = end
        elif char == "\\" and i + 1 < len(part):
            tokens.append((False, part[i + 1]))
            i += 1
        elif char == "_" and i + 1 < len(part):
            i += 1  # "_x" leaves the width of x blank: alignment, not text
        elif char == "*" and i + 1 < len(part):
            i += 1  # "*x" fills the column width with x: nothing in a value
        elif char == "[":
            end = part.find("]", i)
            if end < 0:
                raise _Unsupported
            tokens.append((False, _bracket(part[i + 1 : end])))
            i = end
        elif char in _LITERALS:
            tokens.append((False, char))
        else:
            raise _Unsupported  # '.', ',', '%', 'E', '/', '@', date letters, General ...
        i += 1
    if not any(is_digit for is_digit, _ in tokens):
        raise _Unsupported  # an empty or text-only section hides the number
    return _Section(tuple(tokens))


def _bracket(inner: str) -> str:
    if inner[:1] in "<>=":
        raise _Conditional
    if inner.startswith("$"):
        return inner[1:].split("-", 1)[0]  # [$€-407] shows €, [$-409] shows nothing
    if _COLOR.fullmatch(inner):
        return ""
    raise _Unsupported  # [h], [mm] and other elapsed-time codes
