"""The rules table (bulkio/sandbox/sources.py) and the code keep each other complete: every
rule comment in the sandbox names a rule of the table, every rule is applied somewhere, and each
rule's source file exists and holds the sentence it quotes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bulkio.sandbox import sources

PACKAGE = Path(sources.__file__).parent
REPO = PACKAGE.parent.parent
# Zoho's pages, its OpenAPI files and our summary, as copied into the repository (spec/README.md)
SPEC = REPO / "spec"
MARK = re.compile(r"#\s*rule:\s*([A-Z0-9-]+)")


def referenced() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.glob("*.py")):
        for rule_id in MARK.findall(path.read_text(encoding="utf-8")):
            found.setdefault(rule_id, []).append(path.name)
    return found


def source_text(source: str) -> str:
    path = SPEC / source
    assert path.is_file(), f"{source}: no file at {path}"
    return path.read_text(encoding="utf-8")


def folded(text: str) -> str:
    return " ".join(text.split())


def test_every_rule_in_the_code_is_in_the_table():
    assert set(referenced()) - set(sources.BY_ID) == set()


def test_every_rule_of_the_table_is_applied_in_the_code():
    assert set(sources.BY_ID) - set(referenced()) == set()


def test_rule_ids_are_unique_and_every_rule_says_what_it_does():
    assert len(sources.BY_ID) == len(sources.RULES)
    for rule in sources.RULES:
        assert rule.does.strip() and rule.section.strip() and rule.quote.strip(), rule.id


@pytest.mark.parametrize("rule", [r for r in sources.RULES if not r.source.startswith("https://")],
                         ids=lambda r: r.id)
def test_the_source_file_holds_the_quoted_sentence(rule):
    assert folded(rule.quote) in folded(source_text(rule.source)), f"{rule.id}: {rule.quote!r} not in {rule.source}"


def test_web_sources_are_zoho_pages():
    for rule in sources.RULES:
        if rule.source.startswith("https://"):
            assert re.match(r"https://(www\.)?(zoho\.com|zstatic\.zohostatic\.com)/", rule.source), rule.id
