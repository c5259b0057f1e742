"""The broker contract: a sequenced, replayable event stream per project.

Appending gives each event the next `seq` of its project, stores it in the project's history and
hands it to every listener, as one atomic step: numbering, history and delivery never disagree.
An `epoch` names one unbroken history of a project; it changes only when that history was lost
(a flushed or restarted Redis, an expired idle stream, a restarted embedded process).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

import msgspec

from domain.ids import ProjectId

HISTORY_MIN_EVENTS = 1000
HISTORY_MIN_AGE_MS = 10 * 60 * 1000

Listener = Callable[[str, bytes], None]
"""Called with (epoch, frame) for each event in order; epoch "" marks an unsequenced frame
(presence), which has no place in the history. It must not block: it only hands the frame on."""


class Retention(msgspec.Struct, frozen=True, kw_only=True):
    """History keeps at least `min_events` and at least everything younger than `min_age_ms`."""

    min_events: int = HISTORY_MIN_EVENTS
    min_age_ms: int = HISTORY_MIN_AGE_MS
    idle_ttl_seconds: int = 24 * 3600
    """A project's stream (seq, history, epoch) is forgotten after this long without events."""


class Appended(msgspec.Struct, frozen=True):
    epoch: str
    frames: list[bytes]
    """The events as sent to tabs: each payload with its `seq`, in order."""


class History(msgspec.Struct, frozen=True):
    epoch: str
    seq: int
    """The last seq given in this epoch (0 before the first event)."""
    frames: list[bytes]
    """Every event after the `since` asked for, oldest first."""
    complete: bool
    """Whether `frames` starts right after `since`, i.e. history still held everything asked for."""


def sequenced_frame(seq: int, payload: bytes) -> bytes:
    """The payload (a JSON object) with `seq` as its first field; see channels/lua/append.lua."""
    return b'{"seq":' + str(seq).encode() + b"," + payload[1:]


def seq_of(frame: bytes) -> int:
    """The `seq` of a sequenced frame, read from its fixed prefix without parsing the rest."""
    return int(frame[7 : frame.index(b",", 7)])


class Broker(Protocol):
    async def append(self, project_id: ProjectId, payloads: Sequence[bytes]) -> Appended:
        """Numbers, stores and delivers the payloads (JSON objects) in order, atomically."""
        ...

    async def broadcast(self, project_id: ProjectId, frame: bytes) -> None:
        """Delivers an unsequenced frame to the project's listeners in every process."""
        ...

    async def read(self, project_id: ProjectId, since: int | None = None) -> History:
        """The epoch and last seq of the project's stream, and the events after `since` (none
        when `since` is None). A project without a stream gets one, with a fresh epoch."""
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
