"""A local server speaking the Messages API's streaming wire format, scripted per test, so the
real `anthropic` SDK (which talks through httpx2, out of respx's reach) can be driven end to end.

    async with FakeAnthropic() as fake:
        fake.script(
            Reply(text=["Hel", "lo"], tools=[("toolu_1", "readFiles", {"files": ["a"]})]),
            Reply(status=529),
        )
        provider = AnthropicProvider(api_key="test", base_url=fake.base_url, max_retries=0)
        ...
        assert fake.requests[0]["system"] == "You build apps."

Each `POST /v1/messages` takes the next scripted reply, in order; an unscripted one gets a 500.
Every such request's JSON body lands in `requests`, and its headers (names lowercased) in `headers`.

Usage is reported as the real API reports it, in `message_start` and again in `message_delta`:
unless a reply scripts its own figures, the input tokens are counted from the request, and the
prompt cache is played by its documented rules (tests/fakes/prompt_cache.py). With
`max_request_tokens`, a larger request is refused as the API refuses a prompt too long (400), and
counted in `oversized`: tests assert that none was.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.local_http import LocalHttpServer, read_request
from tests.fakes.prompt_cache import InputUsage, PromptCache, count_tokens

ToolUse = tuple[str, str, dict[str, Any]]
"""(id, name, input) of one tool_use block."""

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
}
OVERLOADED_EVENT = {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
JSON_PIECE_LENGTH = 7
"""Tool inputs arrive in pieces this long, so clients must assemble them as the real API requires."""


@dataclass
class Reply:
    """One scripted answer: a stream of text then tool calls, or an HTTP error."""

    text: list[str] = field(default_factory=list)
    """The text block's pieces, one `text_delta` each."""
    tools: list[ToolUse] = field(default_factory=list)
    """Each a tool_use block whose input arrives in several `input_json_delta`s."""
    stop_reason: str | None = None
    """Defaults to tool_use when there are tools, else end_turn."""
    fail_after: int | None = None
    """Send an `error` event (overloaded) after this many text pieces, and end the stream."""
    cut_after: int | None = None
    """Hang up after this many text pieces, with neither an `error` event nor `message_stop`."""
    cut_after_events: int | None = None
    """Hang up after this many events, wherever the stream is then."""
    drop: bool = False
    """Hang up without answering at all (a connection dropped)."""
    status: int | None = None
    """Answer this HTTP status with an API error body instead of a stream."""
    retry_after: float | None = None
    """With `status`: the `retry-after` header (seconds) of the answer."""
    delay_seconds: float = 0.0
    """Pause after each event, so streaming is observable."""
    hold: asyncio.Event | None = None
    """Pause after the first text piece until the test sets this (the model is slow there)."""
    input_tokens: int | None = None
    """Scripted input tokens (and no cache figures); None: counted from the request."""
    output_tokens: int = 17


class FakeAnthropic(LocalHttpServer):
    """The server, listening on 127.0.0.1 at a free port while the `async with` block runs; its
    `base_url` is the SDK's."""

    def __init__(self, max_request_tokens: int | None = None, prompt_cache: bool = True) -> None:
        super().__init__()
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.request_tokens: list[int] = []
        """Each request's input tokens, as this server counts them."""
        self.usages: list[InputUsage] = []
        """The input usage reported for each streamed reply."""
        self.oversized: list[int] = []
        """The token counts of requests refused for passing `max_request_tokens`."""
        self.first_text_sent: list[float] = []
        """`time.monotonic()` when each stream's first text piece was written (benchmarks)."""
        self.max_request_tokens = max_request_tokens
        self.prompt_cache = prompt_cache
        """Whether the cache answers the requests' marks (off: marks are ignored, as by a model
        that has no cache)."""
        self._cache = PromptCache()
        self._replies: list[Reply] = []
        self._message_ids = itertools.count(1)

    def script(self, *replies: Reply) -> None:
        """Queues replies for the next requests, after any still queued."""
        self._replies.extend(replies)

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await read_request(reader)
        if (request.method, request.target.partition("?")[0]) != ("POST", "/v1/messages"):
            await _error(
                writer, 404, f"The fake serves only POST /v1/messages, not {request.method} {request.target}."
            )
            return
        body = json.loads(request.body)
        self.requests.append(body)
        self.headers.append(request.headers)
        self.request_tokens.append(tokens := count_tokens(body))
        if not body.get("stream"):
            await _error(writer, 400, "The fake answers only streaming requests (stream: true).")
        elif self.max_request_tokens is not None and tokens > self.max_request_tokens:
            self.oversized.append(tokens)
            too_long = f"prompt is too long: {tokens} tokens > {self.max_request_tokens} maximum"
            await _error(writer, 400, too_long)
        elif not self._replies:
            await _error(writer, 500, "No reply was scripted for this request.")
        elif (reply := self._replies.pop(0)).status is not None:
            await _error(writer, reply.status, f"Scripted answer {reply.status}.", reply.retry_after)
        elif not reply.drop:
            events = _Events(writer, reply.delay_seconds, reply.cut_after_events)
            with contextlib.suppress(_HungUp):
                await self._stream(events, reply, body)

    def _usage(self, reply: Reply, body: dict[str, Any]) -> dict[str, int]:
        if reply.input_tokens is not None:
            usage = InputUsage(input_tokens=reply.input_tokens)
        else:
            usage = self._cache.usage(body, self.prompt_cache)
        self.usages.append(usage)
        return {
            "input_tokens": usage.input_tokens,
            "cache_read_input_tokens": usage.cache_read_input_tokens,
            "cache_creation_input_tokens": usage.cache_creation_input_tokens,
        }

    async def _stream(self, events: _Events, reply: Reply, body: dict[str, Any]) -> None:
        usage = self._usage(reply, body)
        await events.open()
        await events.send(
            {
                "type": "message_start",
                "message": {
                    "id": f"msg_fake_{next(self._message_ids)}",
                    "type": "message",
                    "role": "assistant",
                    "model": self.requests[-1].get("model", "fake"),
                    "content": [],
                    "stop_reason": None,
                    "stop_sequence": None,
                    "usage": {**usage, "output_tokens": 1},
                },
            }
        )
        await events.send({"type": "ping"})
        index = 0
        if reply.text:
            await events.send(
                {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}}
            )
        for sent, piece in enumerate(reply.text):
            if await _breaks_off(events, reply, sent):
                return
            if sent == 0:
                self.first_text_sent.append(time.monotonic())
            elif sent == 1 and reply.hold is not None:
                await reply.hold.wait()
            await events.send(
                {
                    "type": "content_block_delta",
                    "index": index,
                    "delta": {"type": "text_delta", "text": piece},
                }
            )
        if await _breaks_off(events, reply, len(reply.text)):
            return
        if reply.text:
            await events.send({"type": "content_block_stop", "index": index})
            index += 1
        for tool_id, name, tool_input in reply.tools:
            await _tool_use_block(events, index, tool_id, name, tool_input)
            index += 1
        await events.send(
            {
                "type": "message_delta",
                "delta": {
                    "stop_reason": reply.stop_reason or ("tool_use" if reply.tools else "end_turn"),
                    "stop_sequence": None,
                },
                "usage": {**usage, "output_tokens": reply.output_tokens},
            }
        )
        await events.send({"type": "message_stop"})


class _HungUp(Exception):
    """The scripted stream hung up here."""


class _Events:
    """Writes one response's server-sent events."""

    def __init__(
        self, writer: asyncio.StreamWriter, delay_seconds: float, cut_after_events: int | None = None
    ) -> None:
        self.writer = writer
        self.delay_seconds = delay_seconds
        self.cut_after_events = cut_after_events
        self.sent = 0

    async def open(self) -> None:
        # No length and no chunking: the body ends when the connection closes, as HTTP/1.1 allows.
        self.writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
            b"Cache-Control: no-cache\r\nRequest-Id: req_fake\r\nConnection: close\r\n\r\n"
        )
        await self.writer.drain()

    async def send(self, data: dict[str, Any]) -> None:
        """One event, named, as every Messages event is, by its data's `type`."""
        if self.sent == self.cut_after_events:
            raise _HungUp()
        self.sent += 1
        self.writer.write(f"event: {data['type']}\ndata: {json.dumps(data)}\n\n".encode())
        await self.writer.drain()
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)


async def _breaks_off(events: _Events, reply: Reply, pieces_sent: int) -> bool:
    """Whether the stream ends here as scripted: with an `error` event, or by hanging up."""
    if pieces_sent == reply.fail_after:
        await events.send(OVERLOADED_EVENT)
        return True
    return pieces_sent == reply.cut_after


async def _tool_use_block(
    events: _Events, index: int, tool_id: str, name: str, tool_input: dict[str, Any]
) -> None:
    await events.send(
        {
            "type": "content_block_start",
            "index": index,
            "content_block": {"type": "tool_use", "id": tool_id, "name": name, "input": {}},
        }
    )
    encoded = json.dumps(tool_input)
    # The real API opens with an empty piece before the JSON itself.
    pieces = [
        "",
        *(encoded[start : start + JSON_PIECE_LENGTH] for start in range(0, len(encoded), JSON_PIECE_LENGTH)),
    ]
    for piece in pieces:
        await events.send(
            {
                "type": "content_block_delta",
                "index": index,
                "delta": {"type": "input_json_delta", "partial_json": piece},
            }
        )
    await events.send({"type": "content_block_stop", "index": index})


async def _error(
    writer: asyncio.StreamWriter, status: int, message: str, retry_after: float | None = None
) -> None:
    """An API error answer, shaped as Anthropic's: the SDK reads `error.type` from it."""
    body = json.dumps(
        {
            "type": "error",
            "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message},
            "request_id": "req_fake",
        }
    ).encode()
    wait = "" if retry_after is None else f"Retry-After: {retry_after:g}\r\n"
    writer.write(
        f"HTTP/1.1 {status} Error\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        f"Request-Id: req_fake\r\n{wait}Connection: close\r\n\r\n".encode()
        + body
    )
    await writer.drain()
