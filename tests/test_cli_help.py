"""Every command explains itself: --help with an example, and a mention in the README."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from bulkio.cli import cli

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(cli.commands)


def test_the_contract_commands_all_exist():
    assert {"import", "validate", "export", "template", "fields", "sandbox", "demo"} <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_each_command_has_help_with_an_example(name):
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output
    assert f"bulkio {name}" in result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_the_readme_mentions_each_command(name):
    assert f"bulkio {name}" in README


def test_an_unknown_module_is_a_usage_error_with_the_known_names(tmp_path):
    data = tmp_path / "x.csv"
    data.write_text("Item Name,Selling Price\nA,1\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", str(data), "-m", "widgets"], env={"ZOHO_ORGANIZATION_ID": ""})
    assert result.exit_code == 2
    assert "widgets" in result.output and "items" in result.output
    assert "Traceback" not in result.output
