"""A local HTTP/1.1 server answering JSON, under the fakes of REST APIs (GitHub's, Figma's).

A subclass decides each answer in `answer(request)`; every request lands in `requests`, so a test
can check what the client sent (paths, the Authorization header). Connections are kept alive, as
httpx expects of a real API; `hang_up` makes the server close connections without answering.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

REASONS = {200: "OK", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 500: "Internal Server Error"}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    """Percent-decoded, without the query."""
    query: dict[str, str]
    headers: dict[str, str]
    """Names lowercased."""


Answer = tuple[int, Any]
"""(status, JSON body)."""


class JsonServer:
    """Listens on 127.0.0.1 at a free port while the `async with` block runs."""

    def __init__(self) -> None:
        self.base_url = ""
        """`http://127.0.0.1:<port>`; set on entering."""
        self.requests: list[Request] = []
        self.hang_up = False
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    async def __aenter__(self) -> JsonServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        for connection in self._connections:
            connection.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = asyncio.current_task()
        assert connection is not None
        self._connections.add(connection)
        try:
            while await self._answer_one(reader, writer):
                pass
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client hung up
        finally:
            self._connections.discard(connection)
            writer.close()

    async def _answer_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answers one request; False when the connection is over."""
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
        request_line, *header_lines = head.removesuffix("\r\n\r\n").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in header_lines)
        }
        await reader.readexactly(int(headers.get("content-length", "0")))
        url = urlsplit(target)
        request = Request(method, unquote(url.path), dict(parse_qsl(url.query)), headers)
        self.requests.append(request)
        if self.hang_up:
            return False
        status, body = self.answer(request)
        payload = json.dumps(body).encode()
        writer.write(
            f"HTTP/1.1 {status} {REASONS.get(status, 'Error')}\r\n"
            "Content-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(payload)}\r\n\r\n".encode()
            + payload
        )
        await writer.drain()
        return True
