"""The Anthropic provider: the real SDK against a local server speaking the streaming format."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import anthropic
import pytest

from domain.entities import TokenUsage
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from workers.agent.model import ChatMessage, ModelError, ModelRequest, ModelUnavailable, ToolSpec
from workers.providers.anthropic import AnthropicProvider

API_KEY = "sk-ant-test-key"
IMAGE = {"type": "image", "source": {"type": "url", "url": "https://example.com/sketch.png"}}
TOOL_USE = {"type": "tool_use", "id": "toolu_1", "name": "readFiles", "input": {"files": ["index.html"]}}
TOOL_RESULT = {"type": "tool_result", "tool_use_id": "toolu_1", "content": "<h1>Todos</h1>"}
REQUEST = ModelRequest(
    model="claude-test",
    system="You build apps.",
    messages=[
        ChatMessage(role="user", content=[IMAGE, {"type": "text", "text": "a to-do list"}]),
        ChatMessage(role="assistant", content=[TOOL_USE]),
        ChatMessage(role="user", content=[TOOL_RESULT]),
    ],
    tools=[ToolSpec(name="readFiles", description="Read files.", input_schema={"type": "object"})],
    max_tokens=1024,
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
async def provider(fake: FakeAnthropic) -> AsyncIterator[AnthropicProvider]:
    provider = AnthropicProvider(api_key=API_KEY, base_url=fake.base_url, max_retries=0)
    yield provider
    await provider.close()


class Pieces:
    """An `on_text` that keeps what it is handed."""

    def __init__(self) -> None:
        self.received: list[str] = []

    async def __call__(self, text: str) -> None:
        self.received.append(text)


async def model_error_of(provider: AnthropicProvider) -> ModelError:
    """The ModelError that replying to REQUEST raises."""
    with pytest.raises(ModelError) as raised:
        await provider.reply(REQUEST, Pieces())
    return raised.value


async def test_text_arrives_in_the_pieces_the_model_sends(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(text=["Hel", "lo, ", "world"]))
    pieces = Pieces()

    turn = await provider.reply(REQUEST, pieces)

    assert pieces.received == ["Hel", "lo, ", "world"]
    assert (turn.text, turn.stop_reason) == ("Hello, world", "end_turn")


async def test_text_is_handed_on_before_the_reply_ends(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(text=["first", "second"], delay_seconds=0.05))
    first_piece = asyncio.Event()

    async def on_text(text: str) -> None:
        first_piece.set()

    reply = asyncio.create_task(provider.reply(REQUEST, on_text))
    await asyncio.wait_for(first_piece.wait(), timeout=5)

    assert not reply.done()
    await reply


async def test_a_tool_calls_input_is_assembled_from_its_partial_json(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    files = {"files": [{"path": "src/App.jsx", "content": "export default () => <h1>Todos</h1>"}]}
    fake.script(Reply(text=["Writing."], tools=[("toolu_1", "createOrUpdateFiles", files)]))

    turn = await provider.reply(REQUEST, Pieces())

    assert [(c.id, c.name, c.input) for c in turn.tool_calls] == [("toolu_1", "createOrUpdateFiles", files)]
    assert turn.stop_reason == "tool_use"


async def test_a_reply_cut_by_the_output_limit_says_max_tokens(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(text=["Half of"], stop_reason="max_tokens"))

    turn = await provider.reply(REQUEST, Pieces())

    assert turn.stop_reason == "max_tokens"


async def test_usage_is_reported(fake: FakeAnthropic, provider: AnthropicProvider) -> None:
    fake.script(Reply(text=["ok"], input_tokens=1234, output_tokens=56))

    turn = await provider.reply(REQUEST, Pieces())

    assert turn.usage == TokenUsage(input_tokens=1234, output_tokens=56)


async def test_the_request_carries_system_tools_images_and_tool_results_unchanged(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(text=["ok"]))

    await provider.reply(REQUEST, Pieces())

    sent = fake.requests[0]
    assert (sent["model"], sent["system"][0]["text"], sent["max_tokens"], sent["stream"]) == (
        "claude-test",
        "You build apps.",
        1024,
        True,
    )
    assert [{**m, "content": [_unmarked(b) for b in m["content"]]} for m in sent["messages"]] == [
        {"role": "user", "content": [IMAGE, {"type": "text", "text": "a to-do list"}]},
        {"role": "assistant", "content": [TOOL_USE]},
        {"role": "user", "content": [TOOL_RESULT]},
    ]
    assert sent["tools"] == [
        {"name": "readFiles", "description": "Read files.", "input_schema": {"type": "object"}}
    ]


def _unmarked(block: dict) -> dict:
    return {k: v for k, v in block.items() if k != "cache_control"}


async def test_an_error_event_mid_stream_is_a_model_error(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(text=["one", "two", "three"], fail_after=2))

    assert str(await model_error_of(provider)) == "The model service is overloaded; try again in a moment."


async def test_an_overloaded_answer_is_a_model_error_that_says_so(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(status=529))

    assert str(await model_error_of(provider)) == "The model service is overloaded; try again in a moment."


async def test_a_model_error_keeps_the_sdks_error_as_its_cause(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(status=529))

    assert isinstance((await model_error_of(provider)).__cause__, anthropic.OverloadedError)


async def test_a_server_error_is_a_model_error_naming_the_status(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(status=500))

    assert str(await model_error_of(provider)) == "The model service answered 500."


async def test_a_refused_key_is_reported_without_the_key(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(status=401))

    message = str(await model_error_of(provider))

    assert message == "The model service refused our credentials."
    assert API_KEY not in message


async def test_a_stream_that_breaks_off_is_a_model_error(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(text=["one", "two", "three"], cut_after=2))

    assert "broke off" in str(await model_error_of(provider))


async def test_an_unreachable_service_is_a_model_error() -> None:
    async with FakeAnthropic() as gone:
        base_url = gone.base_url
    provider = AnthropicProvider(api_key=API_KEY, base_url=base_url, max_retries=0)

    assert str(await model_error_of(provider)) == "The model service could not be reached."
    await provider.close()


async def test_a_failure_in_on_text_is_not_blamed_on_the_model(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(text=["one"]))

    async def on_text(text: str) -> None:
        raise ValueError("the database is gone")

    with pytest.raises(ValueError, match="the database is gone"):
        await provider.reply(REQUEST, on_text)


async def passing_failure_of(provider: AnthropicProvider) -> ModelUnavailable:
    """The ModelUnavailable that replying to REQUEST raises: a failure worth asking again for."""
    with pytest.raises(ModelUnavailable) as raised:
        await provider.reply(REQUEST, Pieces())
    return raised.value


async def test_an_overloaded_service_is_a_passing_failure_that_says_the_model_is_busy(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(status=529))

    assert (await passing_failure_of(provider)).waiting == "The model is busy"


async def test_a_rate_limit_is_a_passing_failure_that_keeps_the_wait_the_service_asked_for(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(status=429, retry_after=7))

    assert (await passing_failure_of(provider)).retry_after == 7.0


async def test_a_server_error_is_a_passing_failure(fake: FakeAnthropic, provider: AnthropicProvider) -> None:
    fake.script(Reply(status=503))

    assert str(await passing_failure_of(provider)) == "The model service answered 503."


async def test_a_stream_cut_after_some_events_is_a_passing_failure(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(text=["one", "two", "three"], cut_after_events=5))

    assert (await passing_failure_of(provider)).waiting == "The model's answer broke off"


async def test_a_connection_dropped_before_any_answer_is_a_passing_failure(
    fake: FakeAnthropic, provider: AnthropicProvider
) -> None:
    fake.script(Reply(drop=True))

    assert str(await passing_failure_of(provider)) == "The model service could not be reached."


@pytest.mark.parametrize("status", [400, 401, 404])
async def test_a_refused_request_is_a_lasting_failure(
    fake: FakeAnthropic, provider: AnthropicProvider, status: int
) -> None:
    fake.script(Reply(status=status))

    assert not isinstance(await model_error_of(provider), ModelUnavailable)


async def test_a_prompt_too_long_says_the_conversation_has_grown_too_long() -> None:
    async with FakeAnthropic(max_request_tokens=10) as small:
        provider = AnthropicProvider(api_key=API_KEY, base_url=small.base_url)

        error = await model_error_of(provider)

        await provider.close()
    assert (str(error), isinstance(error, ModelUnavailable)) == (
        "The conversation has grown too long for the model.",
        False,
    )
