"""Anthropic's models through the official SDK's streaming Messages API, with tool use."""

from __future__ import annotations

from typing import Any, cast

import anthropic

from workers.agent.model import ModelError, ModelRequest, ModelTurn, OnText, StopReason, ToolCall

STOP_REASONS: frozenset[str] = frozenset(
    {"end_turn", "tool_use", "max_tokens", "stop_sequence", "pause_turn", "refusal"}
)


class AnthropicProvider:
    name = "anthropic"

    def __init__(
        self,
        api_key: str,
        base_url: str | None = None,
        max_retries: int = 2,
        timeout_seconds: float = 600.0,
    ) -> None:
        self.client = anthropic.AsyncAnthropic(
            api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout_seconds
        )

    async def reply(self, request: ModelRequest, on_text: OnText) -> ModelTurn:
        try:
            async with self.client.messages.stream(
                model=request.model,
                max_tokens=request.max_tokens,
                system=request.system,
                messages=cast(Any, [{"role": m.role, "content": m.content} for m in request.messages]),
                tools=cast(
                    Any,
                    [
                        {"name": t.name, "description": t.description, "input_schema": t.input_schema}
                        for t in request.tools
                    ],
                ),
            ) as stream:
                async for event in stream:
                    if event.type == "text":
                        await on_text(event.text)
                final = await stream.get_final_message()
        except anthropic.APIStatusError as error:
            raise ModelError(_status_message(error.status_code, error.body)) from error
        except anthropic.APITimeoutError as error:
            raise ModelError("The model service did not answer in time.") from error
        except anthropic.APIConnectionError as error:
            raise ModelError("The model service could not be reached.") from error
        except anthropic.APIError as error:  # a stream that broke in a way the SDK has no class for
            raise ModelError(_status_message(200, error.body)) from error
        text = "".join(block.text for block in final.content if block.type == "text")
        calls = [
            ToolCall(id=block.id, name=block.name, input=dict(cast(dict[str, Any], block.input)))
            for block in final.content
            if block.type == "tool_use"
        ]
        reason = final.stop_reason if final.stop_reason in STOP_REASONS else "end_turn"
        return ModelTurn(
            text=text,
            tool_calls=calls,
            stop_reason=cast(StopReason, reason),
            input_tokens=final.usage.input_tokens,
            output_tokens=final.usage.output_tokens,
        )

    async def close(self) -> None:
        await self.client.close()


def _status_message(status: int, body: object) -> str:
    """A sentence for the user; an `error` event mid-stream arrives with the stream's status 200."""
    detail = body.get("error", body) if isinstance(body, dict) else None
    kind = detail.get("type") if isinstance(detail, dict) else None
    if status == 529 or kind == "overloaded_error":
        return "The model service is overloaded; try again in a moment."
    if status == 429 or kind == "rate_limit_error":
        return "The model service is rate limiting us; try again in a moment."
    if status in (401, 403):
        return "The model service refused our credentials."
    if status == 200:
        return "The model's answer broke off."
    return f"The model service answered {status}."
