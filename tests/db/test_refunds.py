"""A run that fails for a reason that is not the user's gives its credit back, once."""

from __future__ import annotations

import msgspec
import pytest

from channels.memory import MemoryBroker
from channels.publisher import BrokerPublisher
from domain.ids import UserId
from domain.rules.plans import PlanCatalog
from domain.services.projects import ProjectService
from domain.services.usage import UsageService


@pytest.fixture
def services(storage, clock):
    publisher = BrokerPublisher(MemoryBroker(), storage.events)
    usage = UsageService(storage, publisher, clock, PlanCatalog())
    return usage, ProjectService(storage, publisher, clock, usage)


async def first_run(storage, project):
    page = await storage.runs.list_for_project(project.id, 1)
    return page[0]


async def test_a_refund_gives_the_credit_back(storage, services):
    usage, projects = services
    project = await projects.create_with_message(UserId("alice"), "a to-do list app")
    run = await first_run(storage, project)

    async with storage.transaction():
        refunded = await usage.refund(run)

    assert (await usage.status(UserId("alice"))).credits_remaining == 5
    assert refunded.credit_consumed is False


async def test_a_run_refunds_at_most_once(storage, services):
    usage, projects = services
    project = await projects.create_with_message(UserId("alice"), "a to-do list app")
    await projects.create_with_message(UserId("alice"), "a second app")
    run = await first_run(storage, project)
    async with storage.transaction():
        refunded = await usage.refund(run)

    async with storage.transaction():
        await usage.refund(refunded)

    assert (await usage.status(UserId("alice"))).credits_remaining == 4


async def test_a_run_that_spent_no_credit_refunds_nothing(storage, services):
    usage, projects = services
    project = await projects.create_with_message(UserId("alice"), "a to-do list app")
    run = msgspec.structs.replace(await first_run(storage, project), credit_consumed=False)

    async with storage.transaction():
        await usage.refund(run)

    assert (await usage.status(UserId("alice"))).credits_remaining == 4
