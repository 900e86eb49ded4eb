"""The local pipeline, no network: read + validate + map of 20-column item files, beside bare
pandas on the same file in the same run; calamine vs openpyxl; peak memory; growth with size.

Every measurement runs in a fresh subprocess (`python bench/local.py --child MODE FILE`) so its
peak memory (getrusage ru_maxrss, which includes Python and pandas, ~100 MB) is its own.
The module is the items catalogue plus the benchmark's custom fields, built offline.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import KEY_LABEL, bench_module, cached_csv, cached_xlsx, median

SIZES = (10_000, 100_000, 1_000_000)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(mode: str, path: Path) -> dict:
    """One measurement in this (fresh) process."""
    import tempfile

    import pandas as pd

    from bulkio.preparing import ImportOptions, prepare, read_frame
    from bulkio.validating import run_validate

    module = bench_module()
    opts = ImportOptions(path=path, module="items", key=KEY_LABEL)
    base = _rss_mb()
    actions = {
        "pandas_csv": lambda: len(pd.read_csv(path)),
        "pandas_xlsx_calamine": lambda: len(pd.read_excel(path, engine="calamine")),
        "pandas_xlsx_openpyxl": lambda: len(pd.read_excel(path, engine="openpyxl")),
        "bulkio_read": lambda: len(read_frame(path)),
        "prepare": lambda: len(prepare(opts, module).items),
        # `bulkio validate` as it runs on a large file: streamed in chunks, the report written
        "chunked": lambda: run_validate(
            ImportOptions(path=path, module="items", key=KEY_LABEL,
                          report=Path(tempfile.mkdtemp()) / "report.csv"),
            module, large_file_bytes=0).counts["valid"],
    }
    wall, cpu = time.perf_counter(), time.process_time()
    rows = actions[mode]()
    return {"mode": mode, "rows": rows, "seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu,
            "peak_mb": _rss_mb(), "start_mb": base}


def measure(mode: str, path: Path, repeats: int) -> dict:
    """Median seconds and peak memory of `repeats` fresh-process runs."""
    runs = []
    for _ in range(repeats):
        done = subprocess.run([sys.executable, __file__, "--child", mode, str(path)],
                              capture_output=True, text=True, timeout=900)
        if done.returncode != 0:
            raise RuntimeError(f"{mode} {path.name}: {done.stderr[-2000:]}")
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return {"mode": mode, "file": path.name, "rows": runs[0]["rows"], "runs": len(runs),
            "seconds": round(median([r["seconds"] for r in runs]), 3),
            "cpu_seconds": round(median([r["cpu_seconds"] for r in runs]), 3),
            "peak_mb": round(median([r["peak_mb"] for r in runs])),
            "start_mb": round(median([r["start_mb"] for r in runs])),
            "seconds_each": [round(r["seconds"], 3) for r in runs]}


def run(quick: bool = False) -> dict:
    repeats = 1 if quick else 3
    csv100, xlsx100 = cached_csv(100_000), cached_xlsx(100_000)
    table = {}
    for mode in ("pandas_csv", "bulkio_read", "prepare", "chunked"):
        table[("csv", mode)] = measure(mode, csv100, repeats)
    for mode in ("pandas_xlsx_calamine", "pandas_xlsx_openpyxl", "bulkio_read", "prepare"):
        # openpyxl takes about a minute per run here: fewer repeats keep the run bounded
        table[("xlsx", mode)] = measure(mode, xlsx100, 1 if mode.endswith("openpyxl") and not quick else repeats)
    pairs = {
        "csv prepare / pandas.read_csv": (("csv", "prepare"), ("csv", "pandas_csv")),
        "csv read only (bulkio) / pandas.read_csv": (("csv", "bulkio_read"), ("csv", "pandas_csv")),
        "csv chunked validate / pandas.read_csv": (("csv", "chunked"), ("csv", "pandas_csv")),
        "xlsx prepare / pandas.read_excel(calamine)": (("xlsx", "prepare"), ("xlsx", "pandas_xlsx_calamine")),
        "xlsx prepare / pandas.read_excel(openpyxl)": (("xlsx", "prepare"), ("xlsx", "pandas_xlsx_openpyxl")),
        "openpyxl / calamine (read_excel)": (("xlsx", "pandas_xlsx_openpyxl"), ("xlsx", "pandas_xlsx_calamine")),
    }
    # wall time is what users wait for; CPU time is steadier when other work shares the machine
    ratios = {name: {"wall": table[a]["seconds"] / table[b]["seconds"],
                     "cpu": table[a]["cpu_seconds"] / table[b]["cpu_seconds"]} for name, (a, b) in pairs.items()}
    growth = []
    for size in SIZES if not quick else SIZES[:2]:
        path = cached_csv(size)
        for mode in ("pandas_csv", "prepare", "chunked"):
            growth.append({"size": size, **measure(mode, path, 1 if size >= 1_000_000 else repeats)})
    return {"rows": [{"format": k[0], **v} for k, v in table.items()],
            "ratios": {k: {kind: round(x, 2) for kind, x in v.items()} for k, v in ratios.items()}, "growth": growth}


if __name__ == "__main__" and len(sys.argv) == 4 and sys.argv[1] == "--child":
    print(json.dumps(_child(sys.argv[2], Path(sys.argv[3]))))
