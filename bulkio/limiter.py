"""One limiter shared by every thread: pace per minute, calls in flight, and a daily budget.

Hand-written rather than pyrate-limiter: what bulkio needs is an evenly spaced schedule (so
Zoho's sliding 60 s window never overflows, even at the window's edge), a rate that adapts to
429s (halve, then recover slowly), an in-flight cap and a daily budget learned from answer
headers. pyrate-limiter allows bursts up to the limit within a window and knows none of the
rest, so it would end up wrapped in as much code as this file.

Each call reserves a start time `interval` after the previous reservation, then sleeps until
it; the clock and sleep are injected so unit tests never really wait.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Callable, Iterator, Mapping

from bulkio.errors import QUOTA_CODE, QuotaExhausted

#: stay this much under the nominal rate, so jitter in arrival times cannot fill the server's window
SAFETY = 1.03
#: never slow below this share of the configured rate
MIN_FACTOR = 1 / 16
#: each success after a slow-down gives back this share of the configured rate
RECOVERY_STEP = 0.02
#: after a cut, further 429s within this many intervals (and at least MIN_COOLDOWN s) are taken
#: as the same full window draining, not as proof that the new rate is still too high
COOLDOWN_INTERVALS = 4
MIN_COOLDOWN = 1.0


@dataclass(frozen=True)
class QuotaInfo:
    """The daily budget as far as bulkio knows it (`reset` as Zoho sent it, if it did)."""

    limit: int
    remaining: int
    reset: str | None = None


class Limiter:
    """Paces calls for every thread of a run.

    Use `with limiter.slot() as ticket: send()`; report answers with `observe(headers)`,
    `succeeded()` and `slowed_down(ticket)`.
    """

    def __init__(
        self,
        rate_per_minute: float = 100,
        max_in_flight: int = 5,
        daily_limit: int | None = 1000,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ):
        if rate_per_minute <= 0 or max_in_flight < 1:
            raise ValueError("rate_per_minute must be > 0 and max_in_flight >= 1")
        self.base_rate = float(rate_per_minute)
        self.rate = self.base_rate
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._in_flight = threading.BoundedSemaphore(max_in_flight)
        self._next_start = float("-inf")
        self._tickets = 0
        self._cut_at_ticket = 0
        self._cut_until = float("-inf")
        self._limit = daily_limit
        self._remaining = daily_limit
        self._reset: str | None = None

    @property
    def interval(self) -> float:
        """Seconds between two starts at the current rate."""
        return 60.0 / self.rate * SAFETY

    @property
    def quota(self) -> QuotaInfo | None:
        """What is left of the daily budget, or None when there is no budget."""
        with self._lock:
            if self._limit is None or self._remaining is None:
                return None
            return QuotaInfo(self._limit, max(self._remaining, 0), self._reset)

    @contextmanager
    def slot(self) -> Iterator[int]:
        """Wait for a turn and a free in-flight place; yields the call's ticket number."""
        ticket = self.acquire()
        try:
            yield ticket
        finally:
            self.release()

    def acquire(self) -> int:
        """Take an in-flight place and wait for this call's start time; QuotaExhausted if spent."""
        self._in_flight.acquire()
        try:
            with self._lock:
                self._spend_budget()
                now = self._clock()
                start = max(now, self._next_start)
                self._next_start = start + self.interval
                self._tickets += 1
                ticket = self._tickets
            if start > now:
                self._sleep(start - now)
            return ticket
        except BaseException:
            self._in_flight.release()
            raise

    def release(self) -> None:
        """Give back the in-flight place taken by `acquire`."""
        self._in_flight.release()

    def observe(self, headers: Mapping[str, str]) -> None:
        """Learn the daily budget from X-Rate-Limit-* answer headers when Zoho sends them."""
        remaining = _int_header(headers, "X-Rate-Limit-Remaining")
        limit = _int_header(headers, "X-Rate-Limit-Limit")
        with self._lock:
            if limit is not None:
                self._limit = limit
            if remaining is not None:
                self._remaining = remaining
                self._limit = max(self._limit or 0, remaining)
            self._reset = headers.get("X-Rate-Limit-Reset", self._reset)

    def exhaust(self) -> None:
        """Zoho said the day's quota is used up (code 45): refuse every further call."""
        with self._lock:
            self._remaining = 0
            if self._limit is None:
                self._limit = 0

    def slowed_down(self, ticket: int) -> bool:
        """A call got 429 (44/1070): halve the rate, once per burst. True if the rate was cut.

        Calls that started before the last cut were paced at the old rate, and the server's
        window takes a while to drain after a cut: 429s from either say nothing new, so they do
        not cut again.
        """
        with self._lock:
            now = self._clock()
            if ticket <= self._cut_at_ticket or now < self._cut_until:
                return False
            self._cut_until = now + max(MIN_COOLDOWN, COOLDOWN_INTERVALS * self.interval)
            self.rate = max(self.rate / 2, self.base_rate * MIN_FACTOR)
            self._cut_at_ticket = self._tickets
            # the next start is spaced by the new, longer interval
            self._next_start = max(self._next_start, now + self.interval)
            return True

    def succeeded(self) -> None:
        """A call was answered without a 429: give back a little of the rate."""
        with self._lock:
            if self.rate < self.base_rate:
                self.rate = min(self.base_rate, self.rate + self.base_rate * RECOVERY_STEP)

    def _spend_budget(self) -> None:
        if self._remaining is None:
            return
        if self._remaining <= 0:
            raise QuotaExhausted(
                429,
                QUOTA_CODE,
                f"The daily budget of {self._limit} calls is used up (--daily-limit or Zoho's "
                "X-Rate-Limit headers); nothing was sent. Run the same command again tomorrow to resume.",
            )
        self._remaining -= 1


def _int_header(headers: Mapping[str, str], name: str) -> int | None:
    try:
        return int(headers[name])
    except (KeyError, TypeError, ValueError):
        return None
