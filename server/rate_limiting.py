"""Where the API applies rate limits: per user on writes (a router guard)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler

from server.runtime import Runtime

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def limit_writes(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Counts the caller's writes; past the limit, RateLimited becomes a 429 with Retry-After."""
    if connection.scope.get("method") not in WRITE_METHODS or "user" not in connection.scope:
        return
    runtime: Runtime = connection.app.state.runtime
    await runtime.services.rate_limiter.check(f"writes:{connection.user}", runtime.rate_limits.writes)
