"""The shared limiter against the sandbox's real limits, over real HTTP and real time.

The sandbox's window is shortened (rate_window_s) with the same requests-per-minute, so the
tests see many windows in a few seconds.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from sandbox_clients import client_for

from bulkio.zoho.limiter import SAFETY


def burst(client, calls: int, threads: int = 5) -> float:
    """Seconds `calls` GETs take from `threads` threads; every call must succeed."""
    started = time.monotonic()
    with ThreadPoolExecutor(threads) as pool:
        answers = list(pool.map(lambda _: client.get("/items"), range(calls)))
    assert all(a["code"] == 0 for a in answers)
    return time.monotonic() - started


def test_at_the_servers_own_rate_no_call_is_refused(sandbox_factory):
    # 100 per 10 s is 600 per minute; a burst would overflow the window within the first second
    sandbox = sandbox_factory(rate_limit=100, rate_window_s=10)
    client = client_for(sandbox, rate=600)
    elapsed = burst(client, 200)
    assert sandbox.stats.rate_limited == {}, elapsed
    assert client.stats.rate_limited == {}
    assert 19 <= elapsed < 25, sandbox.stats  # evenly paced: 200 calls at 10 per second


def test_against_a_fifth_of_the_configured_rate_every_call_succeeds(sandbox_factory):
    # the server allows 20 per 3 s (400/min); the client is told 2000/min
    sandbox = sandbox_factory(rate_limit=20, rate_window_s=3)
    client = client_for(sandbox, rate=2000, backoff_base=0.25)
    elapsed = burst(client, 50)
    assert sandbox.stats.rate_limited[44] > 0  # the limit was really hit ...
    assert client.stats.rate_limited[44] == sandbox.stats.rate_limited[44]  # ... and each 429 retried
    assert client.limiter.rate < 2000  # and the client slowed down
    assert sandbox.stats.by_status[200] == 50
    assert elapsed < 15


def test_told_five_times_the_servers_rate_it_learns_that_rate_with_few_429s(sandbox_factory):
    # the server allows 20 per second (1,200/min); the client is told 6,000/min
    sandbox = sandbox_factory(rate_limit=20, rate_window_s=1)
    client = client_for(sandbox, rate=6000)
    burst(client, 100)
    assert 0 < sandbox.stats.rate_limited[44] <= 30  # one probe at a time while the window drains
    assert client.stats.rate_limited[44] == sandbox.stats.rate_limited[44]
    assert 0.8 * 1200 <= client.limiter.rate / SAFETY <= 1200  # the pace learned: the server's, a little under
    assert sandbox.stats.by_status[200] == 100


def test_in_flight_cap_keeps_clear_of_the_concurrency_limit(sandbox_factory):
    sandbox = sandbox_factory(max_concurrent=2, latency_ms=30)
    client = client_for(sandbox, in_flight=2)
    burst(client, 30, threads=6)
    assert sandbox.stats.rate_limited == {}
