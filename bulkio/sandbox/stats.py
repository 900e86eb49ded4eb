"""Counters of what the sandbox saw and answered, for tests and benchmarks."""

from __future__ import annotations

import threading
from collections import Counter


class Stats:
    """Thread-safe counters; `requests` keeps every API call as
    (method, path, query dict, headers dict, json body)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything counted so far."""
        with self._lock:
            self.total = 0
            self.by_module: Counter = Counter()
            self.writes = 0
            self.writes_applied = 0
            self.by_status: Counter = Counter()
            self.rate_limited: Counter = Counter()
            self.tokens_issued = 0
            self.unauthorized = 0
            self.failed_injected = 0
            self.lost_replies = 0
            self.applied_errors = 0  # writes applied, then answered 504 with a gateway page
            self.delayed_applies = 0  # writes held apply_delay_ms before being applied
            self.swallowed = 0  # writes held, never applied, never answered
            self.requests: list[tuple] = []

    def record_request(self, method: str, path: str, module: str, query: dict, headers: dict, body) -> None:
        with self._lock:
            self.total += 1
            self.by_module[(method, module)] += 1
            if method in ("POST", "PUT", "DELETE"):
                self.writes += 1
            self.requests.append((method, path, query, headers, body))

    def record_answer(self, status: int, code: int | None) -> None:
        with self._lock:
            self.by_status[status] += 1
            if status == 429:
                self.rate_limited[code] += 1
            if status == 401:
                self.unauthorized += 1

    def bump(self, name: str) -> None:
        """Add one to a plain counter such as `writes_applied` or `tokens_issued`."""
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def __getitem__(self, key):
        """`stats["PUT", "items"]` is the number of PUT calls to items."""
        return self.by_module[key]

    def __repr__(self) -> str:
        return (
            f"Stats(total={self.total}, writes={self.writes}, writes_applied={self.writes_applied}, "
            f"by_status={dict(self.by_status)}, rate_limited={dict(self.rate_limited)}, "
            f"tokens_issued={self.tokens_issued}, unauthorized={self.unauthorized})"
        )
