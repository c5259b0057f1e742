"""Worker processes sharing PostgreSQL and Redis: every run executes once, in its project's order,
and a worker killed mid-run loses nothing (with a real model, the run goes on from its last
completed round); a worker serves its metrics on a port of its own."""

from __future__ import annotations

import asyncio
import itertools
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from channels.memory import MemoryBroker
from channels.publisher import BrokerPublisher
from collab.shared_docs import LoggedSharedDocs
from db.storage import PiccoloStorage
from domain.clock import SystemClock
from domain.entities import AgentRun
from domain.enums import RunStatus
from domain.ids import UserId
from domain.rules.plans import PlanCatalog
from domain.services.messages import MessageService
from domain.services.projects import ProjectService
from domain.services.usage import UsageService
from forge.connections import open_database
from forge.settings import Settings
from tests.conftest import UNLIMITED_PRODUCT
from tests.factories import subscribe
from tests.fakes.anthropic_server import FakeAnthropic, Reply
from tests.metrics import scrape_until, value
from tests.processes import WorkerProcess, free_port

PROJECTS = 10
PROMPTS_PER_PROJECT = 10


class Queue:
    """Prompts written straight through the domain services, as the API would write them."""

    def __init__(self, storage: PiccoloStorage) -> None:
        clock, broker = SystemClock(), MemoryBroker()
        publisher = BrokerPublisher(broker, storage.events)
        self.storage = storage
        self.usage = UsageService(
            storage, publisher, clock, PlanCatalog(unlimited_product_ids={UNLIMITED_PRODUCT})
        )
        self.projects = ProjectService(storage, publisher, clock, self.usage)
        docs = LoggedSharedDocs(storage, clock, broker)
        self.messages = MessageService(storage, publisher, clock, self.usage, docs=docs)

    async def all_runs(self, project_ids: list) -> list[AgentRun]:
        runs: list[AgentRun] = []
        for project_id in project_ids:
            runs += await self.storage.runs.list_for_project(project_id, 1000)
        return runs

    async def until_all_end(self, project_ids: list, timeout: float) -> list[AgentRun]:
        async with asyncio.timeout(timeout):
            while True:
                runs = await self.all_runs(project_ids)
                if all(run.status in (RunStatus.COMPLETED, RunStatus.FAILED) for run in runs):
                    return runs
                await asyncio.sleep(0.2)


@pytest.fixture
async def queue(scaled_env: dict[str, str], tmp_path: Path) -> AsyncIterator[Queue]:
    settings = Settings(data_dir=tmp_path, database_url=scaled_env["FORGE_DATABASE_URL"])
    database = await open_database(settings)
    try:
        yield Queue(PiccoloStorage(database))
    finally:
        await database.stop()


def _workers(tmp_path: Path, env: dict[str, str], count: int, **settings: str) -> list[WorkerProcess]:
    return [WorkerProcess(tmp_path, **env, **settings) for _ in range(count)]


async def test_four_workers_run_a_hundred_prompts_once_each_in_their_projects_order(
    queue: Queue, scaled_env: dict[str, str], tmp_path: Path
) -> None:
    project_ids = []
    for n in range(PROJECTS):
        user = UserId(f"user{n}")
        await subscribe(user, UNLIMITED_PRODUCT, datetime.now(UTC))
        project = await queue.projects.create_with_message(user, f"a to-do list app number {n}")
        for prompt in range(1, PROMPTS_PER_PROJECT):
            await queue.messages.post_message(user, project.id, f"a counter, take {prompt}")
        project_ids.append(project.id)
    workers = _workers(tmp_path, scaled_env, 4, FORGE_WORKER_CONCURRENCY="3")
    try:
        runs = await queue.until_all_end(project_ids, timeout=240)
    finally:
        for worker in workers:
            worker.terminate()

    assert len(runs) == PROJECTS * PROMPTS_PER_PROJECT
    assert {run.status for run in runs} == {RunStatus.COMPLETED}
    assert {run.attempts for run in runs} == {1}
    assert len({run.reply_message_id for run in runs}) == len(runs)
    by_project: dict = defaultdict(list)
    for run in runs:
        by_project[run.project_id].append(run)
    for project_runs in by_project.values():
        ordered = sorted(project_runs, key=lambda run: run.id)
        for before, after in itertools.pairwise(ordered):
            assert before.finished_at <= after.started_at  # never two RUNNING, and in order


async def test_a_run_whose_worker_was_killed_is_taken_again_after_its_lease(
    queue: Queue, scaled_env: dict[str, str], tmp_path: Path
) -> None:
    project = await queue.projects.create_with_message(UserId("alice"), "a to-do list app")
    lease = {"FORGE_WORKER_LEASE_SECONDS": "3"}
    (doomed,) = _workers(tmp_path, scaled_env, 1, FORGE_OFFLINE_WORD_DELAY_MS="200", **lease)
    async with asyncio.timeout(30):
        while (await queue.all_runs([project.id]))[0].status != RunStatus.RUNNING:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    await asyncio.sleep(1)  # mid-stream
    doomed.kill()
    (rescuer,) = _workers(tmp_path, scaled_env, 1, **lease)
    try:
        (run,) = await queue.until_all_end([project.id], timeout=60)
    finally:
        rescuer.terminate()

    reply = await queue.storage.messages.get(run.reply_message_id)
    assert (run.status, run.attempts) == (RunStatus.COMPLETED, 2)
    assert reply.content and reply.type.value == "RESULT"


def _write(n: int, path: str) -> tuple[str, str, dict[str, object]]:
    return (f"toolu_{n}", "createOrUpdateFiles", {"files": [{"path": path, "content": f"// {path}"}]})


async def test_a_worker_killed_after_round_two_of_four_is_followed_by_round_three_not_round_one(
    queue: Queue, scaled_env: dict[str, str], tmp_path: Path
) -> None:
    round_three = asyncio.Event()
    async with FakeAnthropic() as fake:
        fake.script(
            Reply(text=["First the page."], tools=[_write(1, "index.html")]),
            Reply(text=["Then the script."], tools=[_write(2, "app.js")]),
            Reply(text=["Now ", "the styles."], tools=[_write(3, "style.css")], hold=round_three),
            Reply(text=["Now the styles."], tools=[_write(3, "style.css")]),
            Reply(text=["<task_summary>Built it.</task_summary>"]),
        )
        model = {
            "FORGE_ANTHROPIC_API_KEY": "sk-test",
            "FORGE_ANTHROPIC_BASE_URL": fake.base_url,
            "FORGE_WORKER_LEASE_SECONDS": "3",
        }
        project = await queue.projects.create_with_message(UserId("alice"), "a to-do list app")
        (doomed,) = _workers(tmp_path, scaled_env, 1, **model)
        async with asyncio.timeout(30):
            while len(fake.requests) < 3:  # noqa: ASYNC110 - round 3 was asked: round 2 is checkpointed
                await asyncio.sleep(0.05)
        doomed.kill()
        round_three.set()
        (run,) = await queue.all_runs([project.id])
        shown_before = (await queue.storage.messages.get(run.reply_message_id)).content
        (rescuer,) = _workers(tmp_path, scaled_env, 1, **model)
        try:
            (run,) = await queue.until_all_end([project.id], timeout=60)
        finally:
            rescuer.terminate()

    reply = await queue.storage.messages.get(run.reply_message_id)
    fragment = await queue.storage.fragments.get_for_message(run.reply_message_id)
    assert (run.status, run.attempts) == (RunStatus.COMPLETED, 2)
    assert len(fake.requests) == 5  # rounds 1, 2, 3 (killed), 3 again, 4
    assert fake.requests[3]["messages"][:5] == fake.requests[2]["messages"]
    assert sorted(fragment.files) == ["app.js", "index.html", "style.css"]
    assert reply.content.startswith(shown_before)
    assert reply.content == "First the page.\n\nThen the script.\n\nNow the styles.\n\nBuilt it."


async def test_a_worker_stopped_with_sigterm_gives_its_run_back_and_another_finishes_it(
    queue: Queue, scaled_env: dict[str, str], tmp_path: Path
) -> None:
    project = await queue.projects.create_with_message(UserId("alice"), "a to-do list app")
    slow = {"FORGE_OFFLINE_WORD_DELAY_MS": "200", "FORGE_WORKER_SHUTDOWN_GRACE_SECONDS": "0"}
    (stopping,) = _workers(tmp_path, scaled_env, 1, **slow)
    async with asyncio.timeout(30):
        while (await queue.all_runs([project.id]))[0].status != RunStatus.RUNNING:  # noqa: ASYNC110
            await asyncio.sleep(0.1)
    await asyncio.sleep(1)  # mid-stream
    stopping.terminate()
    (given_back,) = await queue.all_runs([project.id])
    (successor,) = _workers(tmp_path, scaled_env, 1)
    try:
        (run,) = await queue.until_all_end([project.id], timeout=60)
    finally:
        successor.terminate()

    assert (given_back.status, given_back.claimed_by, given_back.attempts) == (RunStatus.PENDING, None, 0)
    assert (run.status, run.attempts) == (RunStatus.COMPLETED, 1)


async def test_a_worker_serves_the_series_of_its_runs_on_its_metrics_port(
    queue: Queue, scaled_env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    (worker,) = _workers(tmp_path, scaled_env, 1, FORGE_METRICS_PORT=str(port))
    try:
        project = await queue.projects.create_with_message(UserId("alice"), "a to-do list app")
        await queue.until_all_end([project.id], timeout=60)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            samples = await scrape_until(
                http, lambda s: value(s, "forge_run_duration_seconds_count", outcome="completed") == 1
            )
    finally:
        worker.terminate()

    # The PENDING move was committed by this test's process, the rest by the worker.
    moves = {
        status: value(samples, "forge_run_transitions_total", source="SERVER", status=status)
        for status in ("PENDING", "RUNNING", "COMPLETED")
    }
    assert moves == {"PENDING": 0, "RUNNING": 1, "COMPLETED": 1}
    assert value(samples, "forge_run_first_token_seconds_count") == 1
    # The queue is read from the database by a server's /metrics; a worker does not report one.
    assert not any(name.startswith("forge_run_queue") for name, _ in samples)
