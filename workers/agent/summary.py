"""The `<task_summary>` the model ends its work with: recognised, and kept out of the text tabs see."""

from __future__ import annotations

import msgspec

OPEN = "<task_summary>"
CLOSE = "</task_summary>"


class SummaryState(msgspec.Struct, frozen=True, kw_only=True):
    """Where the tags stood between two pieces of text (a run's checkpoint keeps it)."""

    summary: str | None = None
    inside: bool = False
    held: str = ""
    parts: list[str] = msgspec.field(default_factory=list)


class SummaryTags:
    """Removes the summary's tags from streamed text while remembering what they enclosed.

    Text arrives in arbitrary pieces, so a piece ending in what may be the start of a tag is held
    back until the next piece says whether it is one.
    """

    def __init__(self, state: SummaryState | None = None) -> None:
        state = state or SummaryState()
        self.summary: str | None = state.summary
        self._inside = state.inside
        self._held = state.held
        self._parts: list[str] = list(state.parts)

    def state(self) -> SummaryState:
        return SummaryState(
            summary=self.summary, inside=self._inside, held=self._held, parts=list(self._parts)
        )

    def feed(self, text: str) -> str:
        """The part of `text` (with what was held back) that can be shown now, tags removed."""
        buffer = self._held + text
        shown: list[str] = []
        while True:
            tag = CLOSE if self._inside else OPEN
            at = buffer.find(tag)
            if at < 0:
                break
            self._take(shown, buffer[:at])
            buffer = buffer[at + len(tag) :]
            if self._inside:
                self.summary = "".join(self._parts).strip()
            self._inside = not self._inside
        keep = _partial_tag_suffix(buffer)
        self._held = buffer[len(buffer) - keep :] if keep else ""
        self._take(shown, buffer[: len(buffer) - keep])
        return "".join(shown)

    def finish(self) -> str:
        """Whatever was held back at the end (it was not a tag after all)."""
        rest, self._held = self._held, ""
        shown: list[str] = []
        self._take(shown, rest)
        if self._inside and self.summary is None:  # an unclosed summary still counts
            self.summary = "".join(self._parts).strip()
        return "".join(shown)

    def _take(self, shown: list[str], text: str) -> None:
        shown.append(text)
        if self._inside:
            self._parts.append(text)


def _partial_tag_suffix(text: str) -> int:
    """How many characters at the end of `text` could begin a tag."""
    for size in range(min(len(CLOSE), len(text)), 0, -1):
        tail = text[-size:]
        if OPEN.startswith(tail) or CLOSE.startswith(tail):
            return size
    return 0
