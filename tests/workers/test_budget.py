"""The context budget: a conversation outgrowing it loses its older bulk first, and never the
request or the latest round."""

from __future__ import annotations

import pytest

from workers.agent.budget import EARLIER_NOTE, ContextTooLong, conversation_tokens, fit
from workers.agent.model import ChatMessage

BIG = "x" * 6000  # 2,000 tokens by the estimate


def user(text: str) -> ChatMessage:
    return ChatMessage(role="user", content=[{"type": "text", "text": text}])


def assistant(text: str) -> ChatMessage:
    return ChatMessage(role="assistant", content=[{"type": "text", "text": text}])


def round_writing(n: int, content: str) -> list[ChatMessage]:
    call = {"type": "tool_use", "id": f"t{n}", "name": "createOrUpdateFiles"}
    call["input"] = {"files": [{"path": f"f{n}.js", "content": content}]}
    result = {"type": "tool_result", "tool_use_id": f"t{n}", "content": f"Wrote f{n}.js"}
    return [ChatMessage(role="assistant", content=[call]), ChatMessage(role="user", content=[result])]


def rounds(count: int, content: str = BIG) -> list[ChatMessage]:
    return [message for n in range(count) for message in round_writing(n, content)]


def test_a_conversation_within_the_budget_is_left_as_it_is() -> None:
    conversation = [user("a page"), *rounds(2, "short")]

    assert fit(conversation, 1, 100, 10_000) == (conversation, 1)


def test_older_rounds_lose_the_files_they_wrote_but_keep_their_paths() -> None:
    conversation = [user("a page"), *rounds(6)]

    trimmed, _ = fit(conversation, 1, 0, 10_000)

    oldest = trimmed[1].content[0]["input"]["files"][0]
    assert oldest["path"] == "f0.js"
    assert oldest["content"] == "(6000 characters, left out here for length)"
    assert conversation_tokens(trimmed) <= 7_500


def test_the_latest_round_stays_whole() -> None:
    conversation = [user("a page"), *rounds(6)]

    trimmed, _ = fit(conversation, 1, 0, 10_000)

    assert trimmed[-2:] == conversation[-2:]


def test_earlier_turns_go_before_whole_rounds_and_leave_a_note_of_what_was_asked() -> None:
    history = [message for n in range(10) for message in (user(f"request {n} {BIG}"), assistant(BIG))]
    conversation = [*history, user("the request"), *rounds(2, "short")]

    trimmed, opening = fit(conversation, len(history) + 1, 0, 10_000)

    assert trimmed[opening - 1].content[-1]["text"] == "the request"
    assert trimmed[0].content[0]["text"].startswith(EARLIER_NOTE)
    assert "- request 0 xxx" in trimmed[0].content[0]["text"]
    assert trimmed[opening:] == conversation[len(history) + 1 :]


def test_a_conversation_that_cannot_be_made_to_fit_fails_as_too_long() -> None:
    with pytest.raises(ContextTooLong):
        fit([user(BIG * 10)], 1, 0, 10_000)
