"""Fixed windows of the seed's rateLimit.checkRateLimit: count hits of a key until the window ends."""

from __future__ import annotations

from datetime import datetime, timedelta

import msgspec

from domain.entities import RateLimitWindow


class RateLimit(msgspec.Struct, frozen=True, kw_only=True):
    limit: int
    window: timedelta


class Decision(msgspec.Struct, frozen=True, kw_only=True):
    allowed: bool
    remaining: int
    retry_after: timedelta
    """Until the window ends; zero when allowed."""


def hit(
    window: RateLimitWindow | None, key: str, rule: RateLimit, now: datetime
) -> tuple[RateLimitWindow, Decision]:
    """The window after one more hit, and whether the hit is allowed.

    A missing or expired window starts anew at `now`; a refused hit is not counted.
    """
    if window is None or now >= window.window_ends_at:
        window = RateLimitWindow(key=key, hits=0, window_ends_at=now + rule.window)
    if window.hits >= rule.limit:
        return window, Decision(allowed=False, remaining=0, retry_after=window.window_ends_at - now)
    counted = msgspec.structs.replace(window, hits=window.hits + 1)
    return counted, Decision(allowed=True, remaining=rule.limit - counted.hits, retry_after=timedelta(0))


def is_expired(window: RateLimitWindow, now: datetime) -> bool:
    return now >= window.window_ends_at
