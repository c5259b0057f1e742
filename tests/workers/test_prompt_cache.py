"""Where a request marks its prompt-cache breakpoints, as the Messages API receives them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.anthropic_server import FakeAnthropic, Reply
from workers.agent.model import ChatMessage, ModelRequest, ToolSpec
from workers.providers.anthropic import AnthropicProvider

EPHEMERAL = {"type": "ephemeral"}
FILES = {"type": "text", "text": "The project's current files: …", "cache_control": EPHEMERAL}
CALL = {"type": "tool_use", "id": "t1", "name": "readFiles", "input": {"files": ["a.js"]}}
RESULT = {"type": "tool_result", "tool_use_id": "t1", "content": "--- a.js\n1"}
TOOLS = [ToolSpec(name="readFiles", description="Read files.", input_schema={"type": "object"})]


def request(*messages: ChatMessage) -> ModelRequest:
    return ModelRequest(
        model="m", system="You build apps.", messages=list(messages), tools=TOOLS, max_tokens=99
    )


def user(*blocks: dict) -> ChatMessage:
    return ChatMessage(role="user", content=list(blocks))


def assistant(*blocks: dict) -> ChatMessage:
    return ChatMessage(role="assistant", content=list(blocks))


def text(value: str) -> dict:
    return {"type": "text", "text": value}


def marked(body: dict) -> list[str]:
    """Where the request's marks are: `system`, or `message <index> block <index>`."""
    places = ["system" for block in body["system"] if "cache_control" in block]
    for m, message in enumerate(body["messages"]):
        places += [
            f"message {m} block {b}" for b, block in enumerate(message["content"]) if "cache_control" in block
        ]
    return places


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        server.script(Reply(text=["ok"]))
        yield server


async def sent(fake: FakeAnthropic, caching: bool, *messages: ChatMessage) -> dict:
    provider = AnthropicProvider(api_key="k", base_url=fake.base_url, prompt_caching=caching)
    await provider.reply(request(*messages), _ignore)
    await provider.close()
    return fake.requests[-1]


async def _ignore(text: str) -> None:
    return None


async def test_the_first_call_marks_the_system_prompt_the_files_and_the_request(fake: FakeAnthropic) -> None:
    body = await sent(fake, True, user(FILES, text("a to-do list")))

    assert marked(body) == ["system", "message 0 block 0", "message 0 block 1"]


async def test_a_later_call_marks_where_the_previous_one_ended_and_its_own_end(fake: FakeAnthropic) -> None:
    body = await sent(
        fake, True, user(FILES, text("a to-do list")), assistant(text("Reading."), CALL), user(RESULT)
    )

    assert marked(body) == ["system", "message 0 block 0", "message 0 block 1", "message 2 block 0"]


async def test_no_request_carries_more_than_four_marks_its_own_end_first(fake: FakeAnthropic) -> None:
    notes = {**text("An imported design: …"), "cache_control": EPHEMERAL}
    body = await sent(fake, True, user(FILES, notes, text("a to-do list")), assistant(CALL), user(RESULT))

    assert marked(body) == ["system", "message 0 block 0", "message 0 block 1", "message 2 block 0"]


async def test_without_caching_a_request_carries_no_mark(fake: FakeAnthropic) -> None:
    body = await sent(fake, False, user(FILES, text("a to-do list")))

    assert marked(body) == []
