"""The broker contract: a sequenced, replayable event stream per project.

Appending gives each event the next `seq` of its project, stores it in the project's history and
hands it to every subscriber, as one atomic step: numbering, history and delivery never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import msgspec

from domain.ids import ProjectId

HISTORY_MIN_EVENTS = 1000
HISTORY_MIN_AGE_MS = 10 * 60 * 1000


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


def sequenced_frame(seq: int, payload: bytes) -> bytes:
    """The payload (a JSON object) with `seq` as its first field; see channels/lua/append.lua."""
    return b'{"seq":' + str(seq).encode() + b"," + payload[1:]


class Broker(Protocol):
    async def append(self, project_id: ProjectId, payloads: Sequence[bytes]) -> Appended:
        """Numbers, stores and delivers the payloads (JSON objects) in order, atomically."""
        ...

    async def ping(self) -> None:
        """Raises if the broker cannot be reached."""
        ...
