"""A real uvicorn server in the test's own event loop, so tests and app share one loop and pool."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn
from litestar import Litestar

from channels.close_codes import CLOSE_GOING_AWAY
from server.serving import TABS_CLOSE_GRACE_SECONDS, ForgeServer, server_config

STARTUP_TIMEOUT_SECONDS = 15


class _TestServer(ForgeServer):
    """uvicorn without its 0.1 s polling: stops as soon as asked, so each test's server costs
    milliseconds to stop rather than a quarter second."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.stop = asyncio.Event()

    async def main_loop(self) -> None:
        await self.on_tick(0)  # sets the default response headers
        await self.stop.wait()

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        web = getattr(self.config.app.state, "web", None)
        if web is not None:
            await web.close_tabs(CLOSE_GOING_AWAY, TABS_CLOSE_GRACE_SECONDS)
        for server in self.servers:
            server.close()
        for connection in list(self.server_state.connections):
            connection.shutdown()
        async with asyncio.timeout(self.config.timeout_graceful_shutdown or 5):
            while self.server_state.connections or self.server_state.tasks:  # noqa: ASYNC110 - uvicorn has no event for it
                await asyncio.sleep(0.005)
        await self.lifespan.shutdown()


@contextlib.asynccontextmanager
async def live_server(app: Litestar) -> AsyncIterator[str]:
    """Serves `app` on a free local port; yields its base URL."""
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say so, and without it
    # every keep-alive response waits 40 ms for a delayed ACK (Nagle).
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = server_config(
        app, app.state.settings, lifespan="on", log_level="info", timeout_graceful_shutdown=2
    )
    server = _TestServer(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="live-server")
    async with asyncio.timeout(STARTUP_TIMEOUT_SECONDS):
        while not server.started:
            if task.done():
                task.result()  # re-raises a startup failure
                raise RuntimeError("the server stopped during startup")
            await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop.set()
        await task
        sock.close()
