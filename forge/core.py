"""The core every process composes, web or worker alike: the database and its stores, the broker and
the publisher over it, the outbox relay, the domain services, the clock.

Nothing here knows about tabs, HTTP or models: `server/web.py` adds the web tier on top of a core,
`workers/composition.py` the agent worker.
"""

from __future__ import annotations

import asyncio
import contextlib

from channels.broker import Broker, Retention
from channels.event_metrics import CountingPublisher
from channels.memory import MemoryBroker
from channels.publisher import BrokerPublisher
from channels.redis import RedisBroker
from channels.redis_connection import RedisClient, connect_redis
from channels.relay import OutboxRelay
from channels.run_queue import BrokerWakeups
from channels.user_signals import BrokerUserSignals
from db.engine import Database
from db.storage import PiccoloStorage
from db.token_cipher import AesGcmTokenCipher
from domain.clock import Clock, SystemClock
from domain.ports import EventPublisher
from domain.rules.plans import PlanCatalog
from forge.connections import oauth_key, open_database
from forge.faults import FaultAfterCommit
from forge.services import Services, build_services
from forge.settings import Settings


class Core:
    # A plain class, not a dataclass: routes receive it as a dependency, and Litestar would check
    # every field of a dataclass, which msgspec cannot do for the Redis client (one of two classes).
    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        database: Database,
        storage: PiccoloStorage,
        broker: Broker,
        publisher: BrokerPublisher,
        services: Services,
        catalog: PlanCatalog,
        redis: RedisClient | None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.database = database
        self.storage = storage
        self.broker = broker
        self.publisher = publisher
        self.services = services
        self.catalog = catalog
        self.redis = redis
        self._relay: asyncio.Task[None] | None = None

    @classmethod
    async def start(cls, settings: Settings, clock: Clock | None = None) -> Core:
        """Opens the database and the broker, and starts the outbox relay."""
        cipher = AesGcmTokenCipher(oauth_key(settings))
        database = await open_database(settings)
        redis = (
            connect_redis(
                settings.redis_url,
                cluster=settings.redis_cluster,
                max_connections=settings.redis_max_connections,
            )
            if settings.redis_url
            else None
        )
        broker = _broker(settings, redis)
        storage = PiccoloStorage(database)
        publisher = BrokerPublisher(broker, storage.events)
        events: EventPublisher = CountingPublisher(publisher)
        if settings.fault_after_commit is not None:
            events = FaultAfterCommit(events, settings.fault_after_commit)
        clock = clock or SystemClock()
        catalog = PlanCatalog(
            pro_product_ids=settings.polar_pro_product_ids,
            unlimited_product_ids=settings.polar_unlimited_product_ids,
        )
        services = build_services(
            storage,
            events,
            clock,
            catalog=catalog,
            models=settings.model_catalog,
            cipher=cipher,
            wakeups=BrokerWakeups(broker),
            signals=BrokerUserSignals(broker),
            admins=settings.admin_user_ids,
        )
        core = cls(settings, clock, database, storage, broker, publisher, services, catalog, redis)
        relay = OutboxRelay(storage, broker, publisher)
        core._relay = asyncio.create_task(relay.run(), name="outbox-relay")
        return core

    async def stop(self) -> None:
        await self.broker.close()
        if self._relay is not None:
            self._relay.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._relay
        if self.redis is not None:
            await self.redis.aclose()
        await self.database.stop()


def _broker(settings: Settings, redis: RedisClient | None) -> Broker:
    retention = Retention(
        min_events=settings.history_min_events,
        min_age_ms=settings.history_min_age_seconds * 1000,
        max_bytes=settings.history_max_bytes,
    )
    if redis is not None:
        return RedisBroker(redis, settings.redis_prefix, retention)
    return MemoryBroker(retention)
