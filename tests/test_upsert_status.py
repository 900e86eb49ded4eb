"""Created or updated, whichever status the upsert answers: the OpenAPI files declare only 200
(the sandbox's default), and 201 is what some servers answer for a create."""

from __future__ import annotations

import pytest
from e2e_support import add_item_fields, csv_text, import_args, invoke, outcomes, sandbox_env


@pytest.mark.parametrize("status", [200, 201])
def test_created_then_updated_whatever_the_upsert_answers(sandbox_factory, tmp_path, status):
    sandbox = sandbox_factory(upsert_created_status=status)
    add_item_fields(sandbox)
    env = sandbox_env(sandbox, tmp_path)
    path = tmp_path / "items.csv"
    path.write_text(csv_text(["External ID", "Item Name", "Rate"], [["A1", "Alpha", "10"], ["B2", "Beta", "20"]]))
    first = invoke(env, *import_args(path, report=tmp_path / "first.csv"))
    path.write_text(csv_text(["External ID", "Item Name", "Rate"], [["A1", "Alpha", "11"], ["C3", "Gamma", "30"]]))

    second = invoke(env, *import_args(path, report=tmp_path / "second.csv"))

    assert first.exit_code == second.exit_code == 0, second.output + second.stderr
    assert [o[1] for o in outcomes(tmp_path / "first.csv")] == ["created", "created"]
    assert [o[1] for o in outcomes(tmp_path / "second.csv")] == ["updated", "created"]
    assert sorted(r["name"] for r in sandbox.records("items")) == ["Alpha", "Beta", "Gamma"]
