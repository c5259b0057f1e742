"""`GET /metrics`: the process's series in Prometheus' text format (forge/metrics.py).

No token, like `/healthz`: a scraper has none. It tells nothing about users, but the numbers are
the operator's: keep the route off the public network at the proxy. The run queue's gauges are
read from the database on each scrape, within a second: a slow database must not hold scrapes.
"""

from __future__ import annotations

import asyncio
import logging
import math

from litestar import Controller, Response, get
from litestar.di import NamedDependency
from prometheus_client import CONTENT_TYPE_LATEST

from forge.core import Core
from forge.metrics import QUEUE_DEPTH, QUEUE_OLDEST_AGE, server_exposition

QUEUE_TIMEOUT_SECONDS = 1.0

logger = logging.getLogger("forge.server")


class MetricsController(Controller):
    path = ""
    include_in_schema = False

    @get("/metrics")
    async def metrics(self, core: NamedDependency[Core]) -> Response[bytes]:
        await _read_queue(core)
        return Response(server_exposition(), media_type=CONTENT_TYPE_LATEST)


async def _read_queue(core: Core) -> None:
    """Sets the queue's gauges; NaN when the database does not answer in time, since the last
    value read could look like a healthy queue."""
    try:
        async with asyncio.timeout(QUEUE_TIMEOUT_SECONDS):
            queue = await core.services.agent_runs.queue()
    except Exception as error:  # any failure: the scrape still answers, with the rest
        logger.warning("metrics: the run queue could not be read: %r", error)
        QUEUE_DEPTH.set(math.nan)
        QUEUE_OLDEST_AGE.set(math.nan)
        return
    QUEUE_DEPTH.set(queue.depth)
    QUEUE_OLDEST_AGE.set(queue.oldest_wait(core.clock.now()).total_seconds())
