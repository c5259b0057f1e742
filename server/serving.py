"""uvicorn, with the shutdown API.md asks for: every tab is told 1001 before connections drop."""

from __future__ import annotations

import socket

import uvicorn
from litestar import Litestar
from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

from channels.close_codes import CLOSE_GOING_AWAY
from forge.settings import Settings

TABS_CLOSE_GRACE_SECONDS = 3.0
WS_MAX_FRAME_BYTES = 4 * 1024 * 1024
"""uvicorn refuses bigger frames itself (1009); frames over 64 KiB up to this get our 1008."""


class AnsweredHandshakes(WebSocketsSansIOProtocol):
    """uvicorn's sans-I/O WebSocket protocol, which leaves a refused handshake unanswered: websockets
    refuses an upgrade whose request line or a header is over 8 KiB (a 414 or 431 it queues), but
    uvicorn only writes what follows an accepted request, so the client waited, connected, for
    minutes. Here the refusal is sent and the connection closed."""

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.handshake_exc is not None and not self.handshake_complete:
            self.transport.write(b"".join(self.conn.data_to_send()))
            self.transport.close()


def server_config(app: Litestar, settings: Settings, **overrides: object) -> uvicorn.Config:
    options: dict[str, object] = {
        "log_level": settings.log_level.lower(),
        # The sans-I/O protocol keeps no tasks per connection (pings are timers): a third less
        # memory per idle tab than the default implementation (bench/connections).
        "ws": AnsweredHandshakes,
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
        web = getattr(getattr(app, "state", None), "web", None)
        if web is not None:
            await web.close_tabs(CLOSE_GOING_AWAY, TABS_CLOSE_GRACE_SECONDS)
        await super().shutdown(sockets)
