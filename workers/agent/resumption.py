"""A round asked again after it broke off partway through its text (a failed call, or a crashed
worker): the model is shown the text it had got to and asked to go on from there, and whatever it
says again of that text is not shown twice. The tabs' text only ever grows."""

from __future__ import annotations

from workers.agent.model import ChatMessage

RESUME = (
    "Your previous reply was cut off by a connection problem right after the text above. "
    "Continue exactly where it stops, without repeating any of it."
)


def resumed(conversation: list[ChatMessage], shown: str) -> list[ChatMessage]:
    """The conversation to ask again with: as it was when the round had shown nothing, else with
    the text it had shown as the assistant's, and the request to go on."""
    if not shown.strip():
        return conversation
    return [
        *conversation,
        ChatMessage(role="assistant", content=[{"type": "text", "text": shown}]),
        ChatMessage(role="user", content=[{"type": "text", "text": RESUME}]),
    ]


class Continuation:
    """Passes on the text of a round asked again, less any repetition of what it had shown: text
    that begins as the shown text does is held until it has repeated all of it (then dropped, and
    what follows passed on) or turns away from it (then passed on whole). A reply that ends while
    still repeating has nothing new to say."""

    def __init__(self, shown: str) -> None:
        self.shown = shown
        self.passed = ""
        """Everything passed on: the round's text after `shown`."""
        self._held = ""
        self._comparing = bool(shown)

    def feed(self, text: str) -> str:
        if not self._comparing:
            self.passed += text
            return text
        candidate = self._held + text
        if self.shown.startswith(candidate):
            self._held = candidate
            return ""
        self._comparing, self._held = False, ""
        new = candidate.removeprefix(self.shown)
        self.passed += new
        return new
