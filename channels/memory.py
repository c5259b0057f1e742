"""The in-process broker of the embedded deployment: the same contract as Redis, in one process.

Every method runs without awaiting, so numbering, history and delivery are one step of the event
loop. A stream nobody listens to is forgotten once it has been idle for the history's age floor
(its tabs, when they come back, get a fresh hello), and its history is bounded in bytes.
"""

from __future__ import annotations

import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from channels.broker import Behind, Head, History, Listener, Retention, sequenced_frame
from domain.events import LoggedEvent
from domain.ids import ProjectId

SWEEP_INTERVAL_MS = 60_000


@dataclass
class _Stream:
    commit: int
    epoch: str = field(default_factory=lambda: secrets.token_hex(8))
    seq: int = 0
    fence: str = ""
    size: int = 0
    """Bytes of the frames in history."""
    touched_ms: int = 0
    history: deque[tuple[int, int, bytes]] = field(default_factory=deque)
    """(seq, appended at in ms, frame), oldest first."""

    @property
    def head(self) -> Head:
        return Head(self.epoch, self.seq, self.commit)


class MemoryBroker:
    def __init__(self, retention: Retention | None = None, now_ms: Callable[[], int] | None = None) -> None:
        self.retention = retention or Retention()
        self._now_ms = now_ms or _monotonic_ms
        self._streams: dict[ProjectId, _Stream] = {}
        self._listeners: dict[ProjectId, list[Listener]] = defaultdict(list)
        self._swept_ms = self._now_ms()

    async def append(
        self,
        project_id: ProjectId,
        events: Sequence[LoggedEvent],
        restart: bool = False,
        committed_at: float | None = None,
    ) -> Head | Behind:
        stream = self._streams.get(project_id)
        if stream is None or restart:
            stream = self._streams[project_id] = _Stream(commit=events[0].seq - 1)
        if events[0].seq > stream.commit + 1:
            return Behind(stream.commit)
        now_ms = self._now_ms()
        for event in events:
            if event.seq <= stream.commit:
                continue  # published before: at least once upstream, exactly once here
            self._add(project_id, stream, event.payload, now_ms, committed_at)
            stream.commit = event.seq
            if event.fence is not None:
                stream.fence = event.fence
        self._trim(stream, now_ms)
        self._sweep(now_ms)
        return stream.head

    async def append_live(self, project_id: ProjectId, payloads: Sequence[bytes], fence: str) -> Head | None:
        stream = self._streams.get(project_id)
        if stream is None or not fence or stream.fence != fence:
            return None
        now_ms = self._now_ms()
        for payload in payloads:
            self._add(project_id, stream, payload, now_ms)
        self._trim(stream, now_ms)
        return stream.head

    async def open(self, project_id: ProjectId, commit: int) -> Head:
        stream = self._streams.get(project_id)
        if stream is None:
            stream = self._streams[project_id] = _Stream(commit=commit, touched_ms=self._now_ms())
        return stream.head

    async def commits(self, project_ids: Sequence[ProjectId]) -> dict[ProjectId, int]:
        return {p: self._streams[p].commit for p in project_ids if p in self._streams}

    async def broadcast(self, project_id: ProjectId, frame: bytes) -> None:
        for listener in self._listeners.get(project_id, ()):
            listener("", frame, None)

    async def read(self, project_id: ProjectId, since: int | None = None) -> History:
        stream = self._streams.get(project_id)
        if stream is None:
            return History("", 0, 0, [], False)
        if since is None:
            return History(stream.epoch, stream.seq, stream.commit, [], True)
        frames = [frame for seq, _, frame in stream.history if seq > since]
        oldest = stream.history[0][0] if stream.history else stream.seq + 1
        complete = since <= stream.seq and (since == stream.seq or oldest <= since + 1)
        return History(stream.epoch, stream.seq, stream.commit, frames, complete)

    async def listen(self, project_id: ProjectId, listener: Listener) -> None:
        self._listeners[project_id].append(listener)

    async def unlisten(self, project_id: ProjectId, listener: Listener) -> None:
        listeners = self._listeners.get(project_id)
        if listeners and listener in listeners:
            listeners.remove(listener)
            if not listeners:
                del self._listeners[project_id]

    async def ping(self) -> None:
        return None

    async def close(self) -> None:
        self._listeners.clear()

    def _add(
        self,
        project_id: ProjectId,
        stream: _Stream,
        payload: bytes,
        now_ms: int,
        committed_at: float | None = None,
    ) -> None:
        stream.seq += 1
        frame = sequenced_frame(stream.seq, payload)
        stream.history.append((stream.seq, now_ms, frame))
        stream.size += len(frame)
        stream.touched_ms = now_ms
        for listener in self._listeners.get(project_id, ()):
            listener(stream.epoch, frame, committed_at)

    def _trim(self, stream: _Stream, now_ms: int) -> None:
        """Drops the oldest frames past both floors, and past the byte budget whatever the floors."""
        history, retention = stream.history, self.retention
        cutoff = now_ms - retention.min_age_ms
        while history and (
            stream.size > retention.max_bytes
            or (len(history) > retention.min_events and history[0][1] <= cutoff)
        ):
            stream.size -= len(history.popleft()[2])

    def _sweep(self, now_ms: int) -> None:
        """Forgets the streams nobody listens to that have been idle past the history's age floor."""
        if now_ms - self._swept_ms < SWEEP_INTERVAL_MS:
            return
        self._swept_ms = now_ms
        idle_before = now_ms - max(self.retention.min_age_ms, SWEEP_INTERVAL_MS)
        for project_id, stream in list(self._streams.items()):
            if stream.touched_ms < idle_before and project_id not in self._listeners:
                del self._streams[project_id]


def _monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000
