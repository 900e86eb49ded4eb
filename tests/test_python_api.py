"""The Python API: `import bulkio` alone imports a file into the sandbox and validates one, the
README's example is what runs here, and every name of `bulkio.__all__` resolves."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

import bulkio

README = Path(__file__).resolve().parent.parent / "README.md"
ITEMS = """Item Name,SKU,Selling Price
Standing Desk Frame,000101,349.00
Oak Desk Top,000102,189.00
Desk Lamp,000103,twelve
"""


def readme_example() -> str:
    """The Python block of the README's "Python API" section."""
    section = README.read_text(encoding="utf-8").split("## Python API\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def point_at(sandbox, monkeypatch) -> None:
    """The ZOHO_* variables `bulkio sandbox` prints, as a person would export them."""
    for line in sandbox.export_lines():
        name, _, value = line.removeprefix("export ").partition("=")
        monkeypatch.setenv(name, value.strip("'"))


def test_the_readme_example_imports_a_file_into_the_sandbox_and_reads_the_outcomes(
        sandbox, tmp_path, monkeypatch, capsys):
    point_at(sandbox, monkeypatch)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "items.csv").write_text(ITEMS, encoding="utf-8")
    names: dict = {}

    exec(compile(readme_example(), str(README), "exec"), names)

    result = names["result"]
    ids = {r["name"]: r["item_id"] for r in sandbox.records("items")}
    assert [(r.row, r.status) for r in result.rows] == [(2, "created"), (3, "created"), (4, "invalid")]
    assert [r.record_id for r in result.rows] == [ids["Standing Desk Frame"], ids["Oak Desk Top"], None]
    assert result.exit_code == bulkio.ExitCode.ROWS_FAILED and result.files.report.exists()
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == f"2 created {ids['Standing Desk Frame']} "
    assert printed[2].startswith("4 invalid - ") and "Selling Price" in printed[2]
    assert printed[3] == "2 created; report items.report.xlsx; exit code 1"
    assert isinstance(names["client"], bulkio.Client)


def test_the_same_file_imported_again_sends_nothing_twice(sandbox, tmp_path, monkeypatch):
    point_at(sandbox, monkeypatch)
    source = tmp_path / "items.csv"
    source.write_text(ITEMS, encoding="utf-8")
    options = bulkio.ImportOptions(source, module="items")
    bulkio.run_import(options, bulkio.connect())
    again = bulkio.run_import(options, bulkio.connect())

    assert [r.status for r in again.rows] == ["created", "created", "invalid"]
    assert len(sandbox.records("items")) == 2


def test_validate_checks_a_file_without_a_client_and_reports_every_row(tmp_path):
    source = tmp_path / "items.csv"
    source.write_text(ITEMS, encoding="utf-8")

    result = bulkio.run_validate(bulkio.ImportOptions(source, module="items"))

    assert [(r.row, r.status) for r in result.rows] == [(2, "valid"), (3, "valid"), (4, "invalid")]
    assert result.rows[2].error_code == "E_TYPE"
    assert dict(result.counts) == {"valid": 2, "invalid": 1}
    assert result.exit_code == bulkio.ExitCode.ROWS_FAILED
    assert result.files.report == tmp_path / "items.report.xlsx" and result.files.report.exists()


def test_a_missing_setting_is_a_config_error_naming_what_to_set(tmp_path, monkeypatch):
    for name in ("ZOHO_ORGANIZATION_ID", "ZOHO_ACCESS_TOKEN", "ZOHO_REFRESH_TOKEN", "BULKIO_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.config/bulkio/config.toml
    with pytest.raises(bulkio.ConfigError, match="ZOHO_ORGANIZATION_ID") as raised:
        bulkio.connect()
    assert raised.value.exit_code == bulkio.ExitCode.USAGE


def test_every_public_name_resolves_and_import_bulkio_loads_neither_pandas_nor_requests():
    missing = [name for name in bulkio.__all__ if getattr(bulkio, name, None) is None]
    assert missing == []
    assert set(bulkio.__all__) <= set(dir(bulkio))
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, bulkio; print('pandas' in sys.modules, 'requests' in sys.modules)"],
        capture_output=True, text=True, check=True)
    assert loaded.stdout.split() == ["False", "False"]
