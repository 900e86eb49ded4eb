"""The JSON answers printed in Zoho's pages (spec/zoho-docs/*.txt), parsed, with where they stand.

Zoho's API pages print each operation's answer after a "Response Example" line, on the
operation's section (the title above its "OAuth Scope" line); the Deluge page prints its answers
after "sample success response:" and "... of the following format:". Lists are shortened with
`{...}` placeholders (`[ {...}, {...} ]`, `, {...}`), which are dropped before parsing.

Example:
    for example in response_examples("items-api.txt"):
        example.section, example.body["code"]     # ('Create an Item', 0)
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parent.parent / "spec" / "zoho-docs"

#: what stands just before an answer on Zoho's pages
ANSWER_MARKERS = re.compile(
    r"^Response Example$|sample success response:"
    r"|failure response returned due to (?P<failure>[^\n]*?) is of the following format:",
    re.M | re.I,
)
#: the title of a section of an API page is the line two above its "OAuth Scope" line
SECTION_TITLE = re.compile(r"^(?P<title>[^\n]+)\n\n?[^\n]+\nOAuth Scope", re.M)
PLAIN_HEADING = re.compile(r"^(Sample Response|Example|Overview|Syntax)$", re.M)
PLACEHOLDER = re.compile(r"\{\.\.\.\}\s*,\s*|,?\s*\{\.\.\.\}")


@dataclass(frozen=True)
class ResponseExample:
    """One answer printed on a page: its file, its section, and the parsed JSON."""

    file: str
    section: str
    body: Any

    def __str__(self) -> str:
        return f"{self.file} § {self.section}"


def without_placeholders(text: str) -> str:
    """`[ {...}, {...} ]` -> `[ ]`, `{ "a": 1 }, {...} ]` -> `{ "a": 1 } ]`."""
    return PLACEHOLDER.sub("", text)


@cache
def response_examples(file: str) -> tuple[ResponseExample, ...]:
    """Every answer printed on one page of spec/zoho-docs/, in page order."""
    text = (DOCS / file).read_text(encoding="utf-8")
    decoder = json.JSONDecoder()
    found = []
    for marker in ANSWER_MARKERS.finditer(text):
        start = text.index("{", marker.end())
        body, _ = decoder.raw_decode(without_placeholders(text[start:]))
        section = _section(text, marker.start())
        if marker.group("failure"):
            section += f" (failure: {marker.group('failure')})"
        found.append(ResponseExample(file, section, body))
    return tuple(found)


def all_response_examples() -> tuple[ResponseExample, ...]:
    """The answers of every page in spec/zoho-docs/."""
    return tuple(e for page in sorted(DOCS.glob("*.txt")) for e in response_examples(page.name))


def example(file: str, section: str) -> Any:
    """The one answer printed in `section` of `file`, parsed."""
    matches = [e.body for e in response_examples(file) if e.section == section]
    if len(matches) != 1:
        raise LookupError(f"{file} § {section}: {len(matches)} response examples")
    return matches[0]


def _section(text: str, position: int) -> str:
    before = text[:position]
    titles = list(SECTION_TITLE.finditer(before)) or list(PLAIN_HEADING.finditer(before))
    return titles[-1].group(1) if titles else ""
