"""Everything a server process holds while it runs: database, broker, services, token verifier."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from redis.asyncio import Redis

from channels.broker import Broker
from channels.memory import MemoryBroker
from channels.publisher import BrokerPublisher
from channels.rate_limits import MemoryRateLimitStore, RedisRateLimitStore
from channels.redis import RedisBroker
from db.engine import Database, is_postgres_url
from db.migrate import migrate, pending_migrations
from db.storage import PiccoloStorage
from db.token_cipher import AesGcmTokenCipher, decode_key, new_key
from domain.clock import Clock, SystemClock
from domain.ports import RateLimitStore
from domain.rules.plans import PlanCatalog
from domain.rules.rate_limits import RateLimit
from domain.services.drafts import DraftService
from domain.services.imports import ImportService
from domain.services.messages import MessageService
from domain.services.oauth import OAuthService
from domain.services.projects import ProjectService
from domain.services.rate_limits import RateLimiter
from domain.services.runs import RunService
from domain.services.subscriptions import SubscriptionService
from domain.services.usage import UsageService
from server.auth import TokenVerifier, build_verifier
from server.settings import Settings

logger = logging.getLogger("forge.server")

RATE_WINDOW = timedelta(minutes=1)
SWEEP_INTERVAL_SECONDS = 60.0


class NotMigrated(Exception):
    """The PostgreSQL schema is behind the code; `forge migrate` brings it up to date."""


class ConfigurationError(Exception):
    """A combination of settings this deployment cannot run with."""


@dataclass(frozen=True)
class RateLimits:
    writes: RateLimit
    auth_failures: RateLimit
    webhooks: RateLimit

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimits:
        return cls(
            writes=RateLimit(limit=settings.rate_limit_writes_per_minute, window=RATE_WINDOW),
            auth_failures=RateLimit(limit=settings.rate_limit_auth_failures_per_minute, window=RATE_WINDOW),
            webhooks=RateLimit(limit=settings.rate_limit_webhooks_per_minute, window=RATE_WINDOW),
        )


@dataclass(frozen=True)
class Services:
    projects: ProjectService
    messages: MessageService
    drafts: DraftService
    usage: UsageService
    subscriptions: SubscriptionService
    imports: ImportService
    oauth: OAuthService
    runs: RunService
    rate_limiter: RateLimiter


@dataclass
class Runtime:
    settings: Settings
    database: Database
    broker: Broker
    services: Services
    verifier: TokenVerifier
    catalog: PlanCatalog
    rate_limits: RateLimits
    redis: Redis | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def start(cls, settings: Settings, clock: Clock | None = None) -> Runtime:
        cipher = AesGcmTokenCipher(oauth_key(settings))
        database = await open_database(settings)
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        broker: Broker
        rate_store: RateLimitStore
        if redis is not None:
            broker = RedisBroker(redis, settings.redis_prefix)
            rate_store = RedisRateLimitStore(redis, settings.redis_prefix)
        else:
            broker, rate_store = MemoryBroker(), MemoryRateLimitStore()
        storage = PiccoloStorage(database)
        publisher = BrokerPublisher(broker)
        clock = clock or SystemClock()
        catalog = PlanCatalog(
            pro_product_ids=settings.polar_pro_product_ids,
            unlimited_product_ids=settings.polar_unlimited_product_ids,
        )
        usage = UsageService(storage, publisher, clock, catalog, admins=settings.admin_user_ids)
        services = Services(
            projects=ProjectService(storage, publisher, clock, usage),
            messages=MessageService(storage, publisher, clock, usage),
            drafts=DraftService(storage, publisher, clock),
            usage=usage,
            subscriptions=SubscriptionService(storage, publisher, clock),
            imports=ImportService(storage, publisher, clock),
            oauth=OAuthService(storage, publisher, clock, cipher),
            runs=RunService(storage, publisher, clock),
            rate_limiter=RateLimiter(rate_store, clock),
        )
        runtime = cls(
            settings=settings,
            database=database,
            broker=broker,
            services=services,
            verifier=build_verifier(settings),
            catalog=catalog,
            rate_limits=RateLimits.from_settings(settings),
            redis=redis,
        )
        runtime._tasks.append(asyncio.create_task(runtime._sweep_rate_limits(), name="rate-limit-sweeper"))
        return runtime

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.redis is not None:
            await self.redis.aclose()
        await self.database.stop()

    async def _sweep_rate_limits(self) -> None:
        """Forgets expired rate-limit windows now and then (Redis expires its own)."""
        while True:
            await asyncio.sleep(SWEEP_INTERVAL_SECONDS)
            try:
                await self.services.rate_limiter.remove_expired()
            except Exception:  # the sweeper must outlive a failed sweep
                logger.exception("rate-limit sweep failed")


def oauth_key(settings: Settings) -> bytes:
    """The configured key; embedded, one kept in the data folder. PostgreSQL means several
    processes, which must share one key, so there it has to be configured."""
    if settings.oauth_encryption_key is not None:
        return decode_key(settings.oauth_encryption_key)
    if is_postgres_url(settings.resolved_database_url):
        raise ConfigurationError(
            "FORGE_OAUTH_ENCRYPTION_KEY: required with PostgreSQL, so every process shares it "
            f"(one fresh key: {new_key()})"
        )
    path = settings.oauth_key_path
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(new_key() + "\n")
        path.chmod(0o600)
    return decode_key(path.read_text())


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
        await assert_migrated(url)
    else:
        applied = await migrate(url)
        if applied:
            logger.info("database %s: applied %s", url, ", ".join(applied))
    await database.start()
    return database
