"""A real uvicorn server in the test's own event loop, so tests and app share one loop and pool."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator

import uvicorn
from litestar import Litestar

STARTUP_TIMEOUT_SECONDS = 15


@contextlib.asynccontextmanager
async def live_server(app: Litestar) -> AsyncIterator[str]:
    """Serves `app` on a free local port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, lifespan="on", log_level="warning", ws_per_message_deflate=False, timeout_graceful_shutdown=2
    )
    server = uvicorn.Server(config)
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
        server.should_exit = True
        await task
        sock.close()
