"""-k by a standard field Zoho keeps unique: records entered by hand (a SKU and a name, no
external id) are found in the module's list and written by their id."""

from __future__ import annotations

from e2e_support import csv_text, invoke, outcomes, sandbox_env
from sandbox_clients import client_for


def _hand_entered(client, *items: tuple[str, str, float]) -> dict[str, str]:
    """Items created the way a person creates them in Zoho: name, SKU and rate only."""
    ids = {}
    for name, sku, rate in items:
        ids[name] = client.create("items", {"name": name, "sku": sku, "rate": rate}).record["item_id"]
    return ids


def _file(tmp_path, rows, name="items.csv"):
    path = tmp_path / name
    path.write_text(csv_text(["SKU", "Item Name", "Rate"], rows))
    return path


def _import(env, path, tmp_path, *extra, report="report.csv"):
    result = invoke(env, "import", path, "-m", "items", "-k", "sku", "--rate", "60000",
                    "--report", tmp_path / report, *extra)
    return result, outcomes(tmp_path / report)


def test_hand_entered_items_are_matched_by_sku_and_updated_by_id(sandbox, tmp_path):
    client = client_for(sandbox)
    ids = _hand_entered(client, ("Copper Pipe", "CP-1", 10), ("Brass Valve", "BV-2", 20))
    env = sandbox_env(sandbox, tmp_path)
    path = _file(tmp_path, [["CP-1", "Copper Pipe", "11"], ["BV-2", "Brass Valve", "20"],
                            ["ST-3", "Steel Tee", "5"]])
    dry, dry_rows = _import(env, path, tmp_path, "--dry-run", report="dry.csv")
    sandbox.stats.reset()

    result, rows = _import(env, path, tmp_path)

    assert dry.exit_code == 0 and [r[1] for r in dry_rows] == ["would_update", "unchanged", "would_create"]
    assert result.exit_code == 0, result.output + result.stderr
    assert [r[1] for r in rows] == ["updated", "updated", "created"]
    by_name = {r["name"]: r for r in sandbox.records("items")}
    assert len(by_name) == 3 and by_name["Copper Pipe"]["item_id"] == ids["Copper Pipe"]
    assert by_name["Copper Pipe"]["rate"] == 11
    writes = [(m, p, h) for m, p, q, h, b in sandbox.stats.requests if m in ("POST", "PUT")]
    assert sorted((m, p) for m, p, _ in writes) == sorted([
        ("PUT", f"/books/v3/items/{ids['Copper Pipe']}"), ("PUT", f"/books/v3/items/{ids['Brass Valve']}"),
        ("POST", "/books/v3/items")])
    assert not any("X-Unique-Identifier-Key" in h for _, _, h in writes)


def test_the_second_run_skips_every_unchanged_item_with_one_list_read(sandbox, tmp_path):
    client = client_for(sandbox)
    _hand_entered(client, ("Copper Pipe", "CP-1", 10), ("Brass Valve", "BV-2", 20))
    env = sandbox_env(sandbox, tmp_path)
    path = _file(tmp_path, [["CP-1", "Copper Pipe", "10"], ["BV-2", "Brass Valve", "20"]])
    sandbox.stats.reset()

    result, rows = _import(env, path, tmp_path, "--skip-unchanged")

    assert result.exit_code == 0, result.output + result.stderr
    assert [r[1] for r in rows] == ["unchanged", "unchanged"]
    assert sandbox.stats.writes == 0
    assert sandbox.stats.by_module[("GET", "items")] == 1


def test_two_records_with_the_same_sku_make_the_row_an_error_naming_both(sandbox, tmp_path):
    client = client_for(sandbox)
    ids = _hand_entered(client, ("Copper Pipe", "CP-1", 10), ("Copper Pipe (old)", "CP-1", 9))
    env = sandbox_env(sandbox, tmp_path)
    path = _file(tmp_path, [["CP-1", "Copper Pipe", "12"], ["ST-3", "Steel Tee", "5"]])

    dry, dry_rows = _import(env, path, tmp_path, "--dry-run", report="dry.csv")
    result, rows = _import(env, path, tmp_path)

    assert result.exit_code == 1 and dry.exit_code == 1
    assert rows[0][:3] == (2, "failed", "E_AMBIGUOUS_RECORD")
    assert dry_rows[0][:3] == (2, "would_fail", "E_AMBIGUOUS_RECORD")
    assert ids["Copper Pipe"] in rows[0][3] and ids["Copper Pipe (old)"] in rows[0][3]
    assert rows[1][1] == "created"
    assert {r["name"]: r["rate"] for r in sandbox.records("items")}["Copper Pipe"] == 10


def test_update_mode_fails_a_sku_zoho_does_not_hold_and_creates_nothing(sandbox, tmp_path):
    _hand_entered(client_for(sandbox), ("Copper Pipe", "CP-1", 10))
    env = sandbox_env(sandbox, tmp_path)
    path = _file(tmp_path, [["CP-1", "Copper Pipe", "12"], ["ZZ-9", "Nowhere", "5"]])

    result, rows = _import(env, path, tmp_path, "--mode", "update")

    assert result.exit_code == 1
    assert [r[:3] for r in rows] == [(2, "updated", ""), (3, "failed", "E_NOT_FOUND")]
    assert rows[1][3] == "no item has SKU 'ZZ-9' in Zoho (update mode creates nothing)"
    assert len(sandbox.records("items")) == 1
