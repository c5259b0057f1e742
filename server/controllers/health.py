"""`/healthz` (the process answers) and `/readyz` (its database and broker answer too)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

import msgspec
from litestar import Controller, Response, get
from litestar.di import NamedDependency

from forge.core import Core

READINESS_TIMEOUT_SECONDS = 2.0

logger = logging.getLogger("forge.server")


class Health(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=True):
    status: str
    database: str | None = None
    broker: str | None = None


class HealthController(Controller):
    path = ""
    tags = ["health"]
    include_in_schema = True

    @get("/healthz", operation_id="healthz")
    async def healthz(self) -> Health:
        return Health(status="ok")

    @get("/readyz", operation_id="readyz")
    async def readyz(self, core: NamedDependency[Core]) -> Response[Health]:
        database = await _check("database", core.database.ping())
        broker = await _check("broker", core.broker.ping())
        ready = database == "ok" and broker == "ok"
        return Response(
            Health(status="ready" if ready else "unavailable", database=database, broker=broker),
            status_code=200 if ready else 503,
        )


async def _check(name: str, probe: Awaitable[None]) -> str:
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            await probe
    except Exception as error:  # any failure means "not ready", with the reason logged
        logger.warning("readiness: %s unavailable: %s", name, error)
        return f"unavailable: {type(error).__name__}"
    return "ok"
