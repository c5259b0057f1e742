"""Anthropic's models through the official SDK's streaming Messages API, with tool use and prompt
caching. Its failures say whether asking again may help (ModelUnavailable) or not (ModelError)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import cast, get_args

import anthropic
from anthropic.lib.streaming import AsyncMessageStream, ParsedMessageStreamEvent
from anthropic.types import Message, MessageParam, TextBlockParam, ToolParam

from domain.entities import TokenUsage
from workers.agent.model import (
    ModelError,
    ModelRequest,
    ModelTurn,
    ModelUnavailable,
    OnText,
    StopReason,
    ToolCall,
)
from workers.providers.prompt_cache import marked_messages, system_blocks

BROKEN_STREAM = "The model's answer broke off; try again in a moment."
BROKE_OFF = "The model's answer broke off"
TOO_LONG = "The conversation has grown too long for the model."
UNHANDLED_STOPS = {"model_context_window_exceeded": TOO_LONG}
TRANSIENT_STATUSES = frozenset({408, 409, 429, 529})
"""Besides every 5xx: a request that timed out, collided, was rate limited or found the service
overloaded may succeed as it is a moment later (the SDK's own retry rule)."""


class AnthropicProvider:
    name = "anthropic"

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        max_retries: int = 0,
        timeout_seconds: float = 600,
        prompt_caching: bool = True,
    ) -> None:
        # No retries of the SDK's own by default: the agent retries a failed round itself
        # (workers/agent/retry.py), with a stage the tabs see, within the run's bounds, and a
        # stream that broke off midway too, which the SDK never retries.
        self.client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout_seconds
        )
        self.prompt_caching = prompt_caching

    async def reply(self, request: ModelRequest, on_text: OnText) -> ModelTurn:
        caching = self.prompt_caching
        try:
            async with self.client.messages.stream(
                model=request.model,
                max_tokens=request.max_tokens,
                system=cast(list[TextBlockParam], system_blocks(request.system, caching))
                if request.system
                else anthropic.omit,
                messages=cast(list[MessageParam], marked_messages(request.messages, caching)),
                tools=[
                    ToolParam(name=t.name, description=t.description, input_schema=t.input_schema)
                    for t in request.tools
                ]
                or anthropic.omit,
            ) as stream:
                final = await _read(stream, on_text)
        except anthropic.APIError as error:  # refused before streaming, or an `error` event mid-stream
            raise _model_error(error) from error
        return _turn(final)

    async def close(self) -> None:
        await self.client.close()


async def _read(stream: AsyncMessageStream[None], on_text: OnText) -> Message:
    """Hands each text delta to `on_text` as it arrives; returns the message the SDK assembled."""
    events = aiter(stream)
    first = await _next_event(events)
    if first is None or first.type != "message_start":
        raise ModelUnavailable(BROKEN_STREAM, waiting=BROKE_OFF)
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
        raise ModelUnavailable(BROKEN_STREAM, waiting=BROKE_OFF) from error


def _turn(final: Message) -> ModelTurn:
    reason = final.stop_reason
    if reason is None:  # the connection ended before the message did
        raise ModelUnavailable(BROKEN_STREAM, waiting=BROKE_OFF)
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
        usage=TokenUsage(
            input_tokens=final.usage.input_tokens,
            output_tokens=final.usage.output_tokens,
            cache_read_input_tokens=final.usage.cache_read_input_tokens or 0,
            cache_creation_input_tokens=final.usage.cache_creation_input_tokens or 0,
        ),
    )


def _model_error(error: anthropic.APIError) -> ModelError:
    """The failure with a sentence for the user. The SDK's own messages quote response bodies, so
    they are not shown."""
    if isinstance(error, anthropic.APITimeoutError):
        return ModelUnavailable(
            "The model service did not answer in time.", waiting="The model service is slow to answer"
        )
    if isinstance(error, anthropic.APIConnectionError):
        return ModelUnavailable(
            "The model service could not be reached.", waiting="The model service could not be reached"
        )
    if not isinstance(error, anthropic.APIStatusError):
        return ModelUnavailable(BROKEN_STREAM, waiting=BROKE_OFF)
    status, retry_after = error.status_code, _retry_after(error.response.headers)
    # An `error` event arrives on a stream that began with 200, so its type says more than its status.
    if status == 529 or error.type == "overloaded_error":
        return ModelUnavailable(
            "The model service is overloaded; try again in a moment.",
            waiting="The model is busy",
            retry_after=retry_after,
        )
    if status == 429 or error.type == "rate_limit_error":
        return ModelUnavailable(
            "The model service is rate limiting us; try again in a moment.",
            waiting="The model is busy",
            retry_after=retry_after,
        )
    if status in (401, 403):
        return ModelError("The model service refused our credentials.")
    if status == 413 or (status == 400 and "too long" in error.message):
        return ModelError(TOO_LONG)
    if status == 200:
        return ModelUnavailable(BROKEN_STREAM, waiting=BROKE_OFF)
    if status in TRANSIENT_STATUSES or status >= 500:
        return ModelUnavailable(
            f"The model service answered {status}.",
            waiting="The model service had a problem",
            retry_after=retry_after,
        )
    return ModelError(f"The model service answered {status}.")


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """The wait the answer asks for: `retry-after-ms`, else `retry-after` in seconds (a date there
    is not honoured: our own backoff applies)."""
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            continue
    return None
