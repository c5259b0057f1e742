"""The in-process broker of the embedded deployment: the same contract as Redis, in one process."""

from __future__ import annotations

import secrets
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from channels.broker import Appended, Retention, sequenced_frame
from domain.ids import ProjectId


@dataclass
class _Stream:
    seq: int = 0
    history: deque[tuple[int, int, bytes]] = field(default_factory=deque)
    """(seq, appended at in ms, frame), oldest first."""


class MemoryBroker:
    def __init__(self, retention: Retention | None = None) -> None:
        self.retention = retention or Retention()
        # History lives as long as the process: a restart loses it, hence a new epoch.
        self.epoch = secrets.token_hex(8)
        self._streams: dict[ProjectId, _Stream] = {}

    async def append(self, project_id: ProjectId, payloads: Sequence[bytes]) -> Appended:
        stream = self._streams.setdefault(project_id, _Stream())
        now_ms = time.monotonic_ns() // 1_000_000
        frames = []
        for payload in payloads:
            stream.seq += 1
            frame = sequenced_frame(stream.seq, payload)
            stream.history.append((stream.seq, now_ms, frame))
            frames.append(frame)
        self._trim(stream, now_ms)
        return Appended(self.epoch, frames)

    def _trim(self, stream: _Stream, now_ms: int) -> None:
        history, cutoff = stream.history, now_ms - self.retention.min_age_ms
        while len(history) > self.retention.min_events and history[0][1] < cutoff:
            history.popleft()

    async def ping(self) -> None:
        return None
