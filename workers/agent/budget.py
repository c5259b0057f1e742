"""The context budget: no request carries more than its model's budget of input tokens, so the
model service never refuses one for its size.

Tokens are estimated from the request's JSON bytes, on the safe side. When a run's conversation
outgrows the budget it is trimmed, oldest first, until it is well under it (TRIM_TO), so that the
trimmed conversation then stays the same, and so cached, for several rounds:

1. the bulk of older rounds: the contents of files the model wrote, long tool results (the
   model can read the files again);
2. earlier turns of the project's conversation, replaced by a note of what the person asked;
3. whole older rounds.

The latest round stays whole: the model needs its results. A conversation that still does not fit
fails the run as too long (ContextTooLong), before any request is made.
"""

from __future__ import annotations

from typing import Any

import msgspec

from workers.agent.model import ChatMessage, ContentBlock, ModelError
from workers.agent.prompts import FILES_BUDGET_CHARS
from workers.agent.tools import READ_LIMIT

BYTES_PER_TOKEN = 3
"""Anthropic's tokenizer reads about 3.5 to 4 characters of English or code per token: 3 bytes
keeps the estimate above the count the service makes."""
IMAGE_TOKENS = 1_600
"""The service scales an image down to about 1.15 megapixels, which costs about 1,600 tokens."""
SHARE = 0.25
"""Of the budget, what the restored files may take, and what one readFiles answer may."""
TRIM_TO = 0.75
ELIDE_CHARS = 300
"""Strings of older rounds longer than this are left out; shorter ones (paths, names) stay."""
KEPT_CHARS = 160
EARLIER_NOTE = "Earlier turns of this conversation were left out for length. The person had asked for:"
NOTED_REQUESTS = 10
TOO_LONG = "The conversation has grown too long for the model, even with its older parts left out."


class ContextTooLong(ModelError):
    def __init__(self) -> None:
        super().__init__(TOO_LONG)


def files_chars(budget: int) -> int:
    """Characters of restored files the first request inlines."""
    return min(FILES_BUDGET_CHARS, int(budget * BYTES_PER_TOKEN * SHARE))


def read_chars(budget: int) -> int:
    """Characters of file contents one readFiles answers with."""
    return min(READ_LIMIT, int(budget * BYTES_PER_TOKEN * SHARE))


def estimate_tokens(value: object) -> int:
    """Tokens of any JSON value (a system prompt, the tools, a message), estimated from its bytes."""
    if isinstance(value, ChatMessage):
        return sum(_block_tokens(block) for block in value.content)
    return -(-len(msgspec.json.encode(value)) // BYTES_PER_TOKEN)


def conversation_tokens(conversation: list[ChatMessage]) -> int:
    return sum(estimate_tokens(m) for m in conversation)


def fit(
    conversation: list[ChatMessage], opening: int, fixed_tokens: int, budget: int
) -> tuple[list[ChatMessage], int]:
    """The conversation within `budget` tokens together with the request's fixed part (system
    prompt, tools), and how many of its messages still come before the run's rounds (`opening`:
    earlier turns and the request). Raises ContextTooLong when it cannot be made to fit."""
    if conversation_tokens(conversation) + fixed_tokens <= budget:
        return conversation, opening
    target = int(budget * TRIM_TO) - fixed_tokens
    for step in (_elide_oldest_round, _drop_oldest_turns, _drop_oldest_round):
        while conversation_tokens(conversation) > target:
            trimmed = step(conversation, opening)
            if trimmed is None:
                break
            conversation, opening = trimmed
    if conversation_tokens(conversation) + fixed_tokens > budget:
        raise ContextTooLong()
    return conversation, opening


Trim = tuple[list[ChatMessage], int] | None


def _latest_round(conversation: list[ChatMessage], opening: int) -> int:
    """Where the latest round begins: its assistant message (the end, when there is none yet)."""
    assistants = [i for i in range(opening, len(conversation)) if conversation[i].role == "assistant"]
    return assistants[-1] if assistants else len(conversation)


def _elide_oldest_round(conversation: list[ChatMessage], opening: int) -> Trim:
    for index in range(opening, _latest_round(conversation, opening)):
        message = conversation[index]
        slim = [_elided(block) for block in message.content]
        if slim != message.content:
            trimmed = list(conversation)
            trimmed[index] = ChatMessage(role=message.role, content=slim)
            return trimmed, opening
    return None


def _drop_oldest_turns(conversation: list[ChatMessage], opening: int) -> Trim:
    """Drops the oldest earlier turn (a person's message and the answer to it) and notes what the
    person had asked in the first message left. The request itself is never dropped."""
    if opening < 3:  # the request alone, or the request after a note
        return None
    asked = [*_noted(conversation[0]), _gist(conversation[0])]
    rest = conversation[2:]
    first = rest[0]
    kept = [b for b in first.content if not _is_note(b)]
    note: ContentBlock = {"type": "text", "text": _note(asked)}
    return [ChatMessage(role=first.role, content=[note, *kept]), *rest[1:]], opening - 2


def _drop_oldest_round(conversation: list[ChatMessage], opening: int) -> Trim:
    if opening + 1 >= _latest_round(conversation, opening):
        return None
    return [*conversation[:opening], *conversation[opening + 2 :]], opening


def _elided(block: ContentBlock) -> ContentBlock:
    if block.get("type") == "tool_use":
        return {**block, "input": _slim(block.get("input"))}
    if block.get("type") == "tool_result" and isinstance(block.get("content"), str):
        return {**block, "content": _shortened(block["content"])}
    return block


def _slim(value: Any) -> Any:
    """The value with its long strings (file contents) replaced by a line saying so."""
    if isinstance(value, str) and len(value) > ELIDE_CHARS:  # what replaces it is shorter: done once
        return f"({len(value)} characters, left out here for length)"
    if isinstance(value, dict):
        return {k: _slim(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_slim(v) for v in value]
    return value


def _shortened(text: str) -> str:
    if len(text) <= ELIDE_CHARS:
        return text
    return (
        f"{text[:KEPT_CHARS]}… ({len(text) - KEPT_CHARS} more characters left out here for length; "
        "read the files again for their current content)"
    )


def _block_tokens(block: ContentBlock) -> int:
    return IMAGE_TOKENS if block.get("type") == "image" else estimate_tokens(block)


def _is_note(block: ContentBlock) -> bool:
    return block.get("type") == "text" and str(block.get("text", "")).startswith(EARLIER_NOTE)


def _noted(message: ChatMessage) -> list[str]:
    """The requests a note at the start of `message` lists."""
    notes = [str(b["text"]) for b in message.content if _is_note(b)]
    if not notes:
        return []
    return [line.removeprefix("- ") for line in notes[0].splitlines()[1:] if line.startswith("- ")]


def _gist(message: ChatMessage) -> str:
    """What a person's message asked, on one short line."""
    text = " ".join(
        str(b.get("text", "")) for b in message.content if b.get("type") == "text" and not _is_note(b)
    )
    line = " ".join(text.split())
    return line if len(line) <= KEPT_CHARS else line[: KEPT_CHARS - 1] + "…"


def _note(asked: list[str]) -> str:
    latest = [a for a in asked if a][-NOTED_REQUESTS:]
    return "\n".join([EARLIER_NOTE, *(f"- {a}" for a in latest)])
