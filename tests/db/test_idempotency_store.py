"""Idempotency keys in the database: writes fenced by the reservation holding the key, and a first
answer that commits with the work it answers or not at all."""

from __future__ import annotations

from datetime import timedelta
from uuid import uuid4

import msgspec
import pytest

from channels.memory import MemoryBroker
from channels.publisher import BrokerPublisher
from db.tables import ProjectTable
from domain.entities import AgentRun
from domain.errors import Forbidden, RequestInFlight
from domain.idempotency import Refusal, RequestKey
from domain.ids import UserId
from domain.rules.idempotency import reservation
from domain.rules.plans import PlanCatalog
from domain.services.projects import ProjectService
from domain.services.usage import UsageService
from tests.conftest import PRO_PRODUCT
from tests.factories import subscribe

ALICE = UserId("alice")
REQUEST = RequestKey(key="k-1", fingerprint="f" * 64)
REFUSED = Refusal(error="NotFound", message="Project not found.")


class BrokenRunStore:
    """Fails where the run is written, the last write of a creation."""

    async def insert(self, run: AgentRun) -> None:
        raise RuntimeError("disk full")


class TakenOverMeanwhile:
    """The real store, except that another request takes the key over (its holder's lease ran
    out) just before the holder seals its answer."""

    def __init__(self, store):
        self.store = store

    def __getattr__(self, name):
        return getattr(self.store, name)

    async def complete(self, record, answer):
        current = await self.store.get(record.user_id, record.key)
        await self.store.replace(msgspec.structs.replace(current, reservation_id=uuid4()), current)
        return await self.store.complete(record, answer)


@pytest.fixture
def services(storage, clock):
    publisher = BrokerPublisher(MemoryBroker(), storage.events)
    usage = UsageService(storage, publisher, clock, PlanCatalog(pro_product_ids=frozenset({PRO_PRODUCT})))
    return usage, ProjectService(storage, publisher, clock, usage)


@pytest.fixture
def reserved(clock):
    return reservation(ALICE, REQUEST, uuid4(), clock.now())


async def test_a_second_insert_of_a_key_is_refused(storage, reserved):
    await storage.idempotency.insert(reserved)

    assert not await storage.idempotency.insert(msgspec.structs.replace(reserved, reservation_id=uuid4()))


async def test_a_take_over_from_a_reservation_that_no_longer_holds_the_key_is_refused(storage, reserved):
    await storage.idempotency.insert(reserved)
    taken = msgspec.structs.replace(reserved, reservation_id=uuid4())
    await storage.idempotency.replace(taken, reserved)

    assert not await storage.idempotency.replace(
        msgspec.structs.replace(reserved, reservation_id=uuid4()), reserved
    )


async def test_an_answer_from_a_reservation_that_no_longer_holds_the_key_is_refused(storage, reserved):
    await storage.idempotency.insert(reserved)
    await storage.idempotency.replace(msgspec.structs.replace(reserved, reservation_id=uuid4()), reserved)

    assert not await storage.idempotency.complete(reserved, REFUSED)


async def test_an_answer_is_kept_and_read_back(storage, reserved):
    await storage.idempotency.insert(reserved)

    await storage.idempotency.complete(reserved, REFUSED)

    assert (await storage.idempotency.get(ALICE, REQUEST.key)).answer == REFUSED


async def test_an_answered_key_is_not_released(storage, reserved):
    await storage.idempotency.insert(reserved)
    await storage.idempotency.complete(reserved, REFUSED)

    await storage.idempotency.release(reserved)

    assert await storage.idempotency.get(ALICE, REQUEST.key) is not None


async def test_keys_created_before_a_moment_are_removed(storage, reserved, clock):
    await storage.idempotency.insert(reserved)
    later = msgspec.structs.replace(reserved, key="k-2", created_at=clock.now() + timedelta(hours=1))
    await storage.idempotency.insert(later)

    removed = await storage.idempotency.remove_created_before(clock.now() + timedelta(minutes=1))

    assert removed == 1
    assert await storage.idempotency.get(ALICE, "k-2") is not None


async def test_an_unexpected_failure_lets_the_key_go_so_a_retry_does_the_work(storage, services):
    usage, projects = services
    runs, storage.runs = storage.runs, BrokenRunStore()
    with pytest.raises(RuntimeError):
        await projects.create_with_message(ALICE, "a to-do list app", key=REQUEST)
    storage.runs = runs

    await projects.create_with_message(ALICE, "a to-do list app", key=REQUEST)

    assert await ProjectTable.count() == 1
    assert (await usage.status(ALICE)).credits_remaining == 4


async def test_work_whose_key_was_taken_over_meanwhile_does_not_commit(storage, services):
    usage, projects = services
    storage.idempotency = TakenOverMeanwhile(storage.idempotency)

    with pytest.raises(RequestInFlight):
        await projects.create_with_message(ALICE, "a to-do list app", key=REQUEST)

    assert await ProjectTable.count() == 0
    assert (await usage.status(ALICE)).credits_remaining == 5


async def test_a_refusal_is_kept_and_raised_again_for_the_repeat(services, clock):
    _, projects = services
    screenshot = "https://img.example/a.png"
    with pytest.raises(Forbidden):
        await projects.create_with_message(ALICE, "an app", image_url=screenshot, key=REQUEST)
    await subscribe(ALICE, PRO_PRODUCT, clock.now())  # run again, it would now succeed

    with pytest.raises(Forbidden) as repeat:
        await projects.create_with_message(ALICE, "an app", image_url=screenshot, key=REQUEST)

    assert repeat.value.message == "A design screenshot (imageUrl) needs a Pro subscription."
    assert await ProjectTable.count() == 0
