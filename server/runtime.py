"""Everything a server process holds while it runs: database, broker, services, token verifier."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from channels.broker import Broker, Retention
from channels.frames import PresenceLeft, encode
from channels.hellos import HelloLoader
from channels.hub import ProjectHub
from channels.memory import MemoryBroker
from channels.presence import MemoryPresence, Presence, RedisPresence
from channels.publisher import BrokerPublisher
from channels.rate_limits import MemoryRateLimitStore, RedisRateLimitStore
from channels.redis import RedisBroker
from channels.redis_connection import RedisClient, connect_redis
from channels.relay import OutboxRelay
from db.engine import Database, is_postgres_url
from db.migrate import migrate, pending_migrations
from db.storage import PiccoloStorage
from db.token_cipher import AesGcmTokenCipher, decode_key, new_key
from domain.clock import Clock, SystemClock
from domain.ports import EventPublisher, RateLimitStore
from domain.rules.plans import PlanCatalog
from domain.rules.rate_limits import RateLimit
from domain.services.agent_runs import AgentRunService
from domain.services.drafts import DraftService
from domain.services.imports import ImportService
from domain.services.messages import MessageService
from domain.services.oauth import OAuthService
from domain.services.projects import ProjectService
from domain.services.rate_limits import RateLimiter
from domain.services.runs import RunService
from domain.services.snapshots import SnapshotService
from domain.services.subscriptions import SubscriptionService
from domain.services.usage import UsageService
from server.agent import import_processor, sandbox_provider, start_worker
from server.auth import TokenVerifier, build_verifier
from server.faults import FaultAfterCommit
from server.sandbox_sync import SandboxSync
from server.settings import Settings
from workers.worker import AgentWorker

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
    agent_runs: AgentRunService
    snapshots: SnapshotService
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
    clock: Clock
    hub: ProjectHub
    hellos: HelloLoader
    presence: Presence
    publisher: BrokerPublisher
    sandbox_sync: SandboxSync
    redis: RedisClient | None = None
    worker: AgentWorker | None = None
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @classmethod
    async def start(
        cls,
        settings: Settings,
        clock: Clock | None = None,
        worker: bool | None = None,
        worker_concurrency: int | None = None,
    ) -> Runtime:
        """Everything a process needs; with an agent worker when `worker` (default: the setting)."""
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
        retention = Retention(
            min_events=settings.history_min_events,
            min_age_ms=settings.history_min_age_seconds * 1000,
            max_bytes=settings.history_max_bytes,
        )
        broker: Broker
        rate_store: RateLimitStore
        presence: Presence
        if redis is not None:
            broker = RedisBroker(redis, settings.redis_prefix, retention)
            rate_store = RedisRateLimitStore(redis, settings.redis_prefix)
            presence = RedisPresence(redis, settings.redis_prefix, settings.presence_ttl_seconds)
        else:
            broker, rate_store, presence = MemoryBroker(retention), MemoryRateLimitStore(), MemoryPresence()
        storage = PiccoloStorage(database)
        publisher = BrokerPublisher(broker, storage.events)
        events: EventPublisher = publisher
        if settings.fault_after_commit is not None:
            events = FaultAfterCommit(publisher, settings.fault_after_commit)
        clock = clock or SystemClock()
        catalog = PlanCatalog(
            pro_product_ids=settings.polar_pro_product_ids,
            unlimited_product_ids=settings.polar_unlimited_product_ids,
        )
        usage = UsageService(storage, events, clock, catalog, admins=settings.admin_user_ids)
        messages = MessageService(storage, events, clock, usage)
        services = Services(
            projects=ProjectService(storage, events, clock, usage),
            messages=messages,
            drafts=DraftService(storage, events, clock),
            usage=usage,
            subscriptions=SubscriptionService(storage, events, clock),
            imports=ImportService(storage, events, clock),
            oauth=OAuthService(storage, events, clock, cipher),
            runs=RunService(storage, events, clock),
            agent_runs=AgentRunService(storage, events, clock, usage),
            snapshots=SnapshotService(storage, events, clock, messages),
            rate_limiter=RateLimiter(rate_store, clock),
        )
        sandboxes = sandbox_provider(settings)  # one for the worker and for restores alike
        runtime = cls(
            settings=settings,
            database=database,
            broker=broker,
            services=services,
            verifier=build_verifier(settings),
            catalog=catalog,
            rate_limits=RateLimits.from_settings(settings),
            clock=clock,
            hub=ProjectHub(broker, presence),
            hellos=HelloLoader(broker, services.snapshots, publisher),
            presence=presence,
            publisher=publisher,
            sandbox_sync=SandboxSync(storage, sandboxes),
            redis=redis,
        )
        if isinstance(broker, RedisBroker):
            broker.on_reconnect(runtime.hub.catch_up_all)
        relay = OutboxRelay(storage, broker, publisher)
        runtime._tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))
        runtime._tasks.append(asyncio.create_task(runtime._sweep_rate_limits(), name="rate-limit-sweeper"))
        runtime._tasks.append(asyncio.create_task(runtime._keep_presence(), name="presence-keeper"))
        if settings.worker_in_process if worker is None else worker:
            runtime.worker = await start_worker(
                settings,
                services.agent_runs,
                publisher,
                broker,
                sandboxes,
                concurrency=worker_concurrency,
                imports=import_processor(settings, services.imports, services.oauth, services.drafts),
            )
        return runtime

    async def close_tabs(self, code: int, grace_seconds: float) -> None:
        """Closes every tab of this process with `code` and waits, a while at most, until they are."""
        self.hub.close_all(code)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace_seconds):
                while self.hub.tabs():  # noqa: ASYNC110 - tabs leave the hub as their handlers end
                    await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
        await self.sandbox_sync.stop()
        await self.hub.stop()
        await self.broker.close()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.redis is not None:
            await self.redis.aclose()
        await self.database.stop()

    async def _keep_presence(self) -> None:
        """Refreshes this process's tabs and reaps those of processes that stopped refreshing."""
        while True:
            await asyncio.sleep(self.settings.presence_ttl_seconds / 3)
            try:
                await self.presence.refresh([(p, tab.client_id) for p, tab in self.hub.tabs()])
                for gone in await self.presence.reap():
                    left = encode(PresenceLeft(client_id=gone.client_id, count=gone.count))
                    await self.broker.broadcast(gone.project_id, left.encode())
            except Exception:  # presence must outlive a failed round
                logger.exception("presence refresh failed")

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
