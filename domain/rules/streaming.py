"""How streamed text adds up (a `message.delta` carries the length of the content before it), and
whose live frames a project's stream accepts."""

from __future__ import annotations

from uuid import UUID


def apply_delta(content: str, offset: int, text: str) -> str | None:
    """The content after the delta; None if the delta starts beyond it (text is missing between).

    A delta that starts inside the content repeats what is there and adds the rest, so applying
    a delta twice, or one the content already covers, changes nothing.
    """
    if offset > len(content):
        return None
    if offset + len(text) <= len(content):
        return content
    return content[:offset] + text


NO_RUN = ""
"""The fence of a project no run works on: its stream takes no live frames."""


def stream_fence(run_id: UUID, attempt: int) -> str:
    """The token one attempt of a run streams its live frames under. A later attempt, or the
    project's next run, has another: the stream then refuses the earlier one's frames."""
    return f"{run_id}:{attempt}"
