"""Anthropic's models through the official SDK's streaming Messages API, with tool use."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import cast, get_args

import anthropic
from anthropic.lib.streaming import AsyncMessageStream, ParsedMessageStreamEvent
from anthropic.types import Message, MessageParam, ToolParam

from workers.agent.model import ModelError, ModelRequest, ModelTurn, OnText, StopReason, ToolCall

BROKEN_STREAM = "The model's answer broke off; try again in a moment."
UNHANDLED_STOPS = {
    "model_context_window_exceeded": "The conversation has grown too long for the model.",
}


class AnthropicProvider:
    name = "anthropic"

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout_seconds: float = 600,
    ) -> None:
        self.client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout_seconds
        )

    async def reply(self, request: ModelRequest, on_text: OnText) -> ModelTurn:
        try:
            async with self.client.messages.stream(
                model=request.model,
                max_tokens=request.max_tokens,
                system=request.system or anthropic.omit,
                messages=cast(
                    list[MessageParam], [{"role": m.role, "content": m.content} for m in request.messages]
                ),
                tools=[
                    ToolParam(name=t.name, description=t.description, input_schema=t.input_schema)
                    for t in request.tools
                ]
                or anthropic.omit,
            ) as stream:
                final = await _read(stream, on_text)
        except anthropic.APIError as error:  # refused before streaming, or an `error` event mid-stream
            raise ModelError(_describe(error)) from error
        return _turn(final)

    async def close(self) -> None:
        await self.client.close()


async def _read(stream: AsyncMessageStream[None], on_text: OnText) -> Message:
    """Hands each text delta to `on_text` as it arrives; returns the message the SDK assembled."""
    events = aiter(stream)
    first = await _next_event(events)
    if first is None or first.type != "message_start":
        raise ModelError(BROKEN_STREAM)
    while (event := await _next_event(events)) is not None:
        if event.type == "text":
            await on_text(event.text)
    return await stream.get_final_message()


async def _next_event(
    events: AsyncIterator[ParsedMessageStreamEvent[None]],
) -> ParsedMessageStreamEvent[None] | None:
    """The stream's next event, or None at its end.

    Only reading the stream is guarded here, not `on_text`: the caller's own failures must stay theirs.
    A stream the SDK cannot make sense of fails in the SDK's internals (ValueError for broken JSON,
    AssertionError for events out of order, httpx2's errors for a dropped connection), hence `Exception`.
    """
    try:
        return await anext(events)
    except StopAsyncIteration:
        return None
    except anthropic.APIError:
        raise
    except Exception as error:
        raise ModelError(BROKEN_STREAM) from error


def _turn(final: Message) -> ModelTurn:
    reason = final.stop_reason
    if reason is None:  # the connection ended before the message did
        raise ModelError(BROKEN_STREAM)
    if reason not in get_args(StopReason):
        raise ModelError(
            UNHANDLED_STOPS.get(reason, f"The model stopped for a reason we cannot handle: {reason}.")
        )
    return ModelTurn(
        text="".join(block.text for block in final.content if block.type == "text"),
        tool_calls=[
            ToolCall(id=block.id, name=block.name, input=block.input)
            for block in final.content
            if block.type == "tool_use"
        ],
        stop_reason=cast(StopReason, reason),
        input_tokens=final.usage.input_tokens,
        output_tokens=final.usage.output_tokens,
    )


def _describe(error: anthropic.APIError) -> str:
    """A sentence for the user. The SDK's own messages quote response bodies, so they are not shown."""
    if isinstance(error, anthropic.APITimeoutError):
        return "The model service did not answer in time."
    if isinstance(error, anthropic.APIConnectionError):
        return "The model service could not be reached."
    if not isinstance(error, anthropic.APIStatusError):
        return BROKEN_STREAM
    # An `error` event arrives on a stream that began with 200, so its type says more than its status.
    if error.status_code == 529 or error.type == "overloaded_error":
        return "The model service is overloaded; try again in a moment."
    if error.status_code == 429 or error.type == "rate_limit_error":
        return "The model service is rate limiting us; try again in a moment."
    if error.status_code in (401, 403):
        return "The model service refused our credentials."
    if error.status_code == 200:
        return BROKEN_STREAM
    return f"The model service answered {error.status_code}."
