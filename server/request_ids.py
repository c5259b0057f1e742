"""An id for every HTTP request and WebSocket connection, on each log line written while it is
handled (forge/logs.py) and in its `X-Request-Id` response header, so a report from a client can
be matched with the server's log. A proxy's or client's own `X-Request-Id` is kept when it is a
short token that is safe to log; anything else is replaced by a fresh id."""

from __future__ import annotations

import re
import secrets
from typing import cast

from litestar.types import (
    ASGIApp,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
    WebSocketAcceptEvent,
)

from forge.logs import REQUEST_ID, bound

HEADER = b"x-request-id"
_SANE = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
_CARRIES_HEADERS = frozenset({"http.response.start", "websocket.accept"})


class RequestIds:
    """ASGI middleware around the whole app (server/app.py), unknown routes included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request_id = _given(scope) or secrets.token_hex(8)
        header = (HEADER, request_id.encode())

        async def send_with_id(message: Message) -> None:
            if message["type"] in _CARRIES_HEADERS:
                start = cast("HTTPResponseStartEvent | WebSocketAcceptEvent", message)
                start["headers"] = [*start.get("headers", ()), header]
            await send(message)

        with bound(REQUEST_ID, request_id):
            await self.app(scope, receive, send_with_id)


def _given(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name.lower() == HEADER:
            return value.decode() if _SANE.fullmatch(value) else None
    return None
