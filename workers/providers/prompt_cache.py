"""Where a request to Anthropic's Messages API marks its prompt-cache breakpoints.

The API caches a request's prefix, in the order tools, system, messages, up to each content block
marked with `cache_control`; a later request that begins with the same prefix reads it from the
cache at a tenth of the price instead of reading it afresh. A request may carry at most 4 marks,
and a mark finds an earlier entry only within about 20 blocks before it. So a request of the agent
marks:

1. the system prompt, which covers the tools before it: the same for every call of every run;
2. the project's restored files, marked where the conversation is built (`workers/agent/prompts.py`):
   the same for every call of one run;
3. the end of the previous call's conversation: exactly where that call left its last mark, so
   this call reads all of it whatever the number of blocks in between;
4. the end of this call's conversation, for the next call to read.
"""

from __future__ import annotations

from typing import Any

from workers.agent.model import ChatMessage, ContentBlock

EPHEMERAL = {"type": "ephemeral"}
MAX_BREAKPOINTS = 4
MARK = "cache_control"


def system_blocks(system: str, caching: bool) -> list[dict[str, Any]]:
    block: dict[str, Any] = {"type": "text", "text": system}
    if caching:
        block[MARK] = EPHEMERAL
    return [block]


def marked_messages(messages: list[ChatMessage], caching: bool) -> list[dict[str, Any]]:
    """The messages as the API takes them. With caching: the marks the conversation carries, then
    the ends of the previous call and of this one, as many as the limit leaves room for (the
    system prompt has one). Without: no mark at all."""
    if not caching:
        return [{"role": m.role, "content": [_unmarked(block) for block in m.content]} for m in messages]
    carried = sum(1 for m in messages for block in m.content if MARK in block)
    room = MAX_BREAKPOINTS - 1 - carried
    ends = [i for i in (len(messages) - 1, _previous_call_end(messages)) if i is not None][: max(room, 0)]
    return [
        {"role": m.role, "content": _mark_last(m.content) if i in ends else list(m.content)}
        for i, m in enumerate(messages)
    ]


def _previous_call_end(messages: list[ChatMessage]) -> int | None:
    """The last message of the previous call's conversation: the user message before the latest
    assistant turn (a call appends that turn and the user message answering it)."""
    assistants = [i for i, m in enumerate(messages) if m.role == "assistant"]
    if not assistants or assistants[-1] == 0:
        return None
    return assistants[-1] - 1


def _mark_last(content: list[ContentBlock]) -> list[ContentBlock]:
    if not content or MARK in content[-1]:
        return list(content)
    return [*content[:-1], {**content[-1], MARK: EPHEMERAL}]


def _unmarked(block: ContentBlock) -> ContentBlock:
    return {k: v for k, v in block.items() if k != MARK} if MARK in block else block
