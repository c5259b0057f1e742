"""A run that fails for a reason that is not the user's gives its credit back, once: the very
spend that paid for it, not a credit of whatever 24 hours are counting now."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from channels.memory import MemoryBroker
from channels.publisher import BrokerPublisher
from db.tables import CreditSpendTable
from domain.ids import UserId
from domain.rules.plans import PlanCatalog
from domain.services.projects import ProjectService
from domain.services.usage import UsageService
from domain.views import iso_ms


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


async def test_a_refund_gives_back_the_runs_own_spend(storage, services, clock):
    usage, projects = services
    project = await projects.create_with_message(UserId("alice"), "a to-do list app")
    clock.advance(timedelta(hours=1))
    await projects.create_with_message(UserId("alice"), "a second app")
    clock.advance(timedelta(hours=1))

    async with storage.transaction():
        await usage.refund(await first_run(storage, project))

    status = await usage.status(UserId("alice"))
    # What still counts is the second spend: the next credit back is its own, an hour later.
    assert (status.credits_remaining, status.resets_at) == (4, iso_ms(clock.now() + timedelta(hours=23)))


async def test_a_late_refund_of_a_credit_already_back_gives_nothing_more(storage, services, clock):
    usage, projects = services
    project = await projects.create_with_message(UserId("alice"), "a to-do list app")
    clock.advance(timedelta(hours=25))
    await projects.create_with_message(UserId("alice"), "a second app")

    async with storage.transaction():
        await usage.refund(await first_run(storage, project))

    assert (await usage.status(UserId("alice"))).credits_remaining == 4


async def test_a_refund_marks_the_runs_ledger_row(storage, services, clock):
    usage, projects = services
    project = await projects.create_with_message(UserId("alice"), "a to-do list app")
    run = await first_run(storage, project)

    async with storage.transaction():
        await usage.refund(run)

    rows = await CreditSpendTable.select(CreditSpendTable.run_id, CreditSpendTable.refunded_at)
    assert rows == [{"run_id": run.id, "refunded_at": clock.now()}]
