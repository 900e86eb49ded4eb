"""`import --deactivate-missing`: a weekly catalogue upload retires the products that left it.

Driven through the CLI on real CSV files against the sandbox over HTTP."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from e2e_support import FAST, csv_text, invoke, read_table, sandbox_env, subprocess_env
from sandbox_clients import client_for

HEADER = ["Item Name", "SKU", "Rate"]
REPO = Path(__file__).resolve().parents[1]


def _catalogue(path: Path, skus) -> Path:
    path.write_text(csv_text(HEADER, [[f"Product {s}", s, "10.00"] for s in skus]), encoding="utf-8")
    return path


def _run(env, path: Path, *extra):
    return invoke(env, "import", path, "-m", "items", "-k", "sku", "--rate", FAST,
                  "--report", path.with_suffix(".report.csv"), "--deactivate-missing", *extra)


def _status_by_sku(sandbox) -> dict[str, str]:
    return {r["sku"]: r["status"] for r in sandbox.records("items")}


def _writes(sandbox) -> int:
    return sum(1 for m, *_ in sandbox.stats.requests if m in ("POST", "PUT", "DELETE"))


def _inactive_calls(sandbox) -> int:
    return sum(1 for _m, path, *_ in sandbox.stats.requests if path.endswith("/inactive"))


WEEK1 = [f"SKU-{n:02d}" for n in range(20)]
WEEK2 = [s for s in WEEK1 if s not in ("SKU-03", "SKU-07")] + ["SKU-NEW"]


def test_weekly_upload_marks_the_two_gone_inactive_and_a_rerun_changes_nothing(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    first = _run(env, _catalogue(tmp_path / "week1.csv", WEEK1))
    assert first.exit_code == 0, first.output + first.stderr
    assert "Mark inactive: none of the" in first.output

    week2 = _catalogue(tmp_path / "week2.csv", WEEK2)
    second = _run(env, week2)
    assert second.exit_code == 0, second.output + second.stderr
    assert "Mark inactive: 2 of 20 active records holding a key (10%)" in second.output
    assert "SKU-03, SKU-07" in second.output
    status = _status_by_sku(sandbox)
    assert status["SKU-03"] == status["SKU-07"] == "inactive"
    assert status["SKU-NEW"] == "active"
    assert sum(1 for s in status.values() if s == "active") == 19
    report = read_table(week2.with_suffix(".report.csv"))
    assert len(report) == len(WEEK2) + 2
    tail = report[-2:]
    assert [(r["row"], r["key"], r["status"]) for r in tail] == [
        ("", "SKU-03", "deactivated"), ("", "SKU-07", "deactivated")]
    assert all(r["record_id"] for r in tail)
    listed = client_for(sandbox).iter_records("items", {"filter_by": "Status.Inactive"})
    assert sorted(r["sku"] for r in listed) == ["SKU-03", "SKU-07"]  # the sandbox's status filter agrees
    assert "2 deactivated" in second.output

    writes = _writes(sandbox)
    again = _run(env, week2)
    assert again.exit_code == 0, again.output + again.stderr
    assert _writes(sandbox) == writes  # the journal says all is done; the two are not marked again
    rerun = read_table(week2.with_suffix(".report.csv"))
    assert [r["status"] for r in rerun[-2:]] == ["deactivated", "deactivated"]

    marked = _inactive_calls(sandbox)
    fresh = _run(env, week2, "--no-resume")  # no journal: inactive records are no candidates
    assert fresh.exit_code == 0, fresh.output + fresh.stderr
    assert _inactive_calls(sandbox) == marked == 2
    assert "Mark inactive: none of the 19 active records" in fresh.output


def test_dry_run_lists_would_deactivate_and_sends_nothing(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    assert _run(env, _catalogue(tmp_path / "week1.csv", WEEK1)).exit_code == 0
    writes = _writes(sandbox)
    week2 = _catalogue(tmp_path / "week2.csv", WEEK2)
    dry = _run(env, week2, "--dry-run")
    assert dry.exit_code == 0, dry.output + dry.stderr
    assert "would mark them inactive" in dry.output
    assert _writes(sandbox) == writes
    assert _status_by_sku(sandbox)["SKU-03"] == "active"
    rows = read_table(week2.with_suffix(".report.csv"))
    assert [(r["row"], r["key"], r["status"]) for r in rows[-2:]] == [
        ("", "SKU-03", "would_deactivate"), ("", "SKU-07", "would_deactivate")]


def test_more_than_a_tenth_off_a_terminal_is_refused_before_any_write(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    assert _run(env, _catalogue(tmp_path / "week1.csv", WEEK1)).exit_code == 0
    writes = _writes(sandbox)
    short = _catalogue(tmp_path / "short.csv", WEEK1[:5] + ["SKU-NEW"])
    refused = _run(env, short)
    assert refused.exit_code == 2
    assert "add --yes" in refused.stderr and "15 of the 20 active items" in refused.stderr
    assert _writes(sandbox) == writes
    assert "SKU-NEW" not in _status_by_sku(sandbox)

    agreed = _run(env, short, "--yes")
    assert agreed.exit_code == 0, agreed.output + agreed.stderr
    status = _status_by_sku(sandbox)
    assert sum(1 for s in status.values() if s == "inactive") == 15


def test_invalid_rows_deactivate_nothing(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    assert _run(env, _catalogue(tmp_path / "week1.csv", WEEK1)).exit_code == 0
    rows = [[f"Product {s}", s, "10.00"] for s in WEEK2]
    rows[0][2] = "ten"  # one bad price: that row's product is not "missing"
    bad = tmp_path / "bad.csv"
    bad.write_text(csv_text(HEADER, rows), encoding="utf-8")
    result = _run(env, bad)
    assert result.exit_code == 1
    assert "Mark inactive: none (the file has 1 invalid row" in result.output
    assert set(_status_by_sku(sandbox).values()) == {"active"}


def test_refused_for_documents_and_without_a_key(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    path = _catalogue(tmp_path / "week1.csv", WEEK1)
    no_key = invoke(env, "import", path, "-m", "items", "--deactivate-missing")
    assert no_key.exit_code == 2 and "needs -k" in no_key.stderr
    invoices = invoke(env, "import", path, "-m", "invoices", "-k", "invoice_number", "--deactivate-missing")
    assert invoices.exit_code == 2 and "items and contacts only" in invoices.stderr
    assert _writes(sandbox) == 0


def _on_a_terminal(args, env, answer: bytes) -> tuple[int, str]:
    """Run bulkio with stdin and stderr on a pseudo-terminal; type `answer` at the question."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-c", "from bulkio.cli import main; main()", *map(str, args)],
                            env={**subprocess_env(env), "PYTHONPATH": str(REPO)},
                            stdin=slave, stderr=slave, stdout=subprocess.DEVNULL)
    os.close(slave)
    seen = b""
    answered = False
    while True:
        ready, _, _ = select.select([master], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if not answered and b"inactive (" in seen and b"[y/N]" in seen:
            os.write(master, answer)
            answered = True
    code = proc.wait(timeout=60)
    os.close(master)
    return code, seen.decode("utf-8", "replace")


def test_more_than_a_tenth_asks_on_a_terminal(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    assert _run(env, _catalogue(tmp_path / "week1.csv", WEEK1)).exit_code == 0
    short = _catalogue(tmp_path / "short.csv", WEEK1[:10])
    args = ["import", short, "-m", "items", "-k", "sku", "--rate", FAST, "--deactivate-missing",
            "--report", tmp_path / "short.report.csv"]
    code, seen = _on_a_terminal(args, env, b"n\n")
    assert "Mark 10 items inactive (50% of those holding a key)?" in seen
    assert code == 2
    assert set(_status_by_sku(sandbox).values()) == {"active"}
    code, seen = _on_a_terminal(args, env, b"y\n")
    assert code == 0, seen
    assert sum(1 for s in _status_by_sku(sandbox).values() if s == "inactive") == 10


def test_a_mark_whose_answer_was_lost_is_checked_in_zoho(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    assert _run(env, _catalogue(tmp_path / "week1.csv", WEEK1)).exit_code == 0
    week2 = _catalogue(tmp_path / "week2.csv", WEEK1[2:])  # nothing changed but two gone
    sandbox.configure(lost_reply_rate=1.0)  # every write applied, its answer never sent
    result = _run(env, week2, "--skip-unchanged")
    sandbox.configure(lost_reply_rate=0.0)
    assert result.exit_code == 0, result.output + result.stderr
    assert _inactive_calls(sandbox) == 2  # each sent once: the record read back shows it arrived
    rows = read_table(week2.with_suffix(".report.csv"))
    assert [(r["key"], r["status"]) for r in rows[-2:]] == [("SKU-00", "deactivated"), ("SKU-01", "deactivated")]
    assert {r["status"] for r in rows[:-2]} == {"unchanged"}


def test_contacts_that_left_the_list_are_marked_inactive(sandbox, tmp_path):
    env = sandbox_env(sandbox, tmp_path)
    names = [f"Customer {n}" for n in range(10)]

    def upload(path: Path, kept) -> object:
        path.write_text(csv_text(["Display Name", "Contact Type"], [[n, "customer"] for n in kept]), encoding="utf-8")
        return invoke(env, "import", path, "-m", "contacts", "-k", "contact_name", "--rate", FAST,
                      "--report", path.with_suffix(".report.csv"), "--deactivate-missing")

    assert upload(tmp_path / "week1.csv", names).exit_code == 0
    result = upload(tmp_path / "week2.csv", names[1:])
    assert result.exit_code == 0, result.output + result.stderr
    status = {r["contact_name"]: r["status"] for r in sandbox.records("contacts")}
    assert status["Customer 0"] == "inactive" and list(status.values()).count("active") == 9


def test_a_custom_key_the_contact_list_does_not_show(sandbox, tmp_path):
    """Contacts' list rows carry no custom fields: the key comes from memory or a read by id."""
    sandbox.add_custom_field("contact", "Customer Code", "string", is_unique=True)
    env = sandbox_env(sandbox, tmp_path)

    def upload(path: Path, codes, *extra) -> object:
        rows = [[f"Customer {c}", c] for c in codes]
        path.write_text(csv_text(["Display Name", "Customer Code"], rows), encoding="utf-8")
        return invoke(env, "import", path, "-m", "contacts", "-k", "Customer Code", "--rate", FAST,
                      "--report", path.with_suffix(".report.csv"), "--deactivate-missing", *extra)

    codes = [f"C{n}" for n in range(10)]
    assert upload(tmp_path / "week1.csv", codes).exit_code == 0
    dry = upload(tmp_path / "week2.csv", codes[:9], "--dry-run")
    assert dry.exit_code == 0, dry.output + dry.stderr
    assert "Mark inactive: 1 of 10 active records holding a key (10%)" in dry.output and ": C9." in dry.output
    result = upload(tmp_path / "week2.csv", codes[:9])
    assert result.exit_code == 0, result.output + result.stderr
    status = {r["contact_name"]: r["status"] for r in sandbox.records("contacts")}
    assert status["Customer C9"] == "inactive" and list(status.values()).count("active") == 9
