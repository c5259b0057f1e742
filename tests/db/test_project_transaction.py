"""A project's credit and rows commit together: a failure part-way leaves neither."""

from __future__ import annotations

import pytest

from channels.memory import MemoryBroker
from channels.publisher import BrokerPublisher
from db.tables import MessageTable, ProjectTable
from domain.entities import AgentRun
from domain.ids import UserId
from domain.rules.plans import PlanCatalog
from domain.services.projects import ProjectService
from domain.services.usage import UsageService


class BrokenRunStore:
    """Fails where the run is written, the last write of the creation."""

    async def insert(self, run: AgentRun) -> None:
        raise RuntimeError("disk full")


@pytest.fixture
def services(storage, clock):
    publisher = BrokerPublisher(MemoryBroker(), storage.events)
    usage = UsageService(storage, publisher, clock, PlanCatalog())
    return usage, ProjectService(storage, publisher, clock, usage)


async def test_a_failed_creation_leaves_no_rows_and_spends_no_credit(storage, services):
    usage, projects = services
    storage.runs = BrokenRunStore()

    with pytest.raises(RuntimeError):
        await projects.create_with_message(UserId("alice"), "a to-do list app")

    assert await ProjectTable.count() == 0
    assert await MessageTable.count() == 0
    assert (await usage.status(UserId("alice"))).credits_remaining == 5
