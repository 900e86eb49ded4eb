"""One limiter shared by every thread: pace per minute, calls in flight, and a daily budget.

Hand-written rather than pyrate-limiter: what bulkio needs is an evenly spaced schedule (so
Zoho's sliding 60 s window never overflows, even at the window's edge), a rate learned from 429s,
an in-flight cap and a daily budget learned from answer headers. pyrate-limiter allows bursts up
to the limit within a window and knows none of the rest, so it would end up wrapped in as much
code as this file.

Each call reserves a start time `interval` after the previous reservation, then sleeps until
it; the clock and sleep are injected so unit tests never really wait.

Learning the server's rate (when bulkio is told more than the server allows): a per-minute 429
(code 44) means the server's window is full. From then on only one probe at a time goes out, at
growing gaps, until one is accepted: the window has then freed its oldest call, so the calls
accepted since the measure began (the window's content) over the time since (the window's
length) is the server's rate, and the schedule takes it. Zoho's X-Rate-Limit-* headers only
count the day, so they cannot tell this. A rate learned a little low creeps back up by CREEP per
accepted call; one that ends a little high shows as a single 429 and is measured again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from bulkio.errors import QUOTA_CODE, QuotaExhausted

#: stay this much under the nominal rate, so jitter in arrival times cannot fill the server's window
SAFETY = 1.03
#: never slow below this share of the configured rate
MIN_FACTOR = 1 / 64
#: while refused, each probe waits twice as long as the last, from one interval ...
PROBE_GROWTH = 2.0
#: ... but at most this share of the time the measure has run: the probe that finds the window
#: open is then at most this much late, and the rate it teaches at most this much low
PROBE_SHARE = 0.1
#: each accepted call raises a learned rate by this share, up to the told rate (+2 % per 100 calls)
CREEP = 0.0002
#: refusals that end before the measure holds this many accepted calls, or before it is as long as
#: the window learned last time, teach nothing: they are the tail of an older, fuller window (or
#: too few calls to count), and the measure goes on
MIN_SAMPLE = 10
#: Zoho's window: after this long without a call it holds nothing, and a new measure begins
WINDOW_S = 60.0


@dataclass(frozen=True)
class QuotaInfo:
    """The daily budget as far as bulkio knows it (`reset` as Zoho sent it, if it did)."""

    limit: int
    remaining: int
    reset: str | None = None


class Limiter:
    """Paces calls for every thread of a run.

    Use `with limiter.slot() as ticket: send()`; report answers with `observe(headers)`,
    `succeeded(ticket)` and `slowed_down(ticket)`.
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
        self._last_start = float("-inf")
        self._tickets = 0
        self._stale_upto = 0  # calls with tickets up to this one were sent before the last change
        self._version = 0  # bumped when the schedule changes, so sleeping threads take a new place
        self._refused_since: float | None = None  # set while the server's window is full
        self._gap = 0.0  # seconds between probes while refused
        self._measure_from: float | None = None  # first accepted call of the current measure
        self._accepted = 0  # calls accepted since then
        self._window = 0.0  # the server window's length as last learned, in seconds
        self._limit = daily_limit
        self._remaining = daily_limit
        self._reset: str | None = None

    @property
    def interval(self) -> float:
        """Seconds between two starts at the current rate."""
        return 60.0 / self.rate * SAFETY

    @property
    def refused(self) -> bool:
        """True while the server refuses calls and only probes go out."""
        return self._refused_since is not None

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
        """Take an in-flight place and wait for this call's start time; QuotaExhausted if spent.

        A thread whose turn was planned before the schedule changed (a 429, a learned rate)
        takes a new turn rather than send on the old plan."""
        self._in_flight.acquire()
        try:
            with self._lock:
                self._spend_budget()
            while True:
                with self._lock:
                    now = self._clock()
                    self._restart_measure_if_idle(now)
                    start = max(now, self._next_start)
                    self._next_start = start + (self._gap if self.refused else self.interval)
                    version = self._version
                if start > now:
                    self._sleep(start - now)
                with self._lock:
                    if version == self._version:
                        self._tickets += 1
                        self._last_start = start
                        return self._tickets
        except BaseException:
            self._in_flight.release()
            raise

    def release(self) -> None:
        """Give back the in-flight place taken by `acquire`."""
        self._in_flight.release()

    def has_free_place(self) -> bool:
        """Whether a call could take an in-flight place now without waiting (none is kept)."""
        if not self._in_flight.acquire(blocking=False):
            return False
        self._in_flight.release()
        return True

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

    def slowed_down(self, ticket: int, wait: float = 0.0) -> bool:
        """A call got a per-minute 429 (code 44): hold every call but one probe. True if news.

        The first refusal holds the schedule for one interval; each refused probe doubles the
        gap, up to PROBE_SHARE of the measure's length. Calls sent before the last change were
        planned on the old schedule: their 429s say nothing new and change nothing. `wait` is
        what the server asked for (Retry-After, undocumented by Zoho): no probe goes sooner.
        """
        with self._lock:
            if ticket <= self._stale_upto:
                return False
            now = self._clock()
            if self._refused_since is None:
                self._refused_since = now
                self._gap = self.interval
            else:
                self._gap *= PROBE_GROWTH
            if self._measure_from is not None:
                self._gap = min(self._gap, max(self.interval, PROBE_SHARE * (now - self._measure_from)))
            self._change_schedule(now + max(self._gap, min(wait, WINDOW_S)))
            return True

    def succeeded(self, ticket: int | None = None) -> bool:
        """A call was answered without a 429. True if that taught the limiter a new rate.

        The first accepted probe after refusals ends them and sets the rate to what the server
        accepted over the measure; other calls let a learned rate creep back towards the told
        one. `ticket=None` counts as a call sent now.
        """
        with self._lock:
            now = self._clock()
            if self._measure_from is None:
                self._measure_from = now
            fresh = ticket is None or ticket > self._stale_upto
            if fresh and self._refused_since is not None:
                return self._learn(now)
            self._accepted += 1
            if fresh and self.rate < self.base_rate:
                self.rate = min(self.base_rate, self.rate * (1 + CREEP))
            return False

    def _learn(self, now: float) -> bool:
        """Refusals ended: the calls accepted since the measure began filled one server window,
        and the window's length has just passed since the first of them. True if the rate was set."""
        self._refused_since = None
        elapsed = now - self._measure_from
        learned = self._accepted >= MIN_SAMPLE and elapsed > 0 and elapsed >= self._window
        if learned:
            measured = self._accepted * 60.0 / elapsed
            self.rate = max(min(self.rate, measured), self.base_rate * MIN_FACTOR)
            self._measure_from, self._accepted, self._window = now, 0, elapsed
        self._accepted += 1
        self._change_schedule(now + self.interval)
        return learned

    def _change_schedule(self, next_start: float) -> None:
        self._next_start = next_start
        self._stale_upto = self._tickets
        self._version += 1

    def _restart_measure_if_idle(self, now: float) -> None:
        """After a pause of a whole window the server's window is empty: a new measure begins."""
        if self._refused_since is None and now - self._last_start > WINDOW_S:
            self._measure_from, self._accepted = None, 0

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
