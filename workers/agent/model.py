"""What the code agent says to a model and hears back, independent of any vendor's SDK.

The conversation uses the Messages API's shapes (role + content blocks) as its lingua franca:
it is the richest of the formats we speak, and the offline provider reads it just as well.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Literal, Protocol

import msgspec

from domain.entities import TokenUsage

ContentBlock = dict[str, Any]
"""`{"type": "text", "text": …}`, `{"type": "image", "source": …}`, `{"type": "tool_use", …}`,
`{"type": "tool_result", …}` exactly as the Messages API defines them."""

StopReason = Literal["end_turn", "tool_use", "max_tokens", "stop_sequence", "pause_turn", "refusal"]

OFFLINE_PROVIDER = "offline"
"""The name of the provider that needs no key (workers/providers/offline.py)."""


class ChatMessage(msgspec.Struct, frozen=True, kw_only=True):
    role: Literal["user", "assistant"]
    content: list[ContentBlock]


class ToolSpec(msgspec.Struct, frozen=True, kw_only=True):
    name: str
    description: str
    input_schema: dict[str, Any]


class ModelRequest(msgspec.Struct, frozen=True, kw_only=True):
    model: str
    system: str
    messages: list[ChatMessage]
    tools: list[ToolSpec]
    max_tokens: int


class ToolCall(msgspec.Struct, frozen=True, kw_only=True):
    id: str
    name: str
    input: dict[str, Any]


class ModelTurn(msgspec.Struct, frozen=True, kw_only=True):
    """One complete reply: its text, the tools it calls, why it stopped, what it cost."""

    text: str
    tool_calls: list[ToolCall]
    stop_reason: StopReason
    usage: TokenUsage = TokenUsage()
    declined: bool = False
    """The model says it cannot do what was asked (the offline demo model, for a change it does
    not know how to make): such a run costs nothing."""

    def as_message(self) -> ChatMessage:
        """The reply as the assistant turn of the next request."""
        blocks: list[ContentBlock] = [{"type": "text", "text": self.text}] if self.text else []
        blocks += [
            {"type": "tool_use", "id": c.id, "name": c.name, "input": c.input} for c in self.tool_calls
        ]
        return ChatMessage(role="assistant", content=blocks)


OnText = Callable[[str], Awaitable[None]]
"""Receives each piece of the reply's text the moment the model produces it."""


class ModelError(Exception):
    """The model could not answer, and asking again the same way would not help (refused request,
    refused credentials, a conversation too long): not the user's fault."""


class ModelUnavailable(ModelError):
    """The model could not answer this time (overloaded, rate limited, a server error, a stream
    cut off, a connection dropped): the same request may well succeed in a moment."""

    def __init__(self, message: str, *, waiting: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.waiting = waiting
        """Why the run waits, for the stage tabs show: "The model is busy"."""
        self.retry_after = retry_after
        """Seconds the service asked us to wait (`retry-after`), when it said."""


class ModelProvider(Protocol):
    name: str
    """Recorded in the fragment's metadata: `anthropic`, `offline`."""

    async def reply(self, request: ModelRequest, on_text: OnText) -> ModelTurn:
        """Streams one reply, handing its text to `on_text` as it arrives; raises ModelUnavailable
        when asking again may help, ModelError when it would not."""
        ...
