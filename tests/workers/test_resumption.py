"""A round asked again after it broke off: the text already shown is shown once."""

from __future__ import annotations

from workers.agent.model import ChatMessage
from workers.agent.resumption import RESUME, Continuation, resumed

SHOWN = "I'll write the page"


def fed(continuation: Continuation, *pieces: str) -> str:
    return "".join(continuation.feed(piece) for piece in pieces)


def test_a_reply_that_goes_on_where_the_text_stopped_is_passed_on_whole() -> None:
    assert fed(Continuation(SHOWN), " now", ".") == " now."


def test_a_reply_that_says_the_shown_text_again_passes_on_only_what_follows() -> None:
    assert fed(Continuation(SHOWN), "I'll wr", "ite the page", " now.") == " now."


def test_a_reply_that_begins_alike_but_turns_away_is_passed_on_whole() -> None:
    assert fed(Continuation(SHOWN), "I'll ", "build it.") == "I'll build it."


def test_a_reply_that_ends_while_repeating_adds_nothing() -> None:
    continuation = Continuation(SHOWN)

    fed(continuation, "I'll write")

    assert continuation.passed == ""


def test_the_model_is_shown_the_text_it_had_got_to_and_asked_to_go_on() -> None:
    conversation = [ChatMessage(role="user", content=[{"type": "text", "text": "a page"}])]

    asked = resumed(conversation, SHOWN)

    assert [(m.role, m.content[0]["text"]) for m in asked[1:]] == [("assistant", SHOWN), ("user", RESUME)]


def test_a_round_that_had_shown_nothing_is_asked_again_as_it_was() -> None:
    conversation = [ChatMessage(role="user", content=[{"type": "text", "text": "a page"}])]

    assert resumed(conversation, "") == conversation
