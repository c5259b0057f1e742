"""Identifier types of the domain and the time-ordered UUIDs that back them."""

from __future__ import annotations

import os
import threading
import time
from typing import NewType
from uuid import UUID

UserId = NewType("UserId", str)
"""The identity provider's user id (Clerk's `sub`)."""

ProjectId = NewType("ProjectId", UUID)
MessageId = NewType("MessageId", UUID)
FragmentId = NewType("FragmentId", UUID)
AttachmentId = NewType("AttachmentId", UUID)
DraftId = NewType("DraftId", UUID)
DocUpdateId = NewType("DocUpdateId", UUID)
RunId = NewType("RunId", UUID)
ImportId = NewType("ImportId", UUID)
SubscriptionId = NewType("SubscriptionId", UUID)
ConnectionId = NewType("ConnectionId", UUID)
SpendId = NewType("SpendId", UUID)
InvitationId = NewType("InvitationId", UUID)

_lock = threading.Lock()
_last_ms = 0
_counter = 0


def new_id() -> UUID:
    """A UUIDv7 (RFC 9562): ids sort by creation time, and strictly within this process.

    Time order lets lists and queues use the id as a tie-breaker for equal timestamps.
    """
    global _last_ms, _counter
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms > _last_ms:
            _last_ms, _counter = now_ms, int.from_bytes(os.urandom(2), "big") & 0x3FF
        else:
            _counter += 1
            if _counter > 0xFFF:  # 4096 ids in one millisecond: borrow the next one
                _last_ms, _counter = _last_ms + 1, 0
        ms, counter = _last_ms, _counter
    random_tail = int.from_bytes(os.urandom(8), "big") & 0x3FFF_FFFF_FFFF_FFFF
    value = (ms << 80) | (0x7 << 76) | (counter << 64) | (0b10 << 62) | random_tail
    return UUID(int=value)
