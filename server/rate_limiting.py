"""Where the web tier applies rate limits: per user on writes (REST guard and tab frames), per
address on refused tokens and on webhooks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from domain.ids import UserId
from domain.rules.rate_limits import RateLimit
from domain.services.rate_limits import RateLimiter
from forge.settings import Settings

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
RATE_WINDOW = timedelta(minutes=1)


class RequestLimits:
    """The three limits of the settings, counted by one limiter (memory or Redis windows)."""

    def __init__(self, limiter: RateLimiter, settings: Settings) -> None:
        self.limiter = limiter
        self.writes = RateLimit(limit=settings.rate_limit_writes_per_minute, window=RATE_WINDOW)
        self.auth_failures = RateLimit(limit=settings.rate_limit_auth_failures_per_minute, window=RATE_WINDOW)
        self.webhooks = RateLimit(limit=settings.rate_limit_webhooks_per_minute, window=RATE_WINDOW)

    async def write(self, user_id: UserId) -> None:
        """Raises RateLimited (a 429 with Retry-After, or an error frame) past the limit."""
        await self.limiter.check(f"writes:{user_id}", self.writes)

    async def auth_failure(self, client: str) -> None:
        """Each refused token counts against the address; past the limit it gets 429s."""
        await self.limiter.check(f"auth-failures:{client}", self.auth_failures)

    async def webhook(self, client: str) -> None:
        await self.limiter.check(f"webhook:{client}", self.webhooks)


async def limit_writes(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Counts the caller's writes; past the limit, RateLimited becomes a 429 with Retry-After."""
    if connection.scope.get("method") not in WRITE_METHODS or "user" not in connection.scope:
        return
    limits: RequestLimits = connection.app.state.web.limits
    await limits.write(connection.user)
