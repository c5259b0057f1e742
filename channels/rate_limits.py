"""Rate-limit window stores: in-process for the embedded deployment, Redis (atomic across
processes, one Lua step per hit) for the scaled one. Each hit touches one window's key only, so on
a cluster each is served by the node that owns that key."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from channels.redis import RedisKeys
from channels.redis_connection import RedisClient
from domain.entities import RateLimitWindow
from domain.rules.rate_limits import Decision, RateLimit, hit, is_expired

_HIT_SCRIPT = (Path(__file__).parent / "lua" / "rate_limit.lua").read_text()


class MemoryRateLimitStore:
    def __init__(self) -> None:
        self._windows: dict[str, RateLimitWindow] = {}

    async def hit(self, key: str, rule: RateLimit, now: datetime) -> Decision:
        # No await between reading and writing the window: one event loop makes this atomic.
        window, decision = hit(self._windows.get(key), key, rule, now)
        self._windows[key] = window
        return decision

    async def remove_expired(self, now: datetime) -> int:
        expired = [key for key, window in self._windows.items() if is_expired(window, now)]
        for key in expired:
            del self._windows[key]
        return len(expired)


class RedisRateLimitStore:
    def __init__(self, client: RedisClient, prefix: str) -> None:
        self.keys = RedisKeys(prefix)
        self._hit = client.register_script(_HIT_SCRIPT)

    async def hit(self, key: str, rule: RateLimit, now: datetime) -> Decision:
        window_ms = int(rule.window.total_seconds() * 1000)
        now_ms = int(now.timestamp() * 1000)
        allowed, remaining, wait_ms = await self._hit(
            keys=[self.keys.rate_limit(key)], args=[rule.limit, window_ms, now_ms]
        )
        return Decision(
            allowed=bool(allowed), remaining=int(remaining), retry_after=timedelta(milliseconds=int(wait_ms))
        )

    async def remove_expired(self, now: datetime) -> int:
        return 0  # every window key expires by itself when its window ends
