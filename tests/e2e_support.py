"""Shared helpers of the end-to-end tests (tests/test_e2e_*.py).

The tests drive the real CLI (click's CliRunner, or the `bulkio` console script in a subprocess
where a process must be killed) against the sandbox over loopback. This module holds what they
share: the items custom fields, the environment that points bulkio at a sandbox, awkward input
files written as bytes (and files that are no workbook), readers for the report, the errors file
and the journal, and a real `bulkio` process to start and kill.
"""

from __future__ import annotations

import csv
import io
import os
import signal
import sqlite3
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from click.testing import CliRunner, Result
from openpyxl import Workbook, load_workbook

from bulkio.cli import cli

KEY = "cf_external_id"
#: Fast enough that bulkio's own pacing never slows a test down (requests per minute).
FAST = "60000"

#: The items custom fields every e2e sandbox gets: (label, data_type, extra seed).
ITEM_FIELDS = (
    ("External ID", "string", {"is_unique": True}),
    ("Launch Date", "date", {}),
    ("Fragile", "check_box", {}),
    ("Colour", "dropdown", {"values": ["Red", "Green", "Blue"]}),
    ("Contact Email", "email", {}),
    ("Pack Size", "number", {}),
    ("Short Code", "string", {"max_length": 5}),
)

#: Connection settings that could leak in from the machine running the tests.
_FOREIGN = ("ZOHO_ACCESS_TOKEN", "ZOHO_REGION", "ZOHO_APP", "BULKIO_CONFIG")


def add_item_fields(sandbox, fields: Iterable[tuple] = ITEM_FIELDS) -> None:
    """Create the e2e items custom fields in `sandbox`."""
    for label, data_type, extra in fields:
        sandbox.add_custom_field("item", label, data_type, **extra)


def sandbox_env(sandbox, home: Path) -> dict[str, str | None]:
    """Environment pointing bulkio at `sandbox`; HOME is `home` so no config file is found.

    None values unset a variable (CliRunner's convention; `subprocess_env` drops them).
    """
    env: dict[str, str | None] = {name: None for name in _FOREIGN}
    env.update({
        "HOME": str(home),
        "ZOHO_API_URL": sandbox.api_url("books"),
        "ZOHO_ACCOUNTS_URL": sandbox.accounts_url,
        "ZOHO_ORGANIZATION_ID": sandbox.org_id,
        "ZOHO_CLIENT_ID": sandbox.client_id,
        "ZOHO_CLIENT_SECRET": sandbox.client_secret,
        "ZOHO_REFRESH_TOKEN": sandbox.refresh_token,
    })
    return env


def invoke(env: dict, *args) -> Result:
    """Run `bulkio ARGS` in-process with `env`; stdout and stderr stay apart."""
    return CliRunner(env=env).invoke(cli, [str(a) for a in args])


def import_args(path: Path, *extra, key: str | None = "External ID", report: Path | None = None,
                rate: str = FAST) -> list[str]:
    """`import PATH -m items [-k KEY] --report REPORT --rate RATE EXTRA...` as a list."""
    args = ["import", str(path), "-m", "items", "--rate", rate]
    if key:
        args += ["-k", key]
    if report is not None:
        args += ["--report", str(report)]
    return args + [str(a) for a in extra]


# --- input files -------------------------------------------------------------------------------

def csv_text(header: Sequence[str], rows: Iterable[Sequence[str]], delimiter: str = ",") -> str:
    """CSV text (quoted where needed, \\r\\n line ends as Excel writes them)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def write_bytes(path: Path, text: str, encoding: str) -> Path:
    """Write `text` in `encoding` ("utf-8-sig" and "utf-16" add their BOM)."""
    path.write_bytes(text.encode(encoding))
    return path


def write_xlsx(path: Path, header: Sequence, rows: Iterable[Sequence], sheet: str = "Items") -> Path:
    """A workbook whose cells keep their Python types: str stays text, date becomes a date cell."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def numbered_items(n: int, *, start: int = 0) -> tuple[list[str], list[list[str]]]:
    """A clean items file of `n` rows: keys K0000.., names Item 0000.., rates 10.."""
    header = ["External ID", "Item Name", "Rate"]
    rows = [[f"K{i:04d}", f"Item {i:04d}", str(10 + i)] for i in range(start, start + n)]
    return header, rows


def compound_file(path: Path, streams: list[str]) -> Path:
    """A Compound File (CDF) as Office writes it: header sector, then a directory sector whose
    128-byte entries name the streams (UTF-16). An encrypted workbook holds EncryptionInfo and
    EncryptedPackage (MS-OFFCRYPTO); an old .xls holds Workbook."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHH", 0x3E, 3, 0xFFFE)
    header = header.ljust(512, b"\x00")
    entries = b""
    for name in ["Root Entry", *streams]:
        encoded = (name + "\x00").encode("utf-16-le")
        entries += encoded.ljust(64, b"\x00") + struct.pack("<H", len(encoded)) + b"\x02".ljust(62, b"\x00")
    path.write_bytes(header + entries.ljust(512, b"\x00"))
    return path


def ods_file(path: Path) -> Path:
    """An OpenDocument spreadsheet's zip (mimetype and a bare content.xml)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return path


# --- outputs -----------------------------------------------------------------------------------

def read_table(path: Path) -> list[dict[str, str]]:
    """The first sheet of an XLSX file, or a CSV file, as dicts of text ("" for empty)."""
    if path.suffix.lower() == ".xlsx":
        wb = load_workbook(path, read_only=True)
        rows = [["" if v is None else str(v) for v in r] for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
    else:
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]
    return [dict(zip(header, r, strict=False)) for r in body]


def outcomes(report: Path) -> list[tuple[int, str, str, str]]:
    """(row, status, error_code, message) of every report row, in report order."""
    return [(int(r["row"]), r["status"], r["error_code"], r["message"]) for r in read_table(report)]


def statuses(report: Path) -> dict[int, str]:
    """Report row number -> status."""
    return {int(r["row"]): r["status"] for r in read_table(report)}


def journal_rows(path: Path) -> dict[int, str]:
    """Row -> status as committed in the journal so far (read-only; safe while a run writes)."""
    if not path.exists():
        return {}
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return dict(conn.execute("SELECT row, status FROM entries WHERE row IS NOT NULL").fetchall())
        finally:
            conn.close()
    except sqlite3.Error:  # created but no table yet
        return {}


def as_schema_1(path):
    """Rewrite today's journal as bulkio wrote it before (schema "1", table `rows`)."""
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TABLE rows (row INTEGER PRIMARY KEY, key TEXT, payload_hash TEXT,
                status TEXT NOT NULL, record_id TEXT, error_code TEXT, message TEXT,
                retryable INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,
                updated_at REAL NOT NULL);
            INSERT INTO rows SELECT row, key, payload_hash, status, record_id, error_code, message,
                retryable, attempts, updated_at FROM entries;
            DROP TABLE entries;
            UPDATE meta SET value = '1' WHERE name = 'schema';
        """)


def columns_of(output: str) -> dict[str, dict[str, str]]:
    """The table read back by the header's column positions: api name -> column -> text."""
    header, *lines = output.splitlines()
    names = header.split()
    names = ["API NAME", *names[2:]]  # "API NAME" is two words
    starts = [header.index(n) for n in names]
    rows = {}
    for line in lines:
        cells = [line[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=False)]
        rows[cells[0]] = dict(zip(names, cells, strict=False))
    return rows


# --- the sandbox's side ------------------------------------------------------------------------

def items_by_key(sandbox) -> dict[str, dict]:
    """The sandbox's items by External ID; fails on a duplicate key or a record without one."""
    found: dict[str, dict] = {}
    for record in sandbox.records("items"):
        key = record.get("custom_field_hash", {}).get(KEY)
        assert key, f"record without an External ID: {record}"
        assert key not in found, f"two records with External ID {key!r}"
        found[key] = record
    return found


def sent_bodies(sandbox) -> list[str]:
    """The JSON bodies of every write the sandbox received, as text."""
    import json

    return [json.dumps(body) for method, _path, _q, _h, body in sandbox.stats.requests
            if method in ("POST", "PUT", "DELETE")]


# --- a real process ------------------------------------------------------------------------------

def bulkio_command() -> list[str]:
    """The installed `bulkio` console script beside this interpreter (falls back to its entry
    point run by this interpreter)."""
    script = Path(sys.executable).with_name("bulkio")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from bulkio.cli import main; main()"]


def subprocess_env(env: dict) -> dict[str, str]:
    """os.environ with `env` applied (None unsets)."""
    merged = dict(os.environ)
    for name, value in env.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def start_bulkio(args: Sequence[str], env: dict, **popen) -> subprocess.Popen:
    """Start `bulkio ARGS` as a process with pipes for stdout and stderr."""
    return subprocess.Popen(
        bulkio_command() + list(args), env=subprocess_env(env),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen,
    )


def kill_when_some_rows_are_done(proc, journal, at_least: int, timeout: float = 30) -> dict[int, str]:
    """SIGKILL `proc` once the journal shows `at_least` rows created; the journal then."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        rows = journal_rows(journal)
        if sum(s == "created" for s in rows.values()) >= at_least:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            return journal_rows(journal)
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.02)
    raise AssertionError(f"no {at_least} rows done within {timeout} s: {journal_rows(journal)}")
