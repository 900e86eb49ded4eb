"""Documents whose list rows carry no custom fields (estimates.yml, bills.yml, credit-notes.yml
list responses): found by their key all the same, compared line by line, skipped when nothing
changed, and never treated as absent because a list row did not show the key."""

from __future__ import annotations

import pytest
from e2e_support import csv_text, invoke, outcomes, sandbox_env
from sandbox_clients import client_for

CUSTOMERS = ["Bowman Ltd", "Acme Corp"]
ITEMS = {"Widget": 10.0, "Gadget": 4.0}

#: module -> (custom-field entity, header, rows of three documents: first and second have 2 lines)
CASES = {
    "estimates": ("estimate", ["Legacy Ref", "Customer Name", "Estimate Date", "Item Name", "Quantity"],
                  lambda party: [["E-1", party[0], "2026-11-02", "Widget", "1"],
                                 ["E-1", party[0], "2026-11-02", "Gadget", "2"],
                                 ["E-2", party[1], "2026-11-03", "Widget", "3"],
                                 ["E-2", party[1], "2026-11-03", "Gadget", "4"],
                                 ["E-3", party[0], "2026-11-04", "Widget", "5"]]),
    "bills": ("bill", ["Legacy Ref", "Vendor Name", "Bill Date", "Bill Number", "Item Name", "Quantity"],
              lambda party: [["B-1", party[0], "2026-11-02", "BN-1", "Widget", "1"],
                             ["B-1", party[0], "2026-11-02", "BN-1", "Gadget", "2"],
                             ["B-2", party[1], "2026-11-03", "BN-2", "Widget", "3"],
                             ["B-2", party[1], "2026-11-03", "BN-2", "Gadget", "4"],
                             ["B-3", party[0], "2026-11-04", "BN-3", "Widget", "5"]]),
    "creditnotes": ("creditnote", ["Legacy Ref", "Customer Name", "Credit Note Date", "Credit Note Number",
                                   "Item Name", "Quantity"],
                    lambda party: [["C-1", party[0], "2026-11-02", "CN-1", "Widget", "1"],
                                   ["C-1", party[0], "2026-11-02", "CN-1", "Gadget", "2"],
                                   ["C-2", party[1], "2026-11-03", "CN-2", "Widget", "3"],
                                   ["C-2", party[1], "2026-11-03", "CN-2", "Gadget", "4"],
                                   ["C-3", party[0], "2026-11-04", "CN-3", "Widget", "5"]]),
}


@pytest.fixture(params=sorted(CASES))
def org(request, sandbox, tmp_path):
    module = request.param
    entity, header, rows = CASES[module]
    sandbox.add_custom_field(entity, "Legacy Ref", is_unique=True)
    client = client_for(sandbox)
    kind = "vendor" if module == "bills" else "customer"
    for name in CUSTOMERS:
        client.create("contacts", {"contact_name": name, "contact_type": kind})
    for name, rate in ITEMS.items():
        client.create("items", {"name": name, "rate": rate})
    return sandbox, module, header, rows(CUSTOMERS), sandbox_env(sandbox, tmp_path)


def _run(env, tmp_path, module, header, rows, *extra, name="a"):
    path = tmp_path / f"{name}.csv"
    path.write_text(csv_text(header, rows))
    report = tmp_path / f"{name}.report.csv"
    result = invoke(env, "import", path, "-m", module, "-k", "Legacy Ref", "--rate", "60000",
                    "--report", report, *extra)
    return result, outcomes(report)


def _quantities(sandbox, module) -> dict[str, list]:
    found = {}
    for record in sandbox.records(module):
        found[record["custom_field_hash"]["cf_legacy_ref"]] = [ln["quantity"] for ln in record["line_items"]]
    return found


def test_unchanged_documents_are_skipped_from_the_second_run_with_the_list_alone(org, tmp_path):
    sandbox, module, header, rows, env = org
    first, created = _run(env, tmp_path, module, header, rows)
    assert first.exit_code == 0, first.output + first.stderr
    assert [r[1] for r in created] == ["created"] * 3
    sandbox.stats.reset()

    again, report = _run(env, tmp_path, module, header, rows, "--skip-unchanged", name="b")

    assert again.exit_code == 0, again.output + again.stderr
    assert [r[1] for r in report] == ["unchanged"] * 3
    assert sandbox.stats.writes == 0
    assert sandbox.stats.by_module[("GET", module)] == 1  # the list page; nothing read by id


def test_a_changed_line_is_refused_even_when_no_list_row_shows_the_key(org, tmp_path, monkeypatch):
    sandbox, module, header, rows, env = org
    _run(env, tmp_path, module, header, rows)
    monkeypatch.setenv("BULKIO_STATE_DIR", str(tmp_path / "another-machine"))  # remembers nothing
    changed = [list(r) for r in rows]
    changed[3][-1] = "9"  # the second document's second line
    before = _quantities(sandbox, module)

    result, report = _run(env, tmp_path, module, header, changed, name="b")

    assert result.exit_code == 1
    assert [r[:3] for r in report] == [(2, "updated", ""), (4, "failed", "E_LINE_ITEMS"), (6, "updated", "")]
    assert "would change its line 2" in report[1][3]
    assert _quantities(sandbox, module) == before  # no line lost, none changed
    assert len(sandbox.records(module)) == 3


def test_dry_run_skip_unchanged_and_the_run_agree(org, tmp_path):
    sandbox, module, header, rows, env = org
    _run(env, tmp_path, module, header, rows)
    changed = [list(r) for r in rows]
    changed[4][-1] = "6"  # the third document's only line changes: refused
    added = list(changed[1])
    added[-1] = "7"       # the first document gets a third line: nothing Zoho holds is lost
    changed.insert(2, added)

    _, dry = _run(env, tmp_path, module, header, changed, "--dry-run", "--skip-unchanged", name="dry")
    _, run = _run(env, tmp_path, module, header, changed, "--skip-unchanged", name="run")

    assert [r[1] for r in dry] == ["would_update", "unchanged", "would_fail"]
    assert [r[1] for r in run] == ["updated", "unchanged", "failed"]
    assert [r[2] for r in dry] == [r[2] for r in run] == ["", "", "E_LINE_ITEMS"]
    first = _quantities(sandbox, module)[rows[0][0]]
    assert first == [1, 2, 7]
