"""Reading a workbook costs what its cells hold, not what its extent claims (issue 11, point 9).

A 2,000-row items workbook is read with `bulkio.readers.read_table`, as it is and with one stray
cell far away (a space in XFD1048576, as a slip of the keyboard leaves it; and an "x" there,
which is data and becomes a column). Each reading runs in a fresh subprocess
(`python bench/reader_extent.py --child FILE`) so its peak memory (getrusage ru_maxrss, which
includes Python, pandas and openpyxl: ~100 MB) is its own. Prints the median time and peak
memory of each case.

    python bench/reader_extent.py [--repeat 5] [--rows 2000]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CASES = {"plain": None, "stray space in XFD1048576": " ", "stray 'x' in XFD1048576": "x"}


def make_book(path: Path, rows: int, stray: str | None) -> Path:
    """An items workbook of `rows` rows; `stray` written in XFD1048576 when given."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["External ID", "Item Name", "Rate", "Description"])
    for n in range(rows):
        sheet.append([f"K{n:05d}", f"Item {n}", 10 + n % 90, "A plain description"])
    if stray is not None:
        sheet["XFD1048576"] = stray
    book.save(path)
    return path


def child(path: Path) -> dict:
    """One reading in this (fresh) process: seconds, peak MB, the frame's shape."""
    from bulkio.readers import read_table

    start = time.perf_counter()
    frame = read_table(path)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mb": peak, "shape": list(frame.shape)}


def measure(path: Path, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, __file__, "--child", str(path)], check=True,
                             capture_output=True, text=True, cwd=ROOT)
        runs.append(json.loads(out.stdout))
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": statistics.median(r["peak_mb"] for r in runs),
            "shape": runs[0]["shape"], "file_kb": path.stat().st_size / 1024}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--child", type=Path)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child)))
        return
    with tempfile.TemporaryDirectory() as folder:
        print(f"{args.rows} rows, median of {args.repeat} fresh processes:")
        for name, stray in CASES.items():
            path = make_book(Path(folder) / f"book{len(name)}.xlsx", args.rows, stray)
            found = measure(path, args.repeat)
            print(f"  {name:28} {found['file_kb']:6.0f} KB  {found['seconds'] * 1000:7.0f} ms  "
                  f"{found['peak_mb']:6.0f} MB peak  frame {found['shape'][0]} x {found['shape'][1]}")


if __name__ == "__main__":
    main()
