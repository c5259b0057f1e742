"""The broker contract: each project's live stream, a bounded copy of its event log.

A stream numbers every frame it holds with `seq` (gapless, what tabs see) and knows `commit`, the
event-log number of the last committed event it took. Committed events are appended strictly in
commit order: an append that would skip one is refused as `Behind`, and one the stream already
has is dropped, so publishing may be repeated (at least once) and tabs still see each event once.
Live frames (deltas, file writes) carry no event-log number; they are taken only from the run
attempt the stream is fenced to, which a committed event sets (its `fence`).

An `epoch` names one unbroken stream. It changes whenever the broker may have lost or rolled back
history (a flushed or restarted Redis, a failover, a forgotten idle stream): then tabs start over
with a fresh hello instead of trusting numbers that may have been given twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import msgspec

from domain.events import LoggedEvent
from domain.ids import ProjectId

HISTORY_MIN_EVENTS = 1000
HISTORY_MIN_AGE_MS = 10 * 60 * 1000
HISTORY_MAX_BYTES = 8 * 1024 * 1024

Listener = Callable[[str, bytes, float | None], None]
"""Called with (epoch, frame, committed_at) for each frame in order; epoch "" marks an unsequenced
frame (presence), which has no place in the history. `committed_at` is the Unix time at which the
publisher got a committed event's batch (None for live, unsequenced and relayed frames): the
start of the commit-to-tab lag. It must not block: it only hands the frame on."""


class Retention(msgspec.Struct, frozen=True, kw_only=True):
    """History keeps at least `min_events` and everything younger than `min_age_ms`, but never
    more than `max_bytes` of frames: the byte budget wins, so no one can pin memory with floods."""

    min_events: int = HISTORY_MIN_EVENTS
    min_age_ms: int = HISTORY_MIN_AGE_MS
    max_bytes: int = HISTORY_MAX_BYTES
    idle_ttl_seconds: int = 24 * 3600
    """A project's stream (seq, history, epoch) is forgotten after this long without frames."""


class Head(msgspec.Struct, frozen=True):
    epoch: str
    seq: int
    """The last seq given in this epoch (0 before the first frame)."""
    commit: int
    """The event-log number of the last committed event in the stream."""


class Behind(msgspec.Struct, frozen=True):
    """The append starts past the stream's next committed event: the events between come first."""

    commit: int


class History(msgspec.Struct, frozen=True):
    epoch: str
    """"" when the project has no stream the broker can vouch for."""
    seq: int
    commit: int
    frames: list[bytes]
    """Every frame after the `since` asked for, oldest first."""
    complete: bool
    """Whether `frames` starts right after `since`, i.e. history still held everything asked for."""

    @property
    def head(self) -> Head:
        return Head(self.epoch, self.seq, self.commit)


def sequenced_frame(seq: int, payload: bytes) -> bytes:
    """The payload (a JSON object) with `seq` as its first field; see channels/lua/append.lua."""
    return b'{"seq":' + str(seq).encode() + b"," + payload[1:]


def seq_of(frame: bytes) -> int:
    """The `seq` of a sequenced frame, read from its fixed prefix without parsing the rest."""
    return int(frame[7 : frame.index(b",", 7)])


class Broker(Protocol):
    async def append(
        self,
        project_id: ProjectId,
        events: Sequence[LoggedEvent],
        restart: bool = False,
        committed_at: float | None = None,
    ) -> Head | Behind:
        """Numbers, stores and delivers consecutive committed events in one atomic step, skipping
        those the stream has; `Behind` (and nothing appended) if they start past its next one.
        A project without a stream (or `restart`) gets a new one, in a new epoch, from these.
        `committed_at` travels to the listeners with each of them, not into the history."""
        ...

    async def append_live(self, project_id: ProjectId, payloads: Sequence[bytes], fence: str) -> Head | None:
        """Numbers, stores and delivers live frames if the stream is fenced to `fence`; None
        (nothing appended) if it is not: the attempt's claim is not in the stream yet, or a later
        committed event moved the fence on."""
        ...

    async def open(self, project_id: ProjectId, commit: int) -> Head:
        """The project's stream, created in a new epoch after event-log number `commit` if the
        broker has none it can vouch for."""
        ...

    async def commits(self, project_ids: Sequence[ProjectId]) -> dict[ProjectId, int]:
        """The last committed number of each of those projects' streams that exist."""
        ...

    async def broadcast(self, project_id: ProjectId, frame: bytes) -> None:
        """Delivers an unsequenced frame to the project's listeners in every process."""
        ...

    async def read(self, project_id: ProjectId, since: int | None = None) -> History:
        """The project's stream (epoch "" if there is none) and its frames after `since` (none
        when `since` is None)."""
        ...

    async def listen(self, project_id: ProjectId, listener: Listener) -> None:
        """Starts delivering the project's frames to `listener`; returns once it is subscribed."""
        ...

    async def unlisten(self, project_id: ProjectId, listener: Listener) -> None: ...

    async def ping(self) -> None:
        """Raises if the broker cannot be reached."""
        ...

    async def close(self) -> None:
        """Stops listening altogether."""
        ...
