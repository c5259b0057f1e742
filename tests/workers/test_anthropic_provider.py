"""The Anthropic provider: the real SDK against a local server speaking the streaming format."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes.anthropic_server import FakeAnthropic, Reply
from workers.agent.model import ChatMessage, ModelError, ModelRequest, ToolSpec
from workers.providers.anthropic import AnthropicProvider

IMAGE = {"type": "image", "source": {"type": "url", "url": "https://example.com/sketch.png"}}
REQUEST = ModelRequest(
    model="claude-test",
    system="You build apps.",
    messages=[ChatMessage(role="user", content=[IMAGE, {"type": "text", "text": "a to-do list"}])],
    tools=[ToolSpec(name="readFiles", description="Read files.", input_schema={"type": "object"})],
    max_tokens=1024,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
async def provider(fake: FakeAnthropic) -> AsyncIterator[AnthropicProvider]:
    provider = AnthropicProvider(api_key="sk-test", base_url=fake.base_url, max_retries=0)
    yield provider
    await provider.close()


class Pieces:
    def __init__(self) -> None:
        self.received: list[str] = []

    async def __call__(self, text: str) -> None:
        self.received.append(text)


async def test_text_arrives_in_the_pieces_the_model_sends(fake, provider) -> None:
    fake.script(Reply(text=["Hel", "lo, ", "world"]))
    pieces = Pieces()

    turn = await provider.reply(REQUEST, pieces)

    assert pieces.received == ["Hel", "lo, ", "world"]
    assert (turn.text, turn.stop_reason) == ("Hello, world", "end_turn")


async def test_a_tool_calls_input_is_assembled_from_its_partial_json(fake, provider) -> None:
    files = {"files": [{"path": "src/App.jsx", "content": "export default () => <h1>Todos</h1>"}]}
    fake.script(Reply(text=["Writing."], tools=[("toolu_1", "createOrUpdateFiles", files)]))

    turn = await provider.reply(REQUEST, Pieces())

    assert [(c.id, c.name, c.input) for c in turn.tool_calls] == [("toolu_1", "createOrUpdateFiles", files)]
    assert turn.stop_reason == "tool_use"


async def test_a_reply_cut_by_the_output_limit_says_max_tokens(fake, provider) -> None:
    fake.script(Reply(text=["Half of"], stop_reason="max_tokens"))

    turn = await provider.reply(REQUEST, Pieces())

    assert turn.stop_reason == "max_tokens"


async def test_an_error_event_mid_stream_is_a_model_error(fake, provider) -> None:
    fake.script(Reply(text=["one", "two", "three"], fail_after=2))

    with pytest.raises(ModelError, match="overloaded"):
        await provider.reply(REQUEST, Pieces())


async def test_an_overloaded_answer_is_a_model_error_that_says_so(fake, provider) -> None:
    fake.script(Reply(status=529))

    with pytest.raises(ModelError, match="overloaded"):
        await provider.reply(REQUEST, Pieces())


async def test_the_request_carries_system_tools_and_the_image_unchanged(fake, provider) -> None:
    fake.script(Reply(text=["ok"]))

    await provider.reply(REQUEST, Pieces())

    sent = fake.requests[0]
    assert (sent["model"], sent["system"], sent["stream"]) == ("claude-test", "You build apps.", True)
    assert sent["messages"][0]["content"][0] == IMAGE
    assert sent["tools"] == [
        {"name": "readFiles", "description": "Read files.", "input_schema": {"type": "object"}}
    ]
    assert fake.headers[0]["authorization"] == "Bearer sk-test"


async def test_usage_is_reported(fake, provider) -> None:
    fake.script(Reply(text=["ok"]))

    turn = await provider.reply(REQUEST, Pieces())

    assert (turn.input_tokens, turn.output_tokens) == (42, 17)
