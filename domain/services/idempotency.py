"""Once per Idempotency-Key: the first request runs its use case, and every repeat within 24 hours
gets the first answer, so a retried request never charges twice (API.md, Conventions).

Two steps keep that true even when a process dies half-way. The key is reserved first, in a short
transaction of its own, for a lease. The use case then stores its answer with `Attempt.seal`
inside the same transaction as the work it answers: the credit and the rows commit together with
the answer, or neither does. A domain error is an answer too and is kept the same way (its work
wrote nothing); any other failure lets the key go so that a retry can do the work. A reservation
whose process died before committing is taken over once its lease ends.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from domain.clock import Clock
from domain.errors import DomainError, KeyReused, RequestInFlight
from domain.idempotency import (
    AnyAnswer,
    IdempotencyRecord,
    MessagePosted,
    ProjectCreated,
    Refusal,
    RequestKey,
)
from domain.ids import UserId, new_id
from domain.ports import Storage
from domain.rules.idempotency import KEY_LIFETIME, first_answer, reservation

A = TypeVar("A", ProjectCreated, MessagePosted)

SWEEP_INTERVAL = timedelta(minutes=10)
"""How often keys past their lifetime are deleted, as a side effect of reserving one."""


class Attempt(Generic[A]):
    """One request's go at a use case: a repeat, whose `replay` is the first answer, or the
    request that runs it and seals its answer."""

    def __init__(
        self, storage: Storage, held: IdempotencyRecord | None = None, replay: A | None = None
    ) -> None:
        self.replay: A | None = replay
        self._storage = storage
        self._held = held

    async def seal(self, answer: A) -> None:
        """Keeps `answer` as the key's first answer; call it inside the work's transaction."""
        if self._held is not None and not await self._storage.idempotency.complete(self._held, answer):
            # The lease ended and another request took the key over: this work must not commit.
            raise RequestInFlight()


class Idempotency:
    def __init__(self, storage: Storage, clock: Clock) -> None:
        self.storage = storage
        self.clock = clock
        self._swept_at: datetime | None = None

    @asynccontextmanager
    async def once(self, user_id: UserId, key: RequestKey | None, kind: type[A]) -> AsyncIterator[Attempt[A]]:
        """The attempt of a request with `key` (or without one: it simply runs).

        A stored refusal is raised again here; a repeat of a request still in flight raises
        RequestInFlight, a key used with another request KeyReused.
        """
        if key is None:
            yield Attempt(self.storage)
            return
        found = await self._reserve(user_id, key)
        if not isinstance(found, IdempotencyRecord):
            yield Attempt(self.storage, replay=_replayed(found, kind, self.clock.now()))
            return
        try:
            yield Attempt(self.storage, held=found)
        except DomainError as error:
            await self._keep(found, Refusal.of(error, self.clock.now()))
            raise
        except Exception:
            await self._release(found)
            raise

    async def _reserve(self, user_id: UserId, key: RequestKey) -> IdempotencyRecord | AnyAnswer:
        now = self.clock.now()
        await self._sweep(now)
        store = self.storage.idempotency
        async with self.storage.transaction():
            previous = await store.get(user_id, key.key)
            answer = first_answer(previous, key.fingerprint, now)
            if answer is not None:
                return answer
            record = reservation(user_id, key, new_id(), now)
            taken = await (store.insert(record) if previous is None else store.replace(record, previous))
        if not taken:  # another request reserved it between our read and our write
            raise RequestInFlight()
        return record

    async def _keep(self, held: IdempotencyRecord, refusal: Refusal) -> None:
        async with self.storage.transaction():
            await self.storage.idempotency.complete(held, refusal)

    async def _release(self, held: IdempotencyRecord) -> None:
        async with self.storage.transaction():
            await self.storage.idempotency.release(held)

    async def _sweep(self, now: datetime) -> None:
        if self._swept_at is not None and now - self._swept_at < SWEEP_INTERVAL:
            return
        self._swept_at = now
        async with self.storage.transaction():
            await self.storage.idempotency.remove_created_before(now - KEY_LIFETIME)


def _replayed(answer: AnyAnswer, kind: type[A], now: datetime) -> A:
    if isinstance(answer, Refusal):
        raise answer.error_at(now)
    if isinstance(answer, kind):
        return answer
    raise KeyReused()  # it answered another kind of request (the fingerprints should differ)
