"""What the journal's file mode costs per row: the older WAL + synchronous=NORMAL (a side file
that can be lost) beside the rollback journal + synchronous=FULL the journal now uses (one file
between commits, every commit on disk), on the same disk in the same run.

A row costs two commits (mark_sending before the write, mark_done after), as in a real run;
rows found unchanged (--skip-unchanged) are journalled in one commit (mark_done_many), measured
beside one commit each.
Run: python bench/journal_mode.py [--rows N] [--repeat R] [--dir FOLDER]
Prints the median milliseconds per row of each mode and writes bench/results/journal_mode.json.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, machine, median

from bulkio.run.journal import Journal

IDENTITY = {"input": "bench.csv", "module": "items", "mode": "upsert", "key": "cf_external_id"}


def _rows(journal: Journal, rows: int) -> float:
    started = time.perf_counter()
    for row in range(2, rows + 2):
        journal.mark_sending(row, f"K{row}", "h" * 64)
        journal.mark_done(row, "created", record_id=str(460_000_000_000 + row))
    return (time.perf_counter() - started) * 1000 / rows


def rollback_journal(folder: Path, rows: int) -> float:
    """ms per row with the journal as bulkio opens it now."""
    path = folder / "now.sqlite"
    with Journal.open(path, IDENTITY, resume=False) as journal:
        return _rows(journal, rows)


def wal_journal(folder: Path, rows: int) -> float:
    """ms per row with the older WAL, synchronous=NORMAL connection (same tables and calls)."""
    path = folder / "wal.sqlite"
    Journal.open(path, IDENTITY, resume=False).close()
    conn = sqlite3.connect(path, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    journal = Journal(conn, path)
    try:
        return _rows(journal, rows)
    finally:
        journal.close()


def unchanged_rows(folder: Path, rows: int, *, together: bool) -> float:
    """ms per row for rows found unchanged (one commit each, or all in one mark_done_many)."""
    with Journal.open(folder / "unchanged.sqlite", IDENTITY, resume=False) as journal:
        outcomes = [dict(row=row, status="unchanged", record_id=str(row), key=f"K{row}",
                         payload_hash="h" * 64) for row in range(2, rows + 2)]
        started = time.perf_counter()
        if together:
            journal.mark_done_many(outcomes)
        else:
            for outcome in outcomes:
                journal.mark_done(**outcome)
        return (time.perf_counter() - started) * 1000 / rows


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--dir", type=Path, help="folder on the disk to measure (default: a temp folder)")
    args = parser.parse_args(argv)
    timings: dict[str, list[float]] = {"wal_normal": [], "delete_full": [], "unchanged_each": [],
                                       "unchanged_together": []}
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            timings["wal_normal"].append(wal_journal(Path(tmp), args.rows))
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            timings["delete_full"].append(rollback_journal(Path(tmp), args.rows))
        for together in (False, True):
            with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
                timings["unchanged_together" if together else "unchanged_each"].append(
                    unchanged_rows(Path(tmp), args.rows, together=together))
    result = {
        "machine": machine(), "rows": args.rows, "repeat": args.repeat,
        "ms_per_row_median": {mode: round(median(values), 3) for mode, values in timings.items()},
    }
    print(f"{'mode':<28}{'ms per row (median)':>20}")
    print(f"{'WAL, synchronous=NORMAL':<28}{result['ms_per_row_median']['wal_normal']:>20.3f}")
    print(f"{'DELETE, synchronous=FULL':<28}{result['ms_per_row_median']['delete_full']:>20.3f}")
    print(f"{'unchanged, one commit each':<28}{result['ms_per_row_median']['unchanged_each']:>20.3f}")
    print(f"{'unchanged, one commit':<28}{result['ms_per_row_median']['unchanged_together']:>20.3f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "journal_mode.json").write_text(json.dumps(result, indent=2) + "\n")
    return result


if __name__ == "__main__":
    main()
