"""Who is in a shared document and where their cursor is (the Yjs awareness protocol).

An awareness update is a var uint count, then per client: its id, a clock and its state as a
JSON string ("null" when it left). The server keeps the latest state of each client so that a
newcomer sees everyone at once, lets a connection speak only for the clients it introduced, and
stamps each state's `user` with who the connection really is, so nobody can show as someone else.
"""

from __future__ import annotations

import json
from typing import NamedTuple

from collab.protocol import BadMessage, read_var_uint, var_uint

MAX_STATE_BYTES = 8 * 1024
MAX_ENTRIES = 16
"""Clients one message may speak for: a tab has one, a test client maybe a few."""
LEFT = b"null"


class Entry(NamedTuple):
    client_id: int
    clock: int
    state: bytes
    """The JSON text of the state, `null` when the client left."""


def decode(update: bytes) -> list[Entry]:
    count, at = read_var_uint(update, 0)
    if count > MAX_ENTRIES:
        raise BadMessage(f"an awareness update speaks for at most {MAX_ENTRIES} clients")
    entries = []
    for _ in range(count):
        client_id, at = read_var_uint(update, at)
        clock, at = read_var_uint(update, at)
        length, at = read_var_uint(update, at)
        if length > MAX_STATE_BYTES or at + length > len(update):
            raise BadMessage("an awareness state is too long or runs past the frame")
        entries.append(Entry(client_id, clock, update[at : at + length]))
        at += length
    if at != len(update):
        raise BadMessage("bytes after the awareness entries")
    return entries


def encode(entries: list[Entry]) -> bytes:
    out = bytearray(var_uint(len(entries)))
    for entry in entries:
        out += var_uint(entry.client_id) + var_uint(entry.clock) + var_uint(len(entry.state)) + entry.state
    return bytes(out)


def stamped(state: bytes, user: dict[str, str]) -> bytes:
    """The state with `user` carrying the connection's true id and name (its colour is kept)."""
    if state == LEFT:
        return state
    try:
        value = json.loads(state)
    except (ValueError, UnicodeDecodeError):
        raise BadMessage("an awareness state is not JSON") from None
    if not isinstance(value, dict):
        raise BadMessage("an awareness state is a JSON object")
    claimed = value.get("user")
    value["user"] = {**(claimed if isinstance(claimed, dict) else {}), **user}
    return json.dumps(value, separators=(",", ":")).encode()


class AwarenessBook:
    """The latest state of every client in one document, from every connection and process."""

    def __init__(self) -> None:
        self.entries: dict[int, Entry] = {}

    def take(self, entries: list[Entry]) -> list[Entry]:
        """Keeps the entries newer than what it has; returns those (what to pass on)."""
        taken = []
        for entry in entries:
            known = self.entries.get(entry.client_id)
            if known is not None and known.clock >= entry.clock and entry.state != LEFT:
                continue
            if entry.state == LEFT:
                self.entries.pop(entry.client_id, None)
            else:
                self.entries[entry.client_id] = entry
            taken.append(entry)
        return taken

    def everyone(self) -> bytes | None:
        return encode(list(self.entries.values())) if self.entries else None

    def leave(self, client_ids: set[int]) -> bytes | None:
        """Forgets those clients; the update that tells the others they left."""
        gone = [
            Entry(client_id, self.entries.pop(client_id).clock + 1, LEFT)
            for client_id in sorted(client_ids)
            if client_id in self.entries
        ]
        return encode(gone) if gone else None
