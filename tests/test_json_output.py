"""`--json` on import, validate and export: one object on stdout, everything for people on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from e2e_support import FAST, csv_text, invoke, read_table, sandbox_env

HEADER = ["Item Name", "SKU", "Rate"]


def _file(path: Path, rows) -> Path:
    path.write_text(csv_text(HEADER, rows), encoding="utf-8")
    return path


def _only_object(stdout: str) -> dict:
    """stdout holds exactly one JSON object (and its line end), nothing else."""
    assert stdout.count("\n") == 1 and stdout.endswith("\n"), stdout
    found = json.loads(stdout)
    assert isinstance(found, dict)
    return found


def test_import_prints_one_object_and_the_rest_on_stderr(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    rows = [[f"Product {n}", f"SKU-{n}", "10.00"] for n in range(5)] + [["Broken", "SKU-X", "ten"]]
    path = _file(tmp_path / "items.csv", rows)
    result = invoke(env, "import", path, "-m", "items", "-k", "sku", "--rate", FAST, "--json")
    assert result.exit_code == 1
    summary = _only_object(result.stdout)
    assert summary["exit_code"] == 1
    assert summary["command"] == "import"
    assert summary["counts"] == {"created": 5, "invalid": 1}
    assert summary["rows"] == 6
    assert summary["calls"]["writes"] == 5 and summary["calls"]["reads"] >= 1
    assert Path(summary["report"]).is_file() and Path(summary["errors_file"]).is_file()
    assert summary["stopped"] is None
    # the plan, the problem and the summary lines went to stderr
    assert "Calls:" in result.stderr and "Row 7" in result.stderr and "Report:" in result.stderr


def test_deactivate_missing_counts_in_the_object(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    first = _file(tmp_path / "week1.csv", [[f"P{n}", f"S{n}", "1"] for n in range(20)])
    assert invoke(env, "import", first, "-m", "items", "-k", "sku", "--rate", FAST).exit_code == 0
    week2 = _file(tmp_path / "week2.csv", [[f"P{n}", f"S{n}", "1"] for n in range(1, 20)])
    result = invoke(env, "import", week2, "-m", "items", "-k", "sku", "--rate", FAST, "--deactivate-missing",
                    "--json")
    summary = _only_object(result.stdout)
    assert summary["exit_code"] == 0, result.stderr
    assert summary["counts"] == {"updated": 19, "deactivated": 1}
    assert summary["calls"]["writes"] == 20
    assert "Mark inactive: 1 of 20" in result.stderr
    last = read_table(Path(summary["report"]))[-1]  # the XLSX report: its row number cell left empty
    assert (last["row"], last["key"], last["status"]) == ("", "S0", "deactivated")


def test_validate_and_export_print_one_object(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    path = _file(tmp_path / "items.csv", [["Pen", "P-1", "2.50"], ["Cup", "C-1", "x"]])
    checked = invoke(env, "validate", path, "-m", "items", "--json")
    assert checked.exit_code == 1
    summary = _only_object(checked.stdout)
    assert summary["command"] == "validate" and summary["counts"] == {"valid": 1, "invalid": 1}
    assert summary["calls"]["writes"] == 0
    assert "Row 3" in checked.stderr

    out = tmp_path / "export.csv"
    exported = invoke(env, "export", "-m", "items", "-o", out, "--json")
    assert exported.exit_code == 0, exported.stderr
    summary = _only_object(exported.stdout)
    assert summary == {"command": "export", "exit_code": 0, "records": 0, "output": str(out),
                       "calls": {"reads": summary["calls"]["reads"], "writes": 0}}
    assert summary["calls"]["reads"] >= 1
    assert "Exported 0 records" in exported.stderr


def test_an_error_before_any_result_is_an_object_too(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    path = _file(tmp_path / "items.csv", [["Pen", "P-1", "2.50"]])
    result = invoke(env, "import", path, "-m", "items", "--deactivate-missing", "--json")
    assert result.exit_code == 2
    summary = _only_object(result.stdout)
    assert summary["exit_code"] == 2 and "needs -k" in summary["error"]
    assert "Error:" in result.stderr
