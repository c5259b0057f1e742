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

from tests.fakes.local_http import LocalHttpServer, read_request

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


class JsonServer(LocalHttpServer):
    """Listens on 127.0.0.1 at a free port while the `async with` block runs."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[Request] = []
        self.hang_up = False

    def answer(self, request: Request) -> Answer:
        raise NotImplementedError

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while await self._answer_one(reader, writer):
            pass

    async def _answer_one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        """Answers one request; False when the connection is over."""
        raw = await read_request(reader)
        url = urlsplit(raw.target)
        request = Request(raw.method, unquote(url.path), dict(parse_qsl(url.query)), raw.headers)
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
