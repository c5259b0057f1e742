"""Everything a server process holds while it runs: database, broker, services, token verifier."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from channels.broker import Broker
from channels.memory import MemoryBroker
from channels.publisher import BrokerPublisher
from channels.redis import RedisBroker
from db.engine import Database
from db.migrate import migrate, pending_migrations
from db.storage import PiccoloStorage
from domain.clock import Clock, SystemClock
from domain.rules.plans import PlanCatalog
from domain.services.messages import MessageService
from domain.services.projects import ProjectService
from domain.services.usage import UsageService
from server.auth import TokenVerifier, build_verifier
from server.settings import Settings

logger = logging.getLogger("forge.server")


class NotMigrated(Exception):
    """The PostgreSQL schema is behind the code; `forge migrate` brings it up to date."""


@dataclass(frozen=True)
class Services:
    projects: ProjectService
    messages: MessageService
    usage: UsageService


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    database: Database
    broker: Broker
    services: Services
    verifier: TokenVerifier

    @classmethod
    async def start(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        database = await open_database(settings)
        broker = open_broker(settings)
        storage = PiccoloStorage(database)
        publisher = BrokerPublisher(broker)
        clock = clock or SystemClock()
        catalog = PlanCatalog(
            pro_product_ids=settings.polar_pro_product_ids,
            unlimited_product_ids=settings.polar_unlimited_product_ids,
        )
        usage = UsageService(storage, publisher, clock, catalog)
        services = Services(
            projects=ProjectService(storage, publisher, clock, usage),
            messages=MessageService(storage, publisher, clock),
            usage=usage,
        )
        return cls(settings, database, broker, services, build_verifier(settings))

    async def stop(self) -> None:
        await self.broker.close()
        await self.database.stop()


async def assert_migrated(url: str) -> None:
    """Raises NotMigrated if a PostgreSQL database lacks migrations (SQLite migrates itself)."""
    pending = await pending_migrations(url)
    if pending:
        raise NotMigrated(
            f"{len(pending)} migration(s) not applied ({', '.join(pending)}): run `forge migrate`"
        )


async def open_database(settings: Settings) -> Database:
    """SQLite is created and migrated on the spot; PostgreSQL must have been migrated already."""
    url = settings.resolved_database_url
    database = Database(url, pool_size=settings.db_pool_size)
    if database.is_postgres:
        pending = await pending_migrations(url)
        if pending:
            raise NotMigrated(
                f"{len(pending)} migration(s) not applied ({', '.join(pending)}): run `forge migrate`"
            )
    else:
        applied = await migrate(url)
        if applied:
            logger.info("database %s: applied %s", url, ", ".join(applied))
    await database.start()
    return database


def open_broker(settings: Settings) -> Broker:
    if settings.redis_url is not None:
        return RedisBroker.from_url(settings.redis_url, settings.redis_prefix)
    return MemoryBroker()
