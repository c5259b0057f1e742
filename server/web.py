"""The web tier of a `forge serve` process: the core, plus what tabs and requests need (token
verifier, request limits, the project hub and its shared hellos, presence, sandbox sync for
restores), and the agent worker in the same event loop when this process runs one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Protocol

from channels.hellos import HelloLoader
from channels.hub import ProjectHub
from channels.presence import MemoryPresence, Presence, RedisPresence
from channels.rate_limits import MemoryRateLimitStore, RedisRateLimitStore
from channels.redis import RedisBroker
from collab.checkpoints import Checkpoints
from collab.live import LiveDocs
from domain.clock import Clock
from domain.ports import RateLimitStore
from domain.services.rate_limits import RateLimiter
from forge.core import Core
from forge.settings import Settings
from server.auth import TokenVerifier, build_verifier
from server.code_follower import CodeFollower
from server.presence_keeper import keep_presence
from server.profiles import ProfileRecordingVerifier
from server.rate_limiting import RequestLimits
from workers.composition import sandbox_provider, start_worker
from workers.sandbox_sync import SandboxSync
from workers.worker import AgentWorker

logger = logging.getLogger("forge.server")

SWEEP_INTERVAL_SECONDS = 60.0


class MeSessionLike(Protocol):
    """A `/ws/me` channel as the web tier closes and resyncs it (server/me_channel.py)."""

    def close(self, code: int) -> None: ...

    def resync(self) -> None: ...


@dataclass
class WebTier:
    core: Core
    verifier: TokenVerifier
    limits: RequestLimits
    hub: ProjectHub
    hellos: HelloLoader
    presence: Presence
    sandbox_sync: SandboxSync
    docs: LiveDocs
    checkpoints: Checkpoints
    worker: AgentWorker | None = None
    me_sessions: set[MeSessionLike] = field(default_factory=set)
    """The open `/ws/me` channels of this process (server/me_channel.py)."""
    _tasks: list[asyncio.Task[None]] = field(default_factory=list, repr=False)

    @classmethod
    async def start(
        cls, settings: Settings, clock: Clock | None = None, worker: bool | None = None
    ) -> WebTier:
        """A core and the web tier on top; an agent worker too when `worker` (default: the setting)."""
        core = await Core.start(settings, clock)
        rate_store: RateLimitStore
        presence: Presence
        if core.redis is not None:
            rate_store = RedisRateLimitStore(core.redis, settings.redis_prefix)
            presence = RedisPresence(core.redis, settings.redis_prefix, settings.presence_ttl_seconds)
        else:
            rate_store, presence = MemoryRateLimitStore(), MemoryPresence()
        sandboxes = sandbox_provider(settings)  # one for the worker and for restores alike
        sandbox_sync = SandboxSync(core.storage, sandboxes)
        follower = CodeFollower(core.storage, core.services.drafts, sandbox_sync)
        checkpoints = Checkpoints(follower.checkpoint)
        limiter = RateLimiter(rate_store, core.clock)
        hub = ProjectHub(core.broker, presence)
        web = cls(
            core=core,
            verifier=ProfileRecordingVerifier(build_verifier(settings), core.services.profiles),
            limits=RequestLimits(limiter, settings),
            hub=hub,
            hellos=HelloLoader(core.broker, core.services.snapshots, core.publisher),
            presence=presence,
            sandbox_sync=sandbox_sync,
            docs=LiveDocs(core.storage, core.broker, core.clock, checkpoints.changed),
            checkpoints=checkpoints,
        )
        if isinstance(core.broker, RedisBroker):
            core.broker.on_reconnect(hub.catch_up_all)
            core.broker.on_reconnect(web.resync_me_sessions)
            core.broker.on_reconnect(web.catch_up_docs)
        keeper = keep_presence(presence, hub, core.broker, settings.presence_ttl_seconds / 3)
        web._tasks.append(asyncio.create_task(keeper, name="presence-keeper"))
        web._tasks.append(asyncio.create_task(_sweep(limiter), name="rate-limit-sweeper"))
        if settings.worker_in_process if worker is None else worker:
            web.worker = await start_worker(core, sandboxes)
        return web

    @property
    def settings(self) -> Settings:
        return self.core.settings

    async def close_tabs(self, code: int, grace_seconds: float) -> None:
        """Closes every tab of this process with `code` and waits, a while at most, until they are."""
        self.hub.close_all(code)
        self.docs.close_all(code)
        for session in list(self.me_sessions):
            session.close(code)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(grace_seconds):
                # Tabs leave the hub, and sessions the set, as their handlers end.
                while self.hub.tabs() or self.me_sessions or self.docs.docs:  # noqa: ASYNC110
                    await asyncio.sleep(0.01)

    def catch_up_docs(self) -> None:
        task = asyncio.create_task(self.docs.catch_up_all(), name="docs-catch-up")
        self._tasks.append(task)

    def resync_me_sessions(self) -> None:
        for session in self.me_sessions:
            session.resync()

    async def stop(self) -> None:
        if self.worker is not None:
            await self.worker.stop()
        await self.checkpoints.flush()
        await self.sandbox_sync.stop()
        await self.hub.stop()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.core.stop()


async def _sweep(limiter: RateLimiter) -> None:
    """Forgets expired rate-limit windows now and then (Redis expires its own)."""
    while True:
        await asyncio.sleep(SWEEP_INTERVAL_SECONDS)
        try:
            await limiter.remove_expired()
        except Exception:  # the sweeper must outlive a failed sweep
            logger.exception("rate-limit sweep failed")
