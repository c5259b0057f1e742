"""The run queue on every deployment: one run per project at a time, in order, leases that end, and
idle workers woken through the deployment's broker."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from channels.memory import MemoryBroker
from channels.publisher import BrokerPublisher
from channels.run_queue import BrokerWakeups, listen_for_runs
from collab.shared_docs import LoggedSharedDocs
from domain.enums import MessageStatus, MessageType, RunStatus
from domain.errors import LeaseLost
from domain.ids import UserId
from domain.rules.plans import PlanCatalog
from domain.services.agent_runs import AgentRunService, RunOutcome
from domain.services.messages import MessageService
from domain.services.projects import ProjectService
from domain.services.usage import UsageService

pytestmark = pytest.mark.cluster

LEASE = timedelta(seconds=30)
ALICE = UserId("alice")


class Queue:
    def __init__(self, storage, clock, broker) -> None:
        publisher = BrokerPublisher(broker, storage.events)
        self.broker = broker
        self.storage = storage
        self.clock = clock
        self.usage = UsageService(storage, publisher, clock, PlanCatalog())
        wakeups = BrokerWakeups(broker)
        self.projects = ProjectService(storage, publisher, clock, self.usage, wakeups=wakeups)
        docs = LoggedSharedDocs(storage, clock, broker)
        self.messages = MessageService(storage, publisher, clock, self.usage, docs=docs, wakeups=wakeups)
        self.runs = AgentRunService(storage, publisher, clock, self.usage, docs=docs, wakeups=wakeups)

    async def project_with_prompts(self, *prompts: str):
        project = await self.projects.create_with_message(ALICE, prompts[0])
        for prompt in prompts[1:]:
            await self.messages.post_message(ALICE, project.id, prompt)
        return project

    async def finish(self, run) -> None:
        outcome = RunOutcome(
            content="Done.",
            title="Done",
            files={"index.html": "<h1>hi</h1>"},
            framework=run.framework,
            sandbox_url="http://preview",
            metadata={},
        )
        await self.runs.finish(run, outcome)


@pytest.fixture
def queue(storage, clock, broker) -> Queue:
    return Queue(storage, clock, broker)


async def test_a_claim_takes_the_oldest_waiting_run_with_its_reply_streaming(queue):
    project = await queue.project_with_prompts("a to-do list app")

    run = await queue.runs.claim_next("w1", LEASE)

    reply = await queue.storage.messages.get(run.reply_message_id)
    assert (run.project_id, run.status, run.claimed_by, run.attempts) == (
        project.id,
        RunStatus.RUNNING,
        "w1",
        1,
    )
    assert (reply.content, reply.status) == ("", MessageStatus.STREAMING)


async def test_a_projects_next_prompt_waits_until_its_running_run_ends(queue):
    await queue.project_with_prompts("a to-do list app", "make it blue")
    first = await queue.runs.claim_next("w1", LEASE)

    assert await queue.runs.claim_next("w2", LEASE) is None
    await queue.finish(first)
    second = await queue.runs.claim_next("w2", LEASE)
    assert second.value == "make it blue"


async def test_runs_of_different_projects_run_side_by_side(queue):
    a = await queue.project_with_prompts("a to-do list app")
    b = await queue.project_with_prompts("a counter app")

    claimed = [await queue.runs.claim_next("w1", LEASE), await queue.runs.claim_next("w2", LEASE)]

    assert {run.project_id for run in claimed} == {a.id, b.id}


async def test_concurrent_claims_never_take_one_run_twice(queue):
    for n in range(4):
        await queue.project_with_prompts(f"app number {n}")

    claimed = await asyncio.gather(*(queue.runs.claim_next(f"w{n}", LEASE) for n in range(6)))

    taken = [run.id for run in claimed if run is not None]
    assert len(taken) == 4 and len(set(taken)) == 4


async def test_a_run_whose_lease_ended_is_taken_again_with_the_reply_its_tabs_have(queue):
    await queue.project_with_prompts("a to-do list app")
    lost = await queue.runs.claim_next("w1", LEASE)
    await queue.runs.save_progress(lost, "Half a sent")
    queue.clock.advance(LEASE + timedelta(seconds=1))

    again = await queue.runs.claim_next("w2", LEASE)

    reply = await queue.storage.messages.get(again.reply_message_id)
    assert (again.id, again.claimed_by, again.attempts) == (lost.id, "w2", 2)
    assert (again.reply_message_id, reply.content) == (lost.reply_message_id, "Half a sent")


async def test_a_worker_that_lost_its_lease_can_no_longer_write_the_run(queue):
    await queue.project_with_prompts("a to-do list app")
    lost = await queue.runs.claim_next("w1", LEASE)
    queue.clock.advance(LEASE + timedelta(seconds=1))
    await queue.runs.claim_next("w2", LEASE)

    with pytest.raises(LeaseLost):
        await queue.runs.set_stage(lost, "Generating project files…")


async def test_a_run_that_lost_its_lease_twice_fails_with_a_reason_and_a_refund(queue):
    await queue.project_with_prompts("a to-do list app")
    for worker in ("w1", "w2"):
        await queue.runs.claim_next(worker, LEASE)
        queue.clock.advance(LEASE + timedelta(seconds=1))

    assert await queue.runs.claim_next("w3", LEASE) is None

    run = (
        await queue.storage.runs.list_for_project(
            (await queue.projects.list_projects(ALICE))[0].project.id, 1
        )
    )[0]
    reply = await queue.storage.messages.get(run.reply_message_id)
    assert (run.status, run.attempts) == (RunStatus.FAILED, 2)
    assert (reply.type, reply.status) == (MessageType.ERROR, MessageStatus.COMPLETE)
    assert "refunded" in reply.content
    assert (await queue.usage.status(ALICE)).credits_remaining == 5


async def test_a_failed_run_refunds_its_credit_and_says_why(queue):
    await queue.project_with_prompts("a to-do list app")
    run = await queue.runs.claim_next("w1", LEASE)

    await queue.runs.fail(run, "The model service is overloaded.")

    reply = await queue.storage.messages.get(run.reply_message_id)
    stored = await queue.storage.runs.get(run.id)
    assert (stored.status, stored.error) == (RunStatus.FAILED, "The model service is overloaded.")
    assert (reply.type, reply.content) == (MessageType.ERROR, "The model service is overloaded.")
    assert (await queue.usage.status(ALICE)).credits_remaining == 5


async def test_a_released_run_waits_again_without_counting_the_attempt(queue):
    await queue.project_with_prompts("a to-do list app")
    run = await queue.runs.claim_next("w1", LEASE)

    await queue.runs.release(run)

    again = await queue.runs.claim_next("w2", LEASE)
    assert (again.id, again.attempts) == (run.id, 1)


async def test_a_waiting_run_wakes_a_worker_listening_on_another_connection(queue, make_broker):
    woken = asyncio.Event()
    # Embedded, one process holds the one broker; scaled, the worker's broker is a client of its own.
    listening = queue.broker if isinstance(queue.broker, MemoryBroker) else make_broker()
    await listen_for_runs(listening, woken.set)

    await queue.project_with_prompts("a to-do list app")

    async with asyncio.timeout(5):
        await woken.wait()
