"""`validate` looks names up as `import` would (reads only); a dry run says a refusal would happen."""

from __future__ import annotations

from e2e_support import FAST, csv_text, invoke, outcomes

HEADER = ["Legacy Number", "Invoice Number", "Customer Name", "Invoice Date", "Item Name", "Quantity", "Rate"]


def desk_line(quantity):
    """The one invoice row of the dry-run test, with the quantity given."""
    return ["L-9", "S-9", "Brightside Dental", "2026-11-02", "Standing Desk Frame", quantity, "349"]


def test_validate_reports_an_unknown_customer_with_only_read_calls(sandbox, samples_env, tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(csv_text(HEADER, [
        ["L-1", "S-1", "Brightside Dental", "2026-11-02", "Standing Desk Frame", "1", "349"],
        ["L-2", "S-2", "Brightside Dentle", "2026-11-02", "Standing Desk Frame", "1", "349"],
    ]))
    report = tmp_path / "check.csv"

    result = invoke(samples_env, "validate", path, "-m", "invoices", "--report", report)

    assert result.exit_code == 1, result.output
    (good, bad) = outcomes(report)
    assert good[:3] == (2, "valid", "")
    assert bad[:3] == (3, "invalid", "E_LOOKUP")
    assert "Brightside Dentle" in bad[3] and "Brightside Dental" in bad[3]  # the value, and the hint
    assert sandbox.stats.writes == 0


def test_a_dry_run_says_a_line_item_update_would_fail(sandbox, samples_env, tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(csv_text(HEADER, [desk_line("1")]))
    first = invoke(samples_env, "import", path, "-m", "invoices", "-k", "Legacy Number", "--rate", FAST,
                   "--report", tmp_path / "r1.csv")
    assert first.exit_code == 0, first.output
    path.write_text(csv_text(HEADER, [desk_line("3")]))
    writes = sandbox.stats.writes

    dry = invoke(samples_env, "import", path, "-m", "invoices", "-k", "Legacy Number", "--dry-run", "--rate", FAST,
                 "--report", tmp_path / "dry.csv")

    assert dry.exit_code == 1, dry.output
    (row,) = outcomes(tmp_path / "dry.csv")
    assert row[:3] == (2, "would_fail", "E_LINE_ITEMS")
    assert "--replace-line-items" in row[3]
    assert sandbox.stats.writes == writes
