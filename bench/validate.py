"""`bulkio validate` of a 100,000-row, 20-column CSV beside a bare `pandas.read_csv(dtype=str)`
of the same file, both timed as whole processes (Python's start and imports included).

    python bench/run.py validate [--quick]

The file holds the items catalogue's fields (text, prices, percentages, dropdowns, yes/no,
numbers) and the benchmark's custom-looking columns (an ID, a dropdown, a date, an email...),
with a bad cell in about one row in a thousand. No connection is configured, as for a user who
checks a file before setting one up: validate then checks the catalogue's fields and leaves the
custom columns out with a warning. Each side runs `repeats` times, alternating; a run's peak
memory is its process's own (os.wait4's ru_maxrss). Two report kinds: the default (XLSX beside
the file) and `--report x.csv`. bulkio's modules are compiled to bytecode first, as pip does
at install (and any run does unless PYTHONDONTWRITEBYTECODE is set): otherwise every run would
compile them again, about 0.15 s that no installed copy pays.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE, ROOT, WIDE_COLUMNS, item_row, median

ROWS = 100_000
BAD_EVERY = 1000
# (column, bad value) put in rows at BAD_EVERY intervals, one kind after another
BAD_CELLS = (("Selling Price", "12.5O"), ("Product Type", "goodz"), ("Item Name", ""),
             ("Tax Percentage", "five"), ("Taxable", "maybe"), ("Reorder Level", "-"),
             ("Item Type", "both"))


def validate_csv(n: int = ROWS) -> Path:
    """The benchmark file (cached): WIDE_COLUMNS' 20 columns, a few bad cells."""
    path = CACHE / f"validate-{n}.csv"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    rng = random.Random(12)
    with open(tmp, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(WIDE_COLUMNS)
        for i in range(n):
            row = item_row(i, WIDE_COLUMNS)
            if i % BAD_EVERY == BAD_EVERY - 1:
                column, value = BAD_CELLS[(i // BAD_EVERY) % len(BAD_CELLS)]
                row[column] = value
            if rng.random() < 0.05:  # some rows leave optional cells empty
                row["Purchase Description"] = row["HSN/SAC"] = ""
            writer.writerow([row[c] for c in WIDE_COLUMNS])
    tmp.replace(path)
    return path


def _timed(argv: list[str], cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak MB) of one process, its exit code 0 or 1 (rows invalid)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in [k for k in env if k.startswith("ZOHO_")] + ["BULKIO_CONFIG"]:
        env.pop(name, None)
    env["HOME"] = str(cwd)  # no config file of the user's: offline, as measured
    started = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise RuntimeError(f"{argv}: exit {code}: {process.stderr.read().decode()[-2000:]}")
    process.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def commands(path: Path, workdir: Path) -> dict[str, list[str]]:
    """The measured processes."""
    read = f"import pandas; pandas.read_csv({str(path)!r}, dtype=str, keep_default_na=False)"
    bulkio = [sys.executable, "-m", "bulkio", "validate", str(path), "-m", "items"]
    return {"pandas.read_csv": [sys.executable, "-c", read],
            "validate (xlsx report)": bulkio + ["--report", str(workdir / "report.xlsx")],
            "validate (csv report)": bulkio + ["--report", str(workdir / "report.csv")]}


def run(quick: bool = False) -> dict:
    repeats = 1 if quick else 3
    path = validate_csv()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "bulkio")], check=True,
                   env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    samples: dict[str, list[tuple[float, float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="bulkio-bench-validate-") as tmp:
        argvs = commands(path, Path(tmp))
        for _ in range(repeats):  # alternating, so a busy spell of the machine hits every side
            for name, argv in argvs.items():
                samples.setdefault(name, []).append(_timed(argv, Path(tmp)))
    rows = [{"command": name, "runs": len(runs), "seconds": round(median([r[0] for r in runs]), 3),
             "cpu_seconds": round(median([r[1] for r in runs]), 3), "peak_mb": round(max(r[2] for r in runs)),
             "seconds_each": [round(r[0], 3) for r in runs]} for name, runs in samples.items()]
    base = rows[0]
    ratios = {f"{row['command']} / pandas.read_csv": {"wall": round(row["seconds"] / base["seconds"], 2),
                                                      "cpu": round(row["cpu_seconds"] / base["cpu_seconds"], 2)}
              for row in rows[1:]}
    return {"file": path.name, "rows_in_file": ROWS, "columns": len(WIDE_COLUMNS), "rows": rows, "ratios": ratios}


if __name__ == "__main__":
    import json

    print(json.dumps(run("--quick" in sys.argv), indent=1))
