"""Quota use: how much of a rate limit bulkio turns into writes, and how many 429s it draws.

Each case starts a sandbox limited to N calls per window (Zoho: 100 per 60 s) with added
latency, prepares the benchmark items with bulkio's pipeline and writes them with bulkio's
runner and client (upsert by key, journal off). A sampler counts the writes the sandbox applied;
the rate is measured over the steady part of the run (after the first 15 % of its time, up to the
last write) so start-up reads are left out. 429s are the sandbox's count of refused calls.

Real mode uses Zoho's 60 s window. Fast mode divides every duration by 10 (N per 6 s, latency
/10) so the whole set finishes in minutes; the ratios mean the same, but local overhead (a few ms
per call) weighs 10x more there.
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path

from common import KEY_LABEL, client_for, start_sandbox, write_items_csv

WARMUP_SHARE = 0.15


def _sampler(sandbox, samples: list, stop: threading.Event) -> threading.Thread:
    def loop():
        while not stop.is_set():
            samples.append((time.monotonic(), sandbox.stats.writes_applied))
            stop.wait(0.05)
        samples.append((time.monotonic(), sandbox.stats.writes_applied))

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    return thread


def steady_rate(samples: list[tuple[float, int]]) -> tuple[float, float]:
    """(writes per second over the steady window, its length in seconds)."""
    first = next((t for t, n in samples if n > 0), None)
    final = samples[-1][1]
    last = next((t for t, n in samples if n >= final), None)
    if first is None or last is None or last <= first:
        return 0.0, 0.0
    start = first + WARMUP_SHARE * (last - first)
    at_start = max(n for t, n in samples if t <= start)
    return (final - at_start) / (last - start), last - start


def run_case(n: int, latency_ms: float, *, window_s: float = 60.0, told: float = 1.0, concurrency: int = 5,
             windows: float = 2.5) -> dict:
    """One case: sandbox limited to `n` per `window_s`, bulkio told `told` x n, about `windows`
    windows of rows to write."""
    from bulkio.catalogue.fields import load_fields
    from bulkio.preparing import ImportOptions, prepare
    from bulkio.run.runner import RunOptions, run_rows

    rows = int(n * windows)
    sandbox = start_sandbox(rate_limit=n, rate_window_s=window_s, latency_ms=latency_ms, max_concurrent=10)
    try:
        with tempfile.TemporaryDirectory(prefix="bulkio-quota-") as tmp:
            path = write_items_csv(Path(tmp) / "items.csv", rows)
            client = client_for(sandbox, rate=told * n * 60.0 / window_s, concurrency=concurrency)
            module = load_fields(client, "items")
            prep = prepare(ImportOptions(path=path, module="items", key=KEY_LABEL), module)
            samples: list = []
            stop = threading.Event()
            thread = _sampler(sandbox, samples, stop)
            started = time.monotonic()
            result = run_rows(prep.items, client=client, module=module, journal=None,
                              options=RunOptions(mode="upsert", key_field=prep.key_api_name, concurrency=concurrency))
            elapsed = time.monotonic() - started
            stop.set()
            thread.join()
        statuses: dict = {}
        for outcome in result.outcomes.values():
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
        stored = {r["custom_field_hash"].get("cf_external_id") for r in sandbox.records("items")}
        lost = sum(1 for item in prep.items if item.key not in stored)
        rate, steady = steady_rate(samples)
        return {
            "N": n, "window_s": window_s, "latency_ms": latency_ms, "told_rate": told * n, "concurrency": concurrency,
            "rows": rows, "seconds": round(elapsed, 1), "steady_seconds": round(steady, 1),
            "writes_per_window": round(rate * window_s, 1), "quota_use": round(rate * window_s / n, 3),
            "http_429": sum(sandbox.stats.rate_limited.values()), "client_429": sum(client.stats.rate_limited.values()),
            "rows_lost": lost, "statuses": statuses, "final_limiter_rate": round(client.limiter.rate, 1),
        }
    finally:
        sandbox.stop()


def cases(real: bool, quick: bool) -> list[dict]:
    """The cases of one mode. Real mode keeps N=100 (Zoho's figure) to bound the run time."""
    scale = 1.0 if real else 0.1
    window = 60.0 * scale
    out = []
    for n in ((100,) if real else (100, 600)):
        # Zoho lets 10 calls be in flight on paid plans; at 1.5 s a call, 5 cannot carry 600/min
        concurrency = 5 if n <= 100 else 10
        for latency in (300, 1500):
            out.append(dict(n=n, latency_ms=latency * scale, window_s=window, concurrency=concurrency))
        out.append(dict(n=n, latency_ms=300 * scale, window_s=window, concurrency=concurrency, told=5.0))
    if quick:
        for case in out:
            case["windows"] = 1.5
    return out


def run(quick: bool = False, real: bool = False) -> dict:
    """Every case of the mode, once each (a case is one long bounded run, not repeated)."""
    rows = []
    for case in cases(real, quick):
        result = run_case(**case)
        result["mode"] = "real (60 s window)" if real else "fast (6 s window, latency /10)"
        rows.append(result)
    return {"rows": rows}
