"""Rate limiting (seed: rateLimit.checkRateLimit) over whichever window store is configured."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import Clock
from domain.errors import RateLimited
from domain.ports import RateLimitStore
from domain.rules.rate_limits import Decision, RateLimit


class RateLimiter:
    def __init__(self, store: RateLimitStore, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    async def check(self, key: str, rule: RateLimit) -> Decision:
        """Counts a hit of `key`; raises RateLimited (with the wait) once the window is full."""
        decision = await self.store.hit(key, rule, self.clock.now())
        if not decision.allowed:
            raise RateLimited(retry_after=max(decision.retry_after, timedelta(seconds=1)))
        return decision

    async def remove_expired(self) -> int:
        """Seed: rateLimit.resetExpiredRateLimits."""
        return await self.store.remove_expired(self.clock.now())
