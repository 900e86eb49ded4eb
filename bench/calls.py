"""Calls per row for 2,000 items: bulkio's import (first, unchanged, 2 % changed) against the
sandbox, beside the naive script (look up by key, then create or update) written with plain
requests against the same sandbox.

bulkio runs as users run it, through its CLI in a subprocess pointed at the sandbox; calls are
counted by the sandbox (`Sandbox.stats`), token calls apart. The sandbox's limits are lifted so
nothing waits: the call counts do not depend on the pace.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from common import BASIC_COLUMNS, KEY_LABEL, item_row, median, sandbox_env, start_sandbox, write_items_csv

ROWS = 2000
CHANGED_SHARE = 0.02
CLI = [sys.executable, "-c", "from bulkio.cli import main; main()"]
FAST = ["--rate", "1000000", "--concurrency", "8", "--daily-limit", "100000000"]


def _counts(sandbox) -> dict:
    s = sandbox.stats
    return {"api_calls": s.total, "writes": s.writes, "reads": s.total - s.writes,
            "tokens": s.tokens_issued, "rate_limited": sum(s.rate_limited.values())}


def _delta(before: dict, after: dict) -> dict:
    return {k: after[k] - before[k] for k in after}


def _bulkio(sandbox, csv_path: Path, work: Path, *extra: str, module: str = "items", env=None) -> dict:
    before = _counts(sandbox)
    started = time.perf_counter()
    done = subprocess.run(
        CLI + ["import", str(csv_path), "-m", module, "-k", KEY_LABEL, *FAST,
               "--report", str(work / f"report-{time.monotonic_ns()}.csv"), *extra],
        env=env or sandbox_env(sandbox), capture_output=True, text=True, timeout=900,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"bulkio import exited {done.returncode}: {done.stderr[-2000:]}{done.stdout[-2000:]}")
    return {**_delta(before, _counts(sandbox)), "seconds": seconds}


class NaiveScript:
    """What most hand-written import scripts do: for each row, find the record by its key, then
    create it (POST) or update it (PUT by id). Zoho documents no list filter on a custom field,
    so the script finds items by their name filter (unique in this data set)."""

    def __init__(self, sandbox):
        self.api = sandbox.api_url("books")
        self.org = sandbox.org_id
        self.http = requests.Session()
        token = self.http.post(sandbox.accounts_url + "/oauth/v2/token", data={
            "grant_type": "refresh_token", "client_id": sandbox.client_id,
            "client_secret": sandbox.client_secret, "refresh_token": sandbox.refresh_token}).json()
        self.http.headers["Authorization"] = "Zoho-oauthtoken " + token["access_token"]
        fields = self.get("/settings/fields", entity="item", filter_custom_fields="true")["fields"]
        self.field_ids = {f["label"]: f["field_id"] for f in fields}

    def get(self, path: str, **params) -> dict:
        answer = self.http.get(self.api + path, params={"organization_id": self.org, **params})
        answer.raise_for_status()
        return answer.json()

    def payload(self, row: dict) -> dict:
        return {
            "name": row["Item Name"], "sku": row["SKU"], "product_type": row["Product Type"],
            "rate": float(row["Selling Price"]), "purchase_rate": float(row["Purchase Price"]),
            "unit": row["Unit"], "description": row["Sales Description"],
            "custom_fields": [{"customfield_id": self.field_ids[KEY_LABEL], "value": row[KEY_LABEL]},
                              {"customfield_id": self.field_ids["Category"], "value": row["Category"]}],
        }

    def import_rows(self, rows: list[dict]) -> None:
        params = {"organization_id": self.org}
        for row in rows:
            found = self.get("/items", name=row["Item Name"])["items"]
            if found:
                answer = self.http.put(f"{self.api}/items/{found[0]['item_id']}", params=params, json=self.payload(row))
            else:
                answer = self.http.post(self.api + "/items", params=params, json=self.payload(row))
            answer.raise_for_status()


def _naive(sandbox, script: NaiveScript, rows: list[dict]) -> dict:
    before = _counts(sandbox)
    started = time.perf_counter()
    script.import_rows(rows)
    return {**_delta(before, _counts(sandbox)), "seconds": time.perf_counter() - started}


def one_run(rows: int = ROWS) -> dict:
    """Every scenario once, each tool in its own fresh sandbox."""
    changed = set(range(0, rows, int(1 / CHANGED_SHARE)))
    out = {}
    with tempfile.TemporaryDirectory(prefix="bulkio-bench-") as tmp:
        work = Path(tmp)
        first = write_items_csv(work / "items.csv", rows)
        edited = write_items_csv(work / "items-changed.csv", rows, changed=changed)
        journal = work / "items.journal.sqlite"
        sandbox = start_sandbox()
        try:
            out["bulkio first import (upsert)"] = _bulkio(sandbox, first, work, "--journal", str(journal))
            out["bulkio re-import unchanged, --skip-unchanged --no-resume"] = _bulkio(
                sandbox, first, work, "--skip-unchanged", "--no-resume", "--journal", str(work / "j2.sqlite"))
            out["bulkio re-import unchanged, journal resume (default)"] = _bulkio(
                sandbox, first, work, "--journal", str(journal))
            out[f"bulkio re-import {len(changed)} changed, --skip-unchanged --no-resume"] = _bulkio(
                sandbox, edited, work, "--skip-unchanged", "--no-resume", "--journal", str(work / "j3.sqlite"))
            stored = len(sandbox.records("items"))
        finally:
            sandbox.stop()
        sandbox = start_sandbox()
        try:
            script = NaiveScript(sandbox)
            plain = [item_row(i, BASIC_COLUMNS) for i in range(rows)]
            out["naive first import (GET by key + POST)"] = _naive(sandbox, script, plain)
            out["naive re-import unchanged (GET + PUT)"] = _naive(sandbox, script, plain)
            out[f"naive re-import {len(changed)} changed (GET + PUT)"] = _naive(
                sandbox, script, [item_row(i, BASIC_COLUMNS, 1 if i in changed else 0) for i in range(rows)])
        finally:
            sandbox.stop()
        out.update(_contacts(work, rows))
    out["_check"] = {"records_in_zoho_after_bulkio": stored, "changed_rows": len(changed)}
    return out


def _contacts(work: Path, rows: int) -> dict:
    """Contacts, whose list rows carry no custom fields (contacts.yml list-contacts-response):
    the key is known from what bulkio remembers of the records it wrote, or read once."""
    path = work / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as out:
        out.write(f"{KEY_LABEL},Display Name,Contact Type,First Name,Email\n")
        for i in range(rows):
            out.write(f"C-{i:05d},Customer {i:05d},customer,Person{i},p{i}@example.test\n")
    sandbox = start_sandbox()
    sandbox.add_custom_field("contact", KEY_LABEL, "string", is_unique=True)
    again = ("--skip-unchanged", "--no-resume", "--journal", str(work / f"c-{time.monotonic_ns()}.sqlite"))
    elsewhere = {**sandbox_env(sandbox), "BULKIO_STATE_DIR": str(work / "another-machine")}
    try:
        return {
            "contacts first import (upsert)": _bulkio(
                sandbox, path, work, "--journal", str(work / "c.sqlite"), module="contacts"),
            "contacts re-import unchanged, --skip-unchanged --no-resume": _bulkio(
                sandbox, path, work, *again, module="contacts"),
            "contacts re-import unchanged, from a machine that remembers nothing": _bulkio(
                sandbox, path, work, *again[:-1], str(work / "c-elsewhere.sqlite"), module="contacts",
                env=elsewhere),
            "contacts re-import unchanged again, on that machine": _bulkio(
                sandbox, path, work, *again[:-1], str(work / "c-elsewhere2.sqlite"), module="contacts",
                env=elsewhere),
        }
    finally:
        sandbox.stop()


def run(quick: bool = False) -> dict:
    """Median over runs (1 quick, 3 otherwise) of calls and seconds per scenario."""
    runs = [one_run() for _ in range(1 if quick else 3)]
    rows = []
    for name in runs[0]:
        if name.startswith("_"):
            continue
        calls = median([r[name]["api_calls"] for r in runs])
        rows.append({
            "scenario": name, "rows": ROWS, "api_calls": calls,
            "reads": median([r[name]["reads"] for r in runs]),
            "writes": median([r[name]["writes"] for r in runs]),
            "token_calls": median([r[name]["tokens"] for r in runs]),
            "calls_per_row": round(calls / ROWS, 4),
            "seconds": round(median([r[name]["seconds"] for r in runs]), 2),
            "runs": len(runs), "api_calls_each_run": [r[name]["api_calls"] for r in runs],
        })
    return {"rows": rows, "checks": [r["_check"] for r in runs]}
