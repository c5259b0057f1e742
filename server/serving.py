"""uvicorn, with the shutdown API.md asks for: every tab is told 1001 before connections drop."""

from __future__ import annotations

import socket

import uvicorn
from litestar import Litestar

from channels.close_codes import CLOSE_GOING_AWAY
from server.settings import Settings

TABS_CLOSE_GRACE_SECONDS = 3.0
WS_MAX_FRAME_BYTES = 4 * 1024 * 1024
"""uvicorn refuses bigger frames itself (1009); frames over 64 KiB up to this get our 1008."""


def server_config(app: Litestar, settings: Settings, **overrides: object) -> uvicorn.Config:
    options: dict[str, object] = {
        "log_level": settings.log_level.lower(),
        # The sans-I/O protocol keeps no tasks per connection (pings are timers): a third less
        # memory per idle tab than the default implementation (bench/connections).
        "ws": "websockets-sansio",
        "ws_per_message_deflate": settings.ws_per_message_deflate,
        "ws_max_size": WS_MAX_FRAME_BYTES,
    }
    if settings.log_format == "json":
        # No handlers of uvicorn's own: its lines, access log included, go up to the root logger's
        # JSON handler (forge/logs.py), with the request's id when written during a request.
        options["log_config"] = None
    options.update(overrides)
    return uvicorn.Config(app, **options)  # type: ignore[arg-type]


class ForgeServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        # uvicorn would close WebSockets with 1012; tabs are promised 1001, so they go first.
        app = self.config.app
        runtime = getattr(getattr(app, "state", None), "runtime", None)
        if runtime is not None:
            await runtime.close_tabs(CLOSE_GOING_AWAY, TABS_CLOSE_GRACE_SECONDS)
        await super().shutdown(sockets)
