"""The limiter's schedule and budget, on a fake clock that never really sleeps.

How it learns a server's real rate is in test_limiter_learning.py."""

from __future__ import annotations

import pytest
from fake_clock import FakeClock

from bulkio.errors import QuotaExhausted
from bulkio.zoho.limiter import SAFETY, Limiter


def make(rate=60, in_flight=5, daily=1000):
    clock = FakeClock()
    return Limiter(rate, in_flight, daily, clock=clock, sleep=clock.sleep), clock


def starts(limiter, clock, n):
    times = []
    for _ in range(n):
        with limiter.slot():
            times.append(clock.now)
    return times


def test_calls_are_evenly_spaced_from_the_first():
    limiter, clock = make(rate=60)
    times = starts(limiter, clock, 5)
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert times[0] == 1000.0  # the first call does not wait
    assert gaps == pytest.approx([1.0 * SAFETY] * 4)


def test_no_sixty_second_window_holds_more_than_the_rate():
    limiter, clock = make(rate=100)
    times = starts(limiter, clock, 250)
    worst = max(sum(1 for t in times if start <= t < start + 60) for start in times)
    assert worst <= 100


def test_idle_time_is_not_saved_up_as_a_burst():
    limiter, clock = make(rate=60)
    starts(limiter, clock, 2)
    clock.now += 600  # ten idle minutes
    times = starts(limiter, clock, 3)
    assert times[1] - times[0] == pytest.approx(SAFETY)


def test_daily_budget_raises_before_sending():
    limiter, clock = make(daily=3)
    starts(limiter, clock, 3)
    with pytest.raises(QuotaExhausted) as info:
        limiter.acquire()
    assert "daily budget of 3 calls is used up" in str(info.value)
    assert limiter.quota.remaining == 0


def test_a_refused_call_gives_back_its_in_flight_place():
    limiter, clock = make(in_flight=1, daily=0)
    for _ in range(3):  # would deadlock if the place leaked
        with pytest.raises(QuotaExhausted):
            limiter.acquire()
    assert limiter.has_free_place()


def test_headers_teach_the_budget():
    limiter, clock = make(daily=1000)
    limiter.observe({"X-Rate-Limit-Limit": "5000", "X-Rate-Limit-Remaining": "2", "X-Rate-Limit-Reset": "3600"})
    assert limiter.quota.limit == 5000 and limiter.quota.remaining == 2 and limiter.quota.reset == "3600"
    starts(limiter, clock, 2)
    with pytest.raises(QuotaExhausted):
        limiter.acquire()


def test_headers_that_are_absent_or_garbled_change_nothing():
    limiter, _ = make(daily=1000)
    limiter.observe({"X-Rate-Limit-Remaining": "lots"})
    assert limiter.quota.remaining == 1000


def test_exhaust_stops_every_later_call():
    limiter, _ = make(daily=1000)
    limiter.exhaust()
    with pytest.raises(QuotaExhausted):
        limiter.acquire()


def test_no_budget_means_no_quota_and_no_refusal():
    limiter, clock = make(daily=None)
    assert limiter.quota is None
    assert len(starts(limiter, clock, 3)) == 3
