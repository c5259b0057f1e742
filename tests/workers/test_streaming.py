"""A reply on its way to the tabs: first piece at once, then coalesced frames, silent saves."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from domain.events import MessageDelta
from domain.ids import MessageId
from workers.agent.summary import SummaryTags
from workers.streaming import ReplyStream


class Published:
    def __init__(self) -> None:
        self.deltas: list[MessageDelta] = []

    async def publish(self, events: list[MessageDelta]) -> None:
        self.deltas.extend(events)


def _stream(published: Published, saved: list[str], **intervals: float) -> ReplyStream:
    async def save(content: str) -> None:
        saved.append(content)

    return ReplyStream(published, MessageId(uuid4()), save, **intervals)


async def test_the_first_piece_goes_out_at_once() -> None:
    published = Published()
    stream = _stream(published, [])

    await stream.write("Hello")

    assert [(d.offset, d.text) for d in published.deltas] == [(0, "Hello")]


async def test_pieces_arriving_together_travel_in_one_frame_with_their_offset() -> None:
    published = Published()
    stream = _stream(published, [], delta_interval=0.05)
    await stream.write("Hello")
    for piece in (", ", "wor", "ld"):
        await stream.write(piece)

    await asyncio.sleep(0.1)

    assert [(d.offset, d.text) for d in published.deltas] == [(0, "Hello"), (5, ", world")]


async def test_closing_sends_what_is_left() -> None:
    published = Published()
    stream = _stream(published, [], delta_interval=10)
    await stream.write("a")
    await stream.write("b")

    await stream.close()

    assert "".join(d.text for d in published.deltas) == "ab"


async def test_the_text_is_saved_now_and_then_not_per_piece() -> None:
    saved: list[str] = []
    stream = _stream(Published(), saved, save_interval=0.05)
    for _ in range(50):
        await stream.write("x")
        await asyncio.sleep(0.005)
    await stream.close()

    assert 1 <= len(saved) < 15
    assert saved[-1] == "x" * len(saved[-1])


def test_summary_tags_are_removed_even_when_split_across_pieces() -> None:
    tags = SummaryTags()
    text = "Done. <task_summary>A to-do list.</task_summary>"

    shown = "".join(tags.feed(text[i : i + 3]) for i in range(0, len(text), 3)) + tags.finish()

    assert (shown, tags.summary) == ("Done. A to-do list.", "A to-do list.")


def test_text_that_only_looks_like_a_tag_is_kept() -> None:
    tags = SummaryTags()

    shown = tags.feed("a <b> and <task") + tags.finish()

    assert (shown, tags.summary) == ("a <b> and <task", None)
