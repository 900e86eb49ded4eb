"""bulkio's benchmarks, run by hand (not by CI).

    python bench/run.py calls|quota|local|export|validate|all [--quick] [--real]
    python bench/run.py report          # the Markdown table of bench/results/latest.json

calls   calls per row for 2,000 items: bulkio vs the naive lookup-then-write script
quota   share of the sandbox's rate limit turned into writes, and 429s (fast mode: 6 s window;
        --real: Zoho's 60 s window, N=100 only, about 8 minutes)
local   read + validate + map of 100k x 20 columns (CSV, XLSX) vs bare pandas; peak memory;
        growth 10k -> 100k -> 1M rows
export  records per call and time to export 10,000 items to XLSX and CSV
validate  `bulkio validate` of 100k x 20 columns vs `pandas.read_csv(dtype=str)`, whole processes

Each part's result goes to bench/results/<part>.json; bench/results/latest.json merges the
latest of every part with the machine it ran on. --quick: fewer repeats and smaller cases.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, machine

PARTS = ("calls", "quota", "local", "export", "validate")


def run_part(part: str, quick: bool, real: bool) -> dict:
    started = time.time()
    if part == "calls":
        import calls
        result = calls.run(quick)
    elif part == "quota":
        import quota
        result = quota.run(quick, real)
    elif part == "local":
        import local
        result = local.run(quick)
    elif part == "validate":
        import validate
        result = validate.run(quick)
    else:
        import export
        result = export.run(quick)
    command = f"python bench/run.py {part}" + (" --quick" if quick else "") + (" --real" if real else "")
    begun = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started))
    return {"command": command, "machine": machine(), "started": begun,
            "minutes": round((time.time() - started) / 60, 1), **result}


def save(name: str, result: dict) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=1, default=str))
    merged = {"machine": machine(), "parts": {}}
    for part in PARTS + ("quota-real",):
        path = RESULTS / f"{part}.json"
        if path.exists():
            merged["parts"][part] = json.loads(path.read_text())
    (RESULTS / "latest.json").write_text(json.dumps(merged, indent=1, default=str))


def _table(rows: list[dict], columns: list[str]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(_cell(row.get(c)) for c in columns) + " |")
    return lines


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.5g}" if abs(value) < 10 else f"{value:,.1f}"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return "" if value is None else str(value)


def render(merged: dict) -> str:
    """The results as Markdown tables, one per part."""
    out = []
    parts = merged["parts"]
    if "calls" in parts:
        p = parts["calls"]
        out += [f"**Calls per row** — `{p['command']}` ({p['started']}, median of {p['rows'][0]['runs']} runs)", ""]
        out += _table(p["rows"], ["scenario", "api_calls", "reads", "writes", "calls_per_row", "seconds"]) + [""]
    for key in ("quota", "quota-real"):
        if key in parts:
            p = parts[key]
            out += [f"**Quota use** — `{p['command']}` ({p['started']}, one bounded run per case)", ""]
            out += _table(p["rows"], ["mode", "N", "latency_ms", "told_rate", "concurrency", "rows", "steady_seconds",
                                      "writes_per_window", "quota_use", "http_429", "rows_lost"]) + [""]
    if "local" in parts:
        p = parts["local"]
        out += [f"**Local pipeline, 100,000 rows x 20 columns** — `{p['command']}` ({p['started']})", ""]
        out += _table(p["rows"], ["format", "mode", "rows", "runs", "seconds", "cpu_seconds", "peak_mb"]) + [""]
        ratios = [{"ratio": k, **(v if isinstance(v, dict) else {"wall": v})} for k, v in p["ratios"].items()]
        out += _table(ratios, ["ratio", "wall", "cpu"]) + [""]
        out += ["**Growth (CSV)**", ""]
        out += _table(p["growth"], ["size", "mode", "runs", "seconds", "cpu_seconds", "peak_mb"]) + [""]
    if "export" in parts:
        p = parts["export"]
        out += [f"**Export** — `{p['command']}` ({p['started']})", ""]
        out += _table(p["rows"], ["format", "records", "api_calls", "records_per_call", "seconds", "runs"]) + [""]
    if "validate" in parts:
        p = parts["validate"]
        out += [f"**Validate, whole processes** — `{p['command']}` ({p['started']}, {p['file']})", ""]
        out += _table(p["rows"], ["command", "runs", "seconds", "cpu_seconds", "peak_mb"]) + [""]
        ratios = [{"ratio": k, **v} for k, v in p["ratios"].items()]
        out += _table(ratios, ["ratio", "wall", "cpu"]) + [""]
    m = merged["machine"]
    out += [f"Machine: {m['nproc']} CPUs ({m['cpu']}), Python {m['python']}, pandas {m['pandas']}, {m['platform']}."]
    return "\n".join(out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=PARTS + ("all", "report"))
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller cases")
    parser.add_argument("--real", action="store_true", help="quota: Zoho's real 60 s window (N=100 only)")
    args = parser.parse_args(argv)
    if args.what == "report":
        print(render(json.loads((RESULTS / "latest.json").read_text())))
        return
    for part in PARTS if args.what == "all" else (args.what,):
        result = run_part(part, args.quick, args.real)
        save("quota-real" if part == "quota" and args.real else part, result)
        print(json.dumps({k: v for k, v in result.items() if k != "machine"}, indent=1, default=str))
    print(render(json.loads((RESULTS / "latest.json").read_text())))


if __name__ == "__main__":
    main()
