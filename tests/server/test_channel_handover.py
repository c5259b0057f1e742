"""Hand-over under fire: text streams while tabs join, leave and reconnect at random moments;
every tab rebuilds exactly the streamed text, and sees each seq once, in order, without a gap."""

from __future__ import annotations

import asyncio
import random

import msgspec
import pytest

from domain.entities import AgentRun
from domain.enums import Framework
from domain.services.agent_runs import RunOutcome
from tests.streams import LiveStream, claim
from tests.ws import TextRebuilder, open_tab

pytestmark = pytest.mark.cluster

CHUNKS = [f"word{n} " for n in range(400)]
TABS = 8
SAVE_EVERY = 7  # the streaming message is saved now and then, as the worker does


async def stream(app, run: AgentRun) -> str:
    """The run's reply streamed and saved now and then, as its worker does, then the run's end."""
    runs = app.state.web.core.services.agent_runs
    live = LiveStream(app, run)
    message = await runs.storage.messages.get(live.message_id)
    rng = random.Random(1)
    for n, chunk in enumerate(CHUNKS):
        await live.write(chunk)
        if n % SAVE_EVERY == 0:
            await runs.storage.messages.update(msgspec.structs.replace(message, content=live.content))
        await asyncio.sleep(rng.uniform(0, 0.004))
    outcome = RunOutcome(
        content=live.content,
        title="Words",
        files={"words.txt": live.content},
        framework=Framework.REACT,
        sandbox_url="https://preview.invalid",
        metadata={},
    )
    await runs.finish(run, outcome)
    return live.content


class Observer:
    """A tab's life: connect, read a while, drop, reconnect with since/epoch, until the end."""

    def __init__(self, base_url: str, project_id: str, message_id: str, seed: int) -> None:
        self.base_url, self.project_id = base_url, project_id
        self.rng = random.Random(seed)
        self.text = TextRebuilder(message_id)
        self.last_seq: int | None = None
        self.epoch: str | None = None
        self.problems: list[str] = []
        self.completed: str | None = None
        self.connections = 0

    async def live(self, steady: bool) -> None:
        while self.completed is None:
            await asyncio.sleep(self.rng.uniform(0, 0.05))
            tab = await open_tab(self.base_url, self.project_id, since=self.last_seq, epoch=self.epoch)
            self.connections += 1
            try:
                await self._start(await tab.next())
                stay = 60.0 if steady else self.rng.uniform(0.0, 0.15)
                with _suppress_timeout():
                    async with asyncio.timeout(stay):
                        while self.completed is None:
                            self._take(await tab.next(timeout=30))
            finally:
                await tab.close()

    async def _start(self, first: dict) -> None:
        if first["type"] == "hello":
            self.text.apply(first)
            self.last_seq, self.epoch = first["seq"], first["epoch"]
        elif first["type"] != "resumed" or first["from"] != (self.last_seq or 0) + 1:
            self.problems.append(f"unexpected first frame {first}")

    def _take(self, frame: dict) -> None:
        if "seq" not in frame:
            return  # presence
        if frame["seq"] != self.last_seq + 1:
            self.problems.append(f"seq {frame['seq']} after {self.last_seq}")
        self.last_seq = frame["seq"]
        self.text.apply(frame)
        if frame["type"] == "message.completed":
            self.completed = frame["message"]["content"]


class _suppress_timeout:
    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, value, traceback) -> bool:
        return kind is TimeoutError


async def test_tabs_coming_and_going_rebuild_the_streamed_text_exactly(app, api, base_url):
    project = await api.project()
    run = await claim(app, project["id"])
    reply = str(run.reply_message_id)
    observers = [Observer(base_url, project["id"], reply, seed) for seed in range(TABS)]

    lives = [asyncio.create_task(o.live(steady=(n == 0))) for n, o in enumerate(observers)]
    streamed = await stream(app, run)
    async with asyncio.timeout(60):
        await asyncio.gather(*lives)

    assert [o.problems for o in observers] == [[]] * TABS
    assert [o.text.gaps for o in observers] == [[]] * TABS
    assert [o.text.text for o in observers] == [streamed] * TABS
    assert [o.completed for o in observers] == [streamed] * TABS
    assert sum(o.connections for o in observers) > 2 * TABS  # the tabs really came and went
