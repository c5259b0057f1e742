"""The in-process broker of the embedded deployment: the same contract as Redis, in one process."""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from channels.broker import Appended, History, Listener, Retention, sequenced_frame
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
        self._listeners: dict[ProjectId, list[Listener]] = defaultdict(list)

    async def append(self, project_id: ProjectId, payloads: Sequence[bytes]) -> Appended:
        # No await inside: numbering, history and delivery happen as one step of the event loop.
        stream = self._streams.setdefault(project_id, _Stream())
        now_ms = time.monotonic_ns() // 1_000_000
        frames = []
        for payload in payloads:
            stream.seq += 1
            frame = sequenced_frame(stream.seq, payload)
            stream.history.append((stream.seq, now_ms, frame))
            frames.append(frame)
            for listener in self._listeners.get(project_id, ()):
                listener(self.epoch, frame)
        self._trim(stream, now_ms)
        return Appended(self.epoch, frames)

    async def broadcast(self, project_id: ProjectId, frame: bytes) -> None:
        for listener in self._listeners.get(project_id, ()):
            listener("", frame)

    async def read(self, project_id: ProjectId, since: int | None = None) -> History:
        stream = self._streams.setdefault(project_id, _Stream())
        if since is None:
            return History(self.epoch, stream.seq, [], True)
        frames = [frame for seq, _, frame in stream.history if seq > since]
        oldest = stream.history[0][0] if stream.history else stream.seq + 1
        complete = since <= stream.seq and (since == stream.seq or oldest <= since + 1)
        return History(self.epoch, stream.seq, frames, complete)

    async def listen(self, project_id: ProjectId, listener: Listener) -> None:
        self._listeners[project_id].append(listener)

    async def unlisten(self, project_id: ProjectId, listener: Listener) -> None:
        listeners = self._listeners.get(project_id)
        if listeners and listener in listeners:
            listeners.remove(listener)
            if not listeners:
                del self._listeners[project_id]

    def _trim(self, stream: _Stream, now_ms: int) -> None:
        history, cutoff = stream.history, now_ms - self.retention.min_age_ms
        while len(history) > self.retention.min_events and history[0][1] <= cutoff:
            history.popleft()

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._listeners.clear()
