"""A local server speaking the Messages API's streaming wire format, scripted per test, so the
real `anthropic` SDK (which talks through httpx2, out of respx's reach) can be driven end to end.

    async with FakeAnthropic() as fake:
        fake.script(Reply(text=["Hel", "lo"], tools=[("toolu_1", "readFiles", {"files": ["a"]})]))
        provider = AnthropicProvider(api_key="test", base_url=fake.base_url, max_retries=0)

Each request takes the next scripted reply; an unscripted request gets a 500.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

ToolUse = tuple[str, str, dict[str, Any]]


@dataclass
class Reply:
    text: list[str] = field(default_factory=list)
    """The text block's pieces, one `text_delta` each."""
    tools: list[ToolUse] = field(default_factory=list)
    """(id, name, input): each a tool_use block whose input arrives in several `input_json_delta`s."""
    stop_reason: str | None = None
    """Defaults to tool_use when there are tools, else end_turn."""
    fail_after: int | None = None
    """Send an `error` event (overloaded) after this many text pieces, and end the stream."""
    status: int | None = None
    """Answer this HTTP status with an API error body instead of a stream."""
    delay_seconds: float = 0.0
    """Pause between events, so streaming is observable."""


class FakeAnthropic:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.first_text_sent: list[float] = []
        """`time.monotonic()` when each stream's first text piece was written (benchmarks)."""
        self.headers: list[dict[str, str]] = []
        self._replies: list[Reply] = []
        self._server: asyncio.Server | None = None
        self.base_url = ""

    def script(self, *replies: Reply) -> None:
        self._replies.extend(replies)

    async def __aenter__(self) -> FakeAnthropic:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *_: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode()
            lines = head.split("\r\n")
            headers = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in lines[1:] if line)
            }
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            self.headers.append(headers)
            self.requests.append(json.loads(body or b"{}"))
            reply = self._replies.pop(0) if self._replies else Reply(status=500)
            if reply.status is not None:
                await self._error(writer, reply.status)
            else:
                await self._stream(writer, reply)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _error(self, writer: asyncio.StreamWriter, status: int) -> None:
        kind = {529: "overloaded_error", 429: "rate_limit_error", 401: "authentication_error"}.get(
            status, "api_error"
        )
        body = json.dumps({"type": "error", "error": {"type": kind, "message": kind}}).encode()
        writer.write(
            f"HTTP/1.1 {status} Error\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
            "Connection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()

    async def _stream(self, writer: asyncio.StreamWriter, reply: Reply) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n"
            b"Connection: close\r\n\r\n"
        )

        async def send(event: str, data: dict[str, Any]) -> None:
            writer.write(f"event: {event}\ndata: {json.dumps(data)}\n\n".encode())
            await writer.drain()
            if reply.delay_seconds:
                await asyncio.sleep(reply.delay_seconds)

        await send(
            "message_start",
            {
                "type": "message_start",
                "message": {
                    "id": "msg_fake",
                    "type": "message",
                    "role": "assistant",
                    "model": self.requests[-1].get("model", "fake"),
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {"input_tokens": 42, "output_tokens": 1},
                },
            },
        )
        await send("ping", {"type": "ping"})
        index = 0
        if reply.text:
            await send(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "text", "text": ""},
                },
            )
            for number, piece in enumerate(reply.text):
                if reply.fail_after is not None and number == reply.fail_after:
                    await send(
                        "error",
                        {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
                    )
                    return
                if number == 0:
                    self.first_text_sent.append(time.monotonic())
                await send(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "text_delta", "text": piece},
                    },
                )
            await send("content_block_stop", {"type": "content_block_stop", "index": index})
            index += 1
        for tool_id, name, tool_input in reply.tools:
            await send(
                "content_block_start",
                {
                    "type": "content_block_start",
                    "index": index,
                    "content_block": {"type": "tool_use", "id": tool_id, "name": name, "input": {}},
                },
            )
            encoded = json.dumps(tool_input)
            for start in range(0, len(encoded), 7):  # the input arrives in small pieces
                await send(
                    "content_block_delta",
                    {
                        "type": "content_block_delta",
                        "index": index,
                        "delta": {"type": "input_json_delta", "partial_json": encoded[start : start + 7]},
                    },
                )
            await send("content_block_stop", {"type": "content_block_stop", "index": index})
            index += 1
        stop = reply.stop_reason or ("tool_use" if reply.tools else "end_turn")
        await send(
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": stop, "stop_sequence": None},
                "usage": {"output_tokens": 17},
            },
        )
        await send("message_stop", {"type": "message_stop"})
