"""The line-item guard against the sandbox: a document update that would change or delete lines
Zoho holds is refused unless --replace-line-items; kept and added lines pass, with Zoho's line ids."""

from __future__ import annotations

from documents_support import HEADERS, by_ref, invoice_rows, prepare, send, writes
from e2e_support import write_xlsx


def _one_line_changed(rows: list[list]) -> list[list]:
    """The rows with ORD-001's second line at 5 instead of 2."""
    changed = [list(r) for r in rows]
    at = [n for n, r in enumerate(changed) if r[0] == "ORD-001"][1]
    changed[at][4] = 5
    return changed


def test_one_changed_line_refuses_only_its_invoice_and_the_others_keep_their_lines(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    send(client, module, prepare(client, module, write_xlsx(tmp_path / "a.xlsx", HEADERS, invoice_rows())))
    line_ids = {ref: [line["line_item_id"] for line in inv["line_items"]] for ref, inv in by_ref(sandbox).items()}
    sandbox.stats.reset()
    path = write_xlsx(tmp_path / "b.xlsx", HEADERS, _one_line_changed(invoice_rows()))

    again = send(client, module, prepare(client, module, path))

    refused = {o.key: o for o in again.values() if o.status == "failed"}
    assert list(refused) == ["ORD-001"] and refused["ORD-001"].error_code == "E_LINE_ITEMS"
    assert refused["ORD-001"].message == (
        'Invoice "ORD-001" already exists in Zoho, and updating it would change its line 2 (Zoho '
        "holds Sprocket, quantity 2, rate 3.5; the file gives quantity 5, rate 3.5) (Zoho "
        "replaces a document's lines with the lines an update sends); nothing was sent. Run "
        "again with --replace-line-items to make its lines exactly the spreadsheet's")
    assert [o.status for o in again.values()].count("updated") == 19
    stored = by_ref(sandbox)
    # the 19 went out with Zoho's line ids: their lines were updated in place, not replaced
    assert {ref: [line["line_item_id"] for line in inv["line_items"]] for ref, inv in stored.items()} == line_ids
    assert [line["quantity"] for line in stored["ORD-001"]["line_items"]] == [1, 2]
    assert len(sandbox.records("invoices")) == 20


def test_with_skip_unchanged_the_identical_invoices_send_nothing(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    send(client, module, prepare(client, module, write_xlsx(tmp_path / "a.xlsx", HEADERS, invoice_rows())))
    sandbox.stats.reset()
    path = write_xlsx(tmp_path / "b.xlsx", HEADERS, _one_line_changed(invoice_rows()))

    again = send(client, module, prepare(client, module, path), skip_unchanged=True)

    statuses = [o.status for o in again.values()]
    assert statuses.count("unchanged") == 19 and statuses[1] == "failed"
    assert writes(sandbox) == 0


def test_added_lines_pass_and_keep_the_lines_zoho_holds(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    rows = invoice_rows(2)
    send(client, module, prepare(client, module, write_xlsx(tmp_path / "a.xlsx", HEADERS, rows)))
    before = [line["line_item_id"] for line in by_ref(sandbox)["ORD-001"]["line_items"]]
    more = rows + [["ORD-001", rows[1][1], rows[1][2], rows[1][3], 9, None, None]]

    again = send(client, module, prepare(client, module, write_xlsx(tmp_path / "b.xlsx", HEADERS, more)))

    assert [o.status for o in again.values()] == ["updated", "updated"]
    lines = by_ref(sandbox)["ORD-001"]["line_items"]
    assert [line["line_item_id"] for line in lines[:2]] == before and len(lines) == 3
    assert lines[2]["quantity"] == 9


def test_update_without_replace_line_items_is_refused_and_leaves_the_document(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    rows = [["R-1", "Globex", "2024-05-01", "Widget", 1, None, None],
            ["R-1", "Globex", "2024-05-01", "Gadget", 2, None, None]]
    send(client, module, prepare(client, module, write_xlsx(tmp_path / "a.xlsx", HEADERS, rows)))
    before = by_ref(sandbox)["R-1"]
    changed = write_xlsx(tmp_path / "b.xlsx", HEADERS, [["R-1", "Globex", "2024-05-01", "Sprocket", 4, None, None]])

    for mode in ("upsert", "update"):
        refused = send(client, module, prepare(client, module, changed, mode=mode), mode=mode)
        assert refused[2].status == "failed" and refused[2].error_code == "E_LINE_ITEMS"
    assert by_ref(sandbox)["R-1"] == before

    replaced = send(client, module, prepare(client, module, changed), replace=True)
    after = by_ref(sandbox)["R-1"]
    assert replaced[2].status == "updated"
    assert [(line["name"], line["quantity"]) for line in after["line_items"]] == [("Sprocket", 4)]
    assert after["total"] == 10.0


def test_header_only_update_keeps_the_lines_and_is_not_refused(invoice_org, tmp_path):
    sandbox, client, module = invoice_org
    rows = [["H-1", "Globex", "2024-05-01", "Widget", 2, None, None]]
    send(client, module, prepare(client, module, write_xlsx(tmp_path / "a.xlsx", HEADERS, rows)))
    path = write_xlsx(tmp_path / "b.xlsx", ["Order Ref", "Reference Number"], [["H-1", "PO-77"]])

    outcomes = send(client, module, prepare(client, module, path, mode="update"), mode="update")

    invoice = by_ref(sandbox)["H-1"]
    assert outcomes[2].status == "updated"
    assert (invoice["reference_number"], len(invoice["line_items"]), invoice["total"]) == ("PO-77", 1, 20.0)
