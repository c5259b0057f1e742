"""The `prompt` frames a tab sent with a `ref`, and the first answer each got: a retried prompt (same
ref) is answered again instead of run again, so it costs one credit however often it is sent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import msgspec

from channels.frames import ErrorFrame
from domain.errors import KeyReused, RequestInFlight
from server.client_frames import Prompt

MAX_REFS = 256
"""Refs remembered per tab; past that the oldest is forgotten (a retry comes soon or not at all)."""


@dataclass(frozen=True, slots=True)
class Replay:
    """The first answer to a prompt sent again: its refusal, or None when it was taken (the tab
    got its `message.created` then, so there is nothing more to send)."""

    refusal: ErrorFrame | None


@dataclass(slots=True)
class _Entry:
    digest: bytes
    answer: Replay | None = None
    """None while the first prompt with this ref is being handled."""


class PromptRefs:
    """One tab's refs. A tab's frames are handled one at a time, so a retry normally finds the
    first answer ready; one that arrives while the first is still handled is refused as such."""

    __slots__ = ("_entries", "_limit")

    def __init__(self, limit: int = MAX_REFS) -> None:
        self._limit = limit
        self._entries: dict[str, _Entry] = {}

    def begin(self, ref: str, prompt: Prompt) -> Replay | None:
        """None for a new ref, which is then in flight until `settle` or `forget`; else the first
        answer. Raises KeyReused for a ref sent before with another prompt, RequestInFlight while
        the first prompt with the ref is still being handled."""
        digest = hashlib.sha256(msgspec.json.encode(prompt)).digest()
        entry = self._entries.get(ref)
        if entry is None:
            if len(self._entries) >= self._limit:
                del self._entries[next(iter(self._entries))]  # dicts keep insertion order: the oldest
            self._entries[ref] = _Entry(digest)
            return None
        if entry.digest != digest:
            raise KeyReused("This ref was used with a different prompt.")
        if entry.answer is None:
            raise RequestInFlight("The prompt with this ref is still being handled.")
        return entry.answer

    def settle(self, ref: str, refusal: ErrorFrame | None) -> None:
        """The prompt with `ref` was taken (None) or refused: the answer its retries get."""
        entry = self._entries.get(ref)
        if entry is not None:
            entry.answer = Replay(refusal)

    def forget(self, ref: str) -> None:
        """The prompt with `ref` failed unexpectedly, with nothing written: a retry may run it."""
        self._entries.pop(ref, None)
