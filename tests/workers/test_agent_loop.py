"""The agent's loop waiting between the tries of a failed round, against the real SDK and the
local model server; its sleep is recorded instead of slept, and its jitter is none."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from uuid import uuid4

import pytest

from domain.enums import Framework
from domain.events import ProjectEvent
from domain.ids import MessageId, ProjectId
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.workers.test_tools import Announced, CodeAlone
from workers.agent.loop import AgentLimits, AgentState, CodeAgent
from workers.agent.model import ChatMessage, ModelUnavailable
from workers.agent.retry import RetryPolicy
from workers.agent.tools import Toolbox
from workers.providers.anthropic import AnthropicProvider
from workers.sandboxes.local import LocalSandboxProvider
from workers.streaming import ReplyStream

RETRY = RetryPolicy(attempts=3, max_wait_seconds=20, first_delay_seconds=2, max_delay_seconds=30)
SUMMARY = Reply(text=["<task_summary>Built it.</task_summary>"])


class Frames:
    async def publish(self, events: Sequence[ProjectEvent]) -> None:
        return None


class Sleeps:
    def __init__(self) -> None:
        self.waited: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waited.append(seconds)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
async def run(fake: FakeAnthropic, sleeps: Sleeps, tmp_path: Path) -> AsyncIterator[object]:
    provider = AnthropicProvider(api_key="k", base_url=fake.base_url)
    agent = CodeAgent(provider, AgentLimits(retry=RETRY), sleep=sleeps, jitter=lambda: 0.0)
    sandbox = await LocalSandboxProvider(tmp_path, "http://127.0.0.1:9").create(
        ProjectId(uuid4()), Framework.REACT
    )

    async def run_once() -> None:
        async def nothing(_: object) -> None:
            return None

        await agent.run(
            model="m",
            system="You build apps.",
            state=AgentState.start([ChatMessage(role="user", content=[{"type": "text", "text": "a page"}])]),
            toolbox=Toolbox(sandbox, Announced(), CodeAlone()),
            stream=ReplyStream(Frames(), MessageId(uuid4()), save=nothing),
            on_stage=nothing,
            on_round=nothing,
        )

    yield run_once
    await provider.close()


async def test_a_rate_limited_round_waits_as_long_as_the_service_asked(fake, sleeps, run) -> None:
    fake.script(Reply(status=429, retry_after=7), SUMMARY)

    await run()

    assert sleeps.waited == [7.0]


async def test_each_further_failure_of_a_round_waits_twice_as_long(fake, sleeps, run) -> None:
    fake.script(Reply(status=529), Reply(status=529), SUMMARY)

    await run()

    assert sleeps.waited == [2.0, 4.0]


async def test_a_round_that_failed_at_each_of_its_tries_fails_the_run(fake, sleeps, run) -> None:
    fake.script(*[Reply(status=529)] * RETRY.attempts)

    with pytest.raises(ModelUnavailable):
        await run()

    assert len(fake.requests) == RETRY.attempts


async def test_a_round_asked_to_wait_past_its_total_wait_fails_at_once(fake, sleeps, run) -> None:
    fake.script(Reply(status=429, retry_after=60), SUMMARY)

    with pytest.raises(ModelUnavailable):
        await run()

    assert sleeps.waited == []
