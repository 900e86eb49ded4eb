"""A clock for the limiter's tests that never really sleeps."""

from __future__ import annotations


class FakeClock:
    """A clock whose sleep just moves time on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
