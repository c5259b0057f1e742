"""What a WebSocket handshake says (headers, query values, the resume point), read from the raw
ASGI scope: most tabs sit idle, and Litestar's cached header and query objects cost memory per tab."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from litestar import WebSocket


def header(socket: WebSocket[Any, Any, Any], name: bytes) -> str | None:
    for key, value in socket.scope["headers"]:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def query(socket: WebSocket[Any, Any, Any]) -> dict[str, str]:
    return dict(parse_qsl(socket.scope["query_string"].decode("latin-1")))


def resume_point(socket: WebSocket[Any, Any, Any]) -> tuple[int | None, str | None]:
    """`?since=` and `?epoch=`, if the tab asks to resume."""
    values = query(socket)
    since, epoch = values.get("since"), values.get("epoch")
    try:
        return (int(since) if since is not None else None), epoch
    except ValueError:
        return None, None  # an unreadable resume point gets a fresh hello
