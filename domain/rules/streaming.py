"""How streamed text adds up: a `message.delta` carries the length of the content before it."""

from __future__ import annotations


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
