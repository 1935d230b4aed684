"""A fake monotonic clock for the HTTP client's politeness and backoff: no test really sleeps."""
from __future__ import annotations


class FakeClock:
    """Time moves only when the client sleeps or the test advances it; every sleep is recorded."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def advance(self, seconds: float) -> None:
        self.now += seconds
