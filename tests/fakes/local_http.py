"""The part every local fake API shares: an HTTP/1.1 server on 127.0.0.1 at a free port for the
length of an `async with` block, and the reading of one request off a connection."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True)
class RawRequest:
    method: str
    target: str
    """The path and query, as sent."""
    headers: dict[str, str]
    """Names lowercased."""
    body: bytes


async def read_request(reader: asyncio.StreamReader) -> RawRequest:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    request_line, *header_lines = head.removesuffix("\r\n\r\n").split("\r\n")
    method, target, _ = request_line.split(" ", 2)
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in header_lines)
    }
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return RawRequest(method, target, headers, body)


class LocalHttpServer:
    """Subclasses answer a connection in `handle`; a client hanging up ends it quietly."""

    def __init__(self) -> None:
        self.base_url = ""
        """`http://127.0.0.1:<port>`; set on entering."""
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        # Answers still being written (a slow script, a client that gave up) end with the test.
        for connection in self._connections:
            connection.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = asyncio.current_task()
        assert connection is not None
        self._connections.add(connection)
        try:
            await self.handle(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client hung up; nothing left to answer
        finally:
            self._connections.discard(connection)
            writer.close()
