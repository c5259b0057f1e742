"""Two attempts of one run against each other: the first worker's lease ran out and another took
the run, while the first worker is still alive. From the takeover on, the tabs see only the live
attempt's frames, and the sandbox gets only its files."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.ws import open_tab
from workers.providers.anthropic import AnthropicProvider
from workers.runner import RunExecutor, RunnerSettings
from workers.sandboxes.local import LocalSandboxProvider, sandbox_folder

LEASE = timedelta(seconds=30)


@pytest.fixture
def settings(settings):
    """The test is the only worker: it runs both attempts itself."""
    return msgspec.structs.replace(settings, worker_in_process=False)


def write(tool_id: str, path: str, content: str) -> tuple[str, str, dict[str, object]]:
    return (tool_id, "createOrUpdateFiles", {"files": [{"path": path, "content": content}]})


async def test_an_attempt_that_lost_its_run_reaches_neither_the_tabs_nor_the_sandbox(
    app, api, base_url, clock, tmp_path: Path
):
    project = await api.project()
    tab = await open_tab(base_url, project["id"])
    await tab.next_of("hello")
    runs = app.state.web.core.services.agent_runs
    sandboxes = LocalSandboxProvider(tmp_path / "sandboxes", "http://127.0.0.1:9")
    slow_model = asyncio.Event()
    async with FakeAnthropic() as fake:
        fake.script(
            Reply(
                text=["Old attempt. ", "Stale text."], hold=slow_model, tools=[write("t1", "old.txt", "old")]
            ),
            Reply(text=["New attempt. "], tools=[write("t2", "new.txt", "new")]),
            Reply(text=["<task_summary>Built it.</task_summary>"]),
        )

        def worker() -> RunExecutor:
            provider = AnthropicProvider(api_key="test", base_url=fake.base_url, max_retries=0)
            return RunExecutor(
                runs,
                app.state.web.core.publisher,
                provider,
                sandboxes,
                RunnerSettings(lease=LEASE, default_model="m"),
            )

        first = await runs.claim_next("worker-1", LEASE)
        lost = asyncio.create_task(worker().execute(first))
        await tab.next_of("message.delta", timeout=10)  # the first attempt is streaming
        clock.advance(LEASE + timedelta(seconds=1))
        second = await runs.claim_next("worker-2", LEASE)
        await worker().execute(second)
        slow_model.set()  # the first worker goes on as if nothing happened
        async with asyncio.timeout(10):
            await lost
        frames = [*tab.frames, *await tab.sequenced_within(1.0)]

    takeover = next(
        n for n, f in enumerate(frames) if f["type"] == "run.updated" and f["run"]["attempts"] == 2
    )
    deltas_after = "".join(f["text"] for f in frames[takeover:] if f["type"] == "message.delta")
    completed = next(f for f in frames if f["type"] == "message.completed")
    folder = sandbox_folder(sandboxes.root, first.project_id)
    assert (first.attempts, second.attempts) == (1, 2)
    # The new attempt goes on after whatever of the old one's text was stored when it took over.
    assert deltas_after == "New attempt. \n\nBuilt it."
    assert completed["message"]["content"].endswith(deltas_after)
    assert not any("Stale" in f.get("text", "") for f in frames)
    assert sorted(p.name for p in folder.iterdir()) == ["new.txt"]
    await tab.close()
