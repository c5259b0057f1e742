"""The Redis broker of the scaled deployment: streams shared by every server and worker process."""

from __future__ import annotations

import secrets
import time
from collections.abc import Sequence
from pathlib import Path

from redis.asyncio import Redis

from channels.broker import Appended, Retention
from domain.ids import ProjectId

_APPEND_SCRIPT = (Path(__file__).parent / "lua" / "append.lua").read_text()


class RedisKeys:
    """Every key and channel name, under one prefix so that deployments and tests never collide."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def meta(self, project_id: ProjectId) -> str:
        return f"{self.prefix}project:{project_id}:meta"

    def history(self, project_id: ProjectId) -> str:
        return f"{self.prefix}project:{project_id}:history"

    def channel(self, project_id: ProjectId) -> str:
        return f"{self.prefix}project:{project_id}:events"


class RedisBroker:
    def __init__(self, client: Redis, prefix: str, retention: Retention | None = None) -> None:
        self.client = client
        self.keys = RedisKeys(prefix)
        self.retention = retention or Retention()
        self._append = client.register_script(_APPEND_SCRIPT)

    async def append(self, project_id: ProjectId, payloads: Sequence[bytes]) -> Appended:
        result = await self._append(
            keys=[self.keys.meta(project_id), self.keys.history(project_id)],
            args=[
                secrets.token_hex(8),
                time.time_ns() // 1_000_000,
                self.retention.min_events,
                self.retention.min_age_ms,
                self.retention.idle_ttl_seconds,
                self.keys.channel(project_id),
                *payloads,
            ],
        )
        epoch, *frames = result
        return Appended(epoch.decode(), list(frames))

    async def ping(self) -> None:
        await self.client.ping()
