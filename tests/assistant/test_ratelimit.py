from __future__ import annotations

import pytest

from assistant.errors import ConfigurationError, RateLimitedError
from assistant.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_window_slides_and_tells_how_long_to_wait() -> None:
    clock = FakeClock()
    limiter = RateLimiter(3, clock)
    for _ in range(3):
        limiter.hit("alice")
        clock.now += 10
    with pytest.raises(RateLimitedError) as refused:
        limiter.hit("alice")
    # The oldest hit (t=1000) leaves the window at t=1060; it is now t=1030.
    assert refused.value.retry_after == 30
    limiter.hit("bob")  # per user
    clock.now = 1060.5
    limiter.hit("alice")


def test_idle_users_are_forgotten() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1, clock)
    limiter.hit("alice")
    clock.now += 61
    limiter.hit("bob")
    assert set(limiter._hits) == {"bob"}


def test_a_limit_below_one_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        RateLimiter(0)
