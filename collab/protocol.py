"""The y-websocket messages (binary frames), as any Yjs client speaks them:

    sync       0, then 0 step 1 (a state vector), 1 step 2 (an update), 2 update; each a
               length-prefixed payload
    awareness  1, then a length-prefixed awareness update
    auth       2, then 0 (permission denied) and a length-prefixed reason
    query      3: the client asks for everyone's awareness

Lengths are unsigned LEB128 ("var uint"). Parsing never trusts them: a frame that does not hold
exactly one well-formed message is a BadMessage.
"""

from __future__ import annotations

from typing import NamedTuple

MESSAGE_SYNC = 0
MESSAGE_AWARENESS = 1
MESSAGE_AUTH = 2
MESSAGE_QUERY_AWARENESS = 3
SYNC_STEP1 = 0
SYNC_STEP2 = 1
SYNC_UPDATE = 2
PERMISSION_DENIED = 0
MAX_VAR_UINT_BYTES = 10


class BadMessage(Exception):
    """Not a y-websocket message."""


class SyncStep1(NamedTuple):
    state: bytes


class SyncStep2(NamedTuple):
    update: bytes


class SyncUpdate(NamedTuple):
    update: bytes


class AwarenessMessage(NamedTuple):
    update: bytes


class QueryAwareness(NamedTuple):
    pass


Message = SyncStep1 | SyncStep2 | SyncUpdate | AwarenessMessage | QueryAwareness


def parse(frame: bytes) -> Message:
    if not frame:
        raise BadMessage("an empty frame")
    kind = frame[0]
    if kind == MESSAGE_QUERY_AWARENESS and len(frame) == 1:
        return QueryAwareness()
    if kind == MESSAGE_AWARENESS:
        return AwarenessMessage(_payload(frame, 1))
    if kind == MESSAGE_SYNC and len(frame) > 1:
        payload = _payload(frame, 2)
        match frame[1]:
            case 0:
                return SyncStep1(payload)
            case 1:
                return SyncStep2(payload)
            case 2:
                return SyncUpdate(payload)
    raise BadMessage(f"message type {kind} is not one a server takes")


def read_var_uint(data: bytes, at: int) -> tuple[int, int]:
    """The number at `at` and where the next field starts."""
    value = shift = 0
    for index in range(at, min(len(data), at + MAX_VAR_UINT_BYTES)):
        byte = data[index]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, index + 1
        shift += 7
    raise BadMessage("a length runs past the frame")


def var_uint(value: int) -> bytes:
    out = bytearray()
    while value > 0x7F:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    out.append(value)
    return bytes(out)


def _payload(frame: bytes, at: int) -> bytes:
    length, start = read_var_uint(frame, at)
    if start + length != len(frame):
        raise BadMessage("the payload's length does not match the frame")
    return frame[start:]


def sync_step1(state: bytes) -> bytes:
    return bytes([MESSAGE_SYNC, SYNC_STEP1]) + var_uint(len(state)) + state


def sync_step2(update: bytes) -> bytes:
    return bytes([MESSAGE_SYNC, SYNC_STEP2]) + var_uint(len(update)) + update


def sync_update(update: bytes) -> bytes:
    return bytes([MESSAGE_SYNC, SYNC_UPDATE]) + var_uint(len(update)) + update


def awareness(update: bytes) -> bytes:
    return bytes([MESSAGE_AWARENESS]) + var_uint(len(update)) + update


def permission_denied(reason: str) -> bytes:
    text = reason.encode()
    return bytes([MESSAGE_AUTH, PERMISSION_DENIED]) + var_uint(len(text)) + text
