"""How the limiter learns a server's real rate from 429s, against a fake sliding window on a fake
clock (Zoho's 60 s window, and the 6 s window of the fast benchmarks)."""

from __future__ import annotations

from collections import deque

import pytest
from fake_clock import FakeClock

from bulkio.zoho.limiter import CREEP, SAFETY, Limiter


class SlidingWindow:
    """A server that accepts `limit` calls in any `seconds`; a refused call counts nothing."""

    def __init__(self, clock: FakeClock, limit: int, seconds: float):
        self.clock, self.limit, self.seconds = clock, limit, seconds
        self.accepted: deque = deque()
        self.refused = 0

    def admit(self) -> bool:
        now = self.clock.now
        while self.accepted and self.accepted[0] <= now - self.seconds:
            self.accepted.popleft()
        if len(self.accepted) >= self.limit:
            self.refused += 1
            return False
        self.accepted.append(now)
        return True


def send(limiter: Limiter, server: SlidingWindow, calls: int) -> list[float]:
    """`calls` calls one after another, each sent again until accepted; their accepted times."""
    times = []
    for _ in range(calls):
        while True:
            ticket = limiter.acquire()
            accepted = server.admit()
            limiter.release()
            if accepted:
                limiter.succeeded(ticket)
                times.append(server.clock.now)
                break
            limiter.slowed_down(ticket)
    return times


def setup(told: float, limit: int, seconds: float):
    clock = FakeClock()
    limiter = Limiter(told, 5, None, clock=clock, sleep=clock.sleep)
    return limiter, SlidingWindow(clock, limit, seconds), clock


@pytest.mark.parametrize("seconds", [60.0, 6.0])
def test_told_five_times_the_servers_rate_it_learns_that_rate_within_one_window(seconds):
    real = 100 * 60 / seconds  # per minute
    limiter, server, clock = setup(5 * real, 100, seconds)
    send(limiter, server, 100)  # the first window fills at five times the real rate ...
    send(limiter, server, 1)  # ... and the next call waits for it to free
    assert clock.now - 1000 < seconds * 1.15  # it is sent at most PROBE_SHARE after the window frees
    assert server.refused <= 25  # probes at growing gaps, not one refusal per interval
    assert 0.85 * real <= limiter.rate / SAFETY <= real  # the pace learned: close to, never above, the real one
    refused = server.refused
    times = send(limiter, server, 800)  # eight windows more
    assert server.refused - refused <= 3  # a rate that creeps a little too high costs one 429 now and then
    assert len(times) / ((times[-1] - times[0]) / seconds) >= 0.93 * 100  # calls per window at the end


def test_told_the_servers_rate_nothing_is_refused_and_nothing_changes():
    limiter, server, clock = setup(100, 100, 60.0)
    times = send(limiter, server, 500)
    assert server.refused == 0
    assert limiter.rate == 100
    assert len(times) / ((times[-1] - times[0]) / 60) == pytest.approx(100 / SAFETY, rel=0.01)


def test_a_server_at_a_twentieth_of_the_told_rate_is_learned_too():
    limiter, server, clock = setup(2000, 100, 60.0)
    send(limiter, server, 101)
    assert server.refused <= 40
    assert 0.85 * 100 <= limiter.rate / SAFETY <= 100


def ticket_of(limiter) -> int:
    ticket = limiter.acquire()
    limiter.release()
    return ticket


def test_only_the_first_refusal_after_a_change_is_news():
    limiter, server, clock = setup(60, 100, 60.0)
    early, late = ticket_of(limiter), ticket_of(limiter)
    assert limiter.slowed_down(late) is True
    assert limiter.refused
    assert limiter.slowed_down(early) is False  # sent before the schedule changed: says nothing new
    probe = ticket_of(limiter)
    assert limiter.slowed_down(probe) is True


def test_probes_go_out_at_doubling_gaps_up_to_a_share_of_the_measure():
    limiter, server, clock = setup(60, 100, 60.0)  # interval 1.03 s
    for _ in range(100):
        limiter.succeeded(ticket_of(limiter))  # a measure of about 100 s
    starts = []
    ticket = ticket_of(limiter)
    for _ in range(8):
        limiter.slowed_down(ticket)
        ticket = ticket_of(limiter)
        starts.append(clock.now)
    gaps = [b - a for a, b in zip(starts, starts[1:], strict=False)]
    assert gaps[0] == pytest.approx(2 * SAFETY)  # one interval, then doubling ...
    assert gaps[1:3] == pytest.approx([4 * SAFETY, 8 * SAFETY])
    assert gaps[-1] < 2 * gaps[-2]
    assert max(gaps) <= 0.1 * (clock.now - 1000) + 1e-9  # ... capped at a tenth of the measure
    assert limiter.rate == 60  # nothing is learned until a probe is accepted


def test_an_answer_to_a_call_sent_before_the_refusal_does_not_end_it():
    limiter, server, clock = setup(60, 100, 60.0)
    for _ in range(20):
        limiter.succeeded(ticket_of(limiter))
    in_flight, refused = ticket_of(limiter), ticket_of(limiter)
    limiter.slowed_down(refused)
    assert limiter.succeeded(in_flight) is False  # accepted before the window filled: no news
    assert limiter.refused


def test_a_refusal_right_after_learning_is_the_old_windows_tail_and_teaches_nothing():
    limiter, server, clock = setup(600, 100, 60.0)
    for _ in range(30):
        limiter.succeeded(ticket_of(limiter))
    limiter.slowed_down(ticket_of(limiter))
    clock.now += 30
    assert limiter.succeeded(ticket_of(limiter)) is True  # 30 calls over about 33 s
    learned = limiter.rate
    assert learned == pytest.approx(30 * 60 / (clock.now - 1000), rel=0.05)
    for _ in range(12):
        limiter.succeeded(ticket_of(limiter))
    limiter.slowed_down(ticket_of(limiter))  # shorter than the window just learned
    assert limiter.succeeded(ticket_of(limiter)) is False
    assert limiter.rate == pytest.approx(learned, rel=0.01)  # only the creep of 13 calls


def test_a_learned_rate_creeps_up_to_the_told_rate_and_no_further():
    limiter, server, clock = setup(100, 100, 60.0)
    limiter.rate = 50
    for _ in range(100):
        limiter.succeeded(ticket_of(limiter))
    assert limiter.rate == pytest.approx(50 * (1 + CREEP) ** 100)
    for _ in range(10_000):
        limiter.succeeded(ticket_of(limiter))
    assert limiter.rate == 100


def test_a_thread_waiting_for_its_turn_takes_a_new_one_when_a_429_changes_the_schedule():
    clock = FakeClock()
    hooks = []

    def sleep(seconds):  # while this thread sleeps, another call's 429 comes back
        clock.sleep(seconds)
        while hooks:
            hooks.pop()()

    limiter = Limiter(60, 5, None, clock=clock, sleep=sleep)
    for _ in range(20):
        limiter.succeeded(ticket_of(limiter))
    sent = ticket_of(limiter)
    planned_at = clock.now + 1.03
    hooks.append(lambda: limiter.slowed_down(sent))
    ticket_of(limiter)
    assert clock.now > planned_at + 1.0  # not sent on the old plan, but one gap after the 429


def test_rate_never_drops_below_a_floor():
    limiter, server, clock = setup(6400, 1, 60.0)  # the server takes one call a minute
    send(limiter, server, 30)
    assert limiter.rate == 100  # 6400 / 64
