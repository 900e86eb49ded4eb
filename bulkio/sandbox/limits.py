"""Zoho's per-organization API limits: requests per minute (sliding window), requests in flight,
requests per day. A refused call consumes nothing."""

from __future__ import annotations

import collections
import datetime as dt
import threading
import time

from . import errors


class OrgLimits:
    """Counters of one organization. `acquire` admits a call or raises the 429 ZohoError;
    every admitted call must be followed by `release`."""

    def __init__(self, clock=time.monotonic, wall=time.time):
        self._clock = clock
        self._wall = wall
        self._lock = threading.Lock()
        self._recent: collections.deque = collections.deque()
        self._in_flight = 0
        self._day = None
        self._day_count = 0

    def acquire(self, rate_limit: int, window_s: float, max_concurrent: int, daily_limit: int) -> None:
        # rule: RATE-LIMIT-429
        with self._lock:
            self._roll_day()
            now = self._clock()
            while self._recent and self._recent[0] <= now - window_s:
                self._recent.popleft()
            if self._day_count >= daily_limit:
                raise errors.too_many_per_day()
            if len(self._recent) >= rate_limit:
                raise errors.too_many_per_minute()
            if self._in_flight >= max_concurrent:
                raise errors.too_many_in_flight()
            self._recent.append(now)
            self._day_count += 1
            self._in_flight += 1

    def release(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def headers(self, daily_limit: int) -> dict[str, str]:
        """The X-Rate-Limit-* headers: the daily counter and the seconds until it resets."""
        with self._lock:
            self._roll_day()
            remaining = max(0, daily_limit - self._day_count)
        return {
            "X-Rate-Limit-Limit": str(daily_limit),
            "X-Rate-Limit-Remaining": str(remaining),
            "X-Rate-Limit-Reset": str(self._seconds_to_midnight()),
        }

    def reset(self) -> None:
        """Forget every call counted (a new day, an empty minute)."""
        with self._lock:
            self._recent.clear()
            self._day_count = 0

    def _roll_day(self) -> None:
        today = dt.datetime.fromtimestamp(self._wall(), dt.UTC).date()
        if today != self._day:
            self._day, self._day_count = today, 0

    def _seconds_to_midnight(self) -> int:
        now = dt.datetime.fromtimestamp(self._wall(), dt.UTC)
        midnight = dt.datetime.combine(now.date() + dt.timedelta(days=1), dt.time(), dt.UTC)
        return int((midnight - now).total_seconds())
