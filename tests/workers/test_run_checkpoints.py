"""Checkpointed runs: each completed round is kept, and an attempt taking a run over after its
worker stopped answering goes on from the last completed round, not from the first. The test is
the only worker: it runs both attempts itself, against the real SDK and a local model server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest

from domain.services.agent_runs import AgentRunService
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.ws import ShownText, TabClient, open_tab
from workers.providers.anthropic import AnthropicProvider
from workers.runner import RunExecutor, RunnerSettings
from workers.sandboxes.local import LocalSandboxProvider

LEASE = timedelta(seconds=30)
SUMMARY = Reply(text=["<task_summary>Built it.</task_summary>"])


def write(n: int, path: str) -> tuple[str, str, dict[str, object]]:
    return (f"toolu_{n}", "createOrUpdateFiles", {"files": [{"path": path, "content": f"// {path}"}]})


@pytest.fixture
def settings(settings):
    return msgspec.structs.replace(settings, worker_in_process=False)


@pytest.fixture
async def fake() -> AsyncIterator[FakeAnthropic]:
    async with FakeAnthropic() as server:
        yield server


class Scene:
    """A project with a tab open, a prompt waiting, and workers to run it."""

    def __init__(self, app: Any, fake: FakeAnthropic, tab: TabClient, sandboxes: Path) -> None:
        self.runs: AgentRunService = app.state.web.core.services.agent_runs
        self.publisher = app.state.web.core.publisher
        self.fake = fake
        self.tab = tab
        self.sandboxes = LocalSandboxProvider(sandboxes, "http://127.0.0.1:9")

    def worker(self) -> RunExecutor:
        provider = AnthropicProvider(api_key="test", base_url=self.fake.base_url)
        settings = RunnerSettings(lease=LEASE, default_model="m")
        return RunExecutor(self.runs, self.publisher, provider, self.sandboxes, settings)

    async def until(self, seen: Callable[[dict[str, Any]], bool]) -> None:
        await self.tab.until(seen, timeout=10)


@pytest.fixture
async def scene(app, api, base_url, fake, tmp_path: Path) -> AsyncIterator[Scene]:
    project = await api.ok("alice", "POST", "/api/projects", {"name": "Todo", "framework": "REACT"})
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    await api.ok("alice", "POST", f"/api/projects/{project['id']}/messages", {"value": "a to-do list"})
    yield Scene(app, fake, tab, tmp_path / "sandboxes")
    await tab.close()


def round_three_started(frame: dict[str, Any]) -> bool:
    return frame["type"] == "message.delta" and "Now" in frame["text"]


def four_rounds(held: asyncio.Event) -> tuple[Reply, ...]:
    """Rounds 1 and 2 write a file each; round 3 stops after its first piece until `held` is set."""
    return (
        Reply(text=["First the page."], tools=[write(1, "index.html")]),
        Reply(text=["Then the script."], tools=[write(2, "app.js")]),
        Reply(text=["Now ", "the styles."], tools=[write(3, "style.css")], hold=held),
    )


async def test_each_completed_round_is_kept_with_the_reply_so_far(scene: Scene) -> None:
    held = asyncio.Event()
    scene.fake.script(*four_rounds(held), SUMMARY)
    run = await scene.runs.claim_next("worker-1", LEASE)
    executing = asyncio.create_task(scene.worker().execute(run))

    await scene.until(round_three_started)

    checkpoint = await scene.runs.storage.checkpoints.get(run.id)
    held.set()
    await asyncio.wait_for(executing, 10)
    assert (checkpoint.rounds, checkpoint.reply) == (2, "First the page.\n\nThen the script.")
    assert await scene.runs.storage.checkpoints.get(run.id) is None  # the run ended


async def test_a_run_taken_over_after_round_two_asks_round_three_next(scene: Scene, clock) -> None:
    held = asyncio.Event()
    scene.fake.script(
        *four_rounds(held), Reply(text=["Now the styles."], tools=[write(3, "style.css")]), SUMMARY
    )
    first = await scene.runs.claim_next("worker-1", LEASE)
    lost = asyncio.create_task(scene.worker().execute(first))
    await scene.until(round_three_started)
    clock.advance(LEASE + timedelta(seconds=1))
    second = await scene.runs.claim_next("worker-2", LEASE)

    await scene.worker().execute(second)

    held.set()  # the first worker goes on as if nothing happened
    await asyncio.wait_for(lost, 10)
    assert len(scene.fake.requests) == 5  # rounds 1, 2, 3 (lost), 3 again, 4: not 1 and 2 again
    assert scene.fake.requests[3]["messages"][:5] == scene.fake.requests[2]["messages"]


async def test_a_run_taken_over_ends_with_every_file_and_the_tabs_text_never_shrank(
    scene: Scene, clock
) -> None:
    held = asyncio.Event()
    scene.fake.script(
        *four_rounds(held), Reply(text=["Now the styles."], tools=[write(3, "style.css")]), SUMMARY
    )
    first = await scene.runs.claim_next("worker-1", LEASE)
    lost = asyncio.create_task(scene.worker().execute(first))
    await scene.until(round_three_started)
    clock.advance(LEASE + timedelta(seconds=1))
    second = await scene.runs.claim_next("worker-2", LEASE)

    await scene.worker().execute(second)

    held.set()
    await asyncio.wait_for(lost, 10)
    await scene.until(lambda f: f["type"] == "fragment.updated")
    frames = scene.tab.frames
    fragment = next(f for f in frames if f["type"] == "fragment.updated")["fragment"]
    shown = ShownText(str(second.reply_message_id)).apply_all(frames)
    assert sorted(fragment["files"]) == ["app.js", "index.html", "style.css"]
    assert shown.lengths == sorted(shown.lengths)
    assert shown.text == "First the page.\n\nThen the script.\n\nNow the styles.\n\nBuilt it."
