"""The offline provider: no key, no network, the same tool calls a model would make.

It builds a small but real app for the prompt in the project's framework (see offline_apps),
streams its words at a readable pace and ends with a task summary, so the embedded product shows
the whole experience. It reads only what a model reads: the system prompt and the conversation.
"""

from __future__ import annotations

import asyncio
import re

from domain.entities import TokenUsage
from domain.enums import DEFAULT_FRAMEWORK, Framework
from workers.agent.loop import CONTINUE, FINISH
from workers.agent.model import OFFLINE_PROVIDER, ChatMessage, ModelRequest, ModelTurn, OnText, ToolCall
from workers.agent.prompts import FILES_HEADING, FRAMEWORK_MARKER
from workers.agent.resumption import RESUME
from workers.agent.summary import CLOSE, OPEN
from workers.providers.offline_apps import OfflineApp, build_app
from workers.providers.offline_edits import Edit, edit_of, edits_for, files_to_read, read_files

NAME = OFFLINE_PROVIDER
WORD = re.compile(r"\S+\s*|\s+")
CONFIG_FILES = re.compile(
    r"(^|/)(package\.json|[^/]*\.config\.[a-z]+|tsconfig[^/]*\.json|angular\.json|index\.html)$"
)
NUDGES = frozenset({CONTINUE, FINISH, RESUME})
WORD_CHARACTERS = re.compile(r"\w")
MEANINGFUL_CHARACTERS = 3
"""Fewer letters or digits than this say nothing to build from: answered for free."""
TOO_SHORT = (
    'That is too short for the offline demo model to build from: describe the app ("a to-do list '
    f'app") or the change you want. This reply cost no credit.{OPEN}No change{CLOSE}'
)


class OfflineProvider:
    name = NAME

    def __init__(self, word_delay_seconds: float = 0.02) -> None:
        self.word_delay_seconds = word_delay_seconds

    async def reply(self, request: ModelRequest, on_text: OnText) -> ModelTurn:
        framework = _framework(request.system)
        prompt, existing, step = _position(request.messages)
        app = build_app(prompt, framework)
        declined = False
        calls: list[ToolCall]
        if len(WORD_CHARACTERS.findall(prompt)) < MEANINGFUL_CHARACTERS:
            text, calls, declined = TOO_SHORT, [], True
        elif existing and (change := edit_of(prompt)) is not None:  # "due dates on the to-dos" too
            text, calls, declined = _edit(step, change, existing, request.messages)
        elif existing and app.kind == "landing":
            text, calls = _follow_up(step, existing)
            declined = not calls
        else:
            text, calls = _build(step, app, rebuilding=bool(existing))
        await self._speak(text, on_text)
        return ModelTurn(
            text=text,
            tool_calls=calls,
            stop_reason="tool_use" if calls else "end_turn",
            declined=declined,
            usage=TokenUsage(
                input_tokens=sum(len(WORD.findall(_text_of(m))) for m in request.messages),
                output_tokens=len(WORD.findall(text)),
            ),
        )

    async def _speak(self, text: str, on_text: OnText) -> None:
        for word in WORD.findall(text):
            await on_text(word)
            if self.word_delay_seconds:
                await asyncio.sleep(self.word_delay_seconds)


def _build(step: int, app: OfflineApp, rebuilding: bool) -> tuple[str, list[ToolCall]]:
    """Configuration first, then the app's own code, then the summary."""
    config = {p: c for p, c in app.files.items() if CONFIG_FILES.search(p)}
    code = {p: c for p, c in app.files.items() if p not in config}
    if step == 0:
        opening = "This asks for a different app, so I'll start over. " if rebuilding else ""
        return opening + app.intro + "\n\nFirst the project setup.", [_write(step, config)]
    if step == 1 and code:
        return "Now the app itself.", [_write(step, code)]
    return f"{OPEN}{app.summary}{CLOSE}", []


def _edit(
    step: int, change: Edit, existing: list[str], messages: list[ChatMessage]
) -> tuple[str, list[ToolCall], bool]:
    """A change it knows: it reads the files, edits them with editFile, then sums up; when the
    files no longer look as it built them, it declines."""
    if step == 0:
        wanted = files_to_read(change, existing) or existing[:1]
        read = ToolCall(id="offline_read_0", name="readFiles", input={"files": wanted})
        return "Let me read the files this touches.", [read], False
    if step == 1:
        calls = edits_for(change, read_files(_last_tool_result(messages)))
        if not calls:
            return (
                "These files no longer look as the offline demo model built them, so it cannot "
                f"make this change; nothing changed and this reply cost no credit.{OPEN}No change{CLOSE}",
                [],
                True,
            )
        return "Now the change.", calls, False
    return f"{OPEN}{change.title}\n\n{_DONE[change.kind]}{CLOSE}", [], False


_DONE = {
    "accent": "Changed the accent colour of buttons, links and focus rings.",
    "dark": "Added dark colours and a toggle in the top corner that remembers the choice.",
    "rename": "Renamed the app wherever it shows its title.",
    "due": "Added a due date to the to-do items: pick one beside a new task; it shows after the task.",
}


def _last_tool_result(messages: list[ChatMessage]) -> str:
    for message in reversed(messages):
        for block in message.content:
            if block.get("type") == "tool_result":
                return str(block.get("content") or "")
    return ""


def _follow_up(step: int, existing: list[str]) -> tuple[str, list[ToolCall]]:
    """A change it cannot make for real: it reads the app, then says so honestly. It changes
    nothing, so the run makes no version, and it declines, so the run costs no credit."""
    if step == 0:
        wanted = [p for p in ("package.json", "index.html") if p in existing] or existing[:2]
        return "Let me look at the current app first.", [
            ToolCall(id="offline_read_0", name="readFiles", input={"files": wanted})
        ]
    return (
        "The offline demo model builds whole apps (a to-do list, a counter, notes, a landing page) "
        "but cannot make this change, so the app is unchanged and this reply cost no credit. With an "
        f"Anthropic key configured, a real model makes it.{OPEN}No change{CLOSE}",
        [],
    )


def _write(step: int, files: dict[str, str]) -> ToolCall:
    return ToolCall(
        id=f"offline_write_{step}",
        name="createOrUpdateFiles",
        input={"files": [{"path": p, "content": c} for p, c in files.items()]},
    )


def _framework(system: str) -> Framework:
    for line in system.splitlines():
        if line.startswith(FRAMEWORK_MARKER):
            try:
                return Framework(line.removeprefix(FRAMEWORK_MARKER).strip())
            except ValueError:
                break
    return DEFAULT_FRAMEWORK


def _position(messages: list[ChatMessage]) -> tuple[str, list[str], int]:
    """The request being answered, the files the project already had, and how many replies to it
    were given so far."""
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        texts = [b["text"] for b in message.content if b.get("type") == "text"]
        is_request = (
            message.role == "user"
            and texts
            and not any(b.get("type") == "tool_result" for b in message.content)
            and texts[-1] not in NUDGES
        )
        if is_request:
            existing = [
                line.removeprefix("--- ").split(" (", 1)[0]
                for text in texts
                if text.startswith(FILES_HEADING)
                for line in text.splitlines()
                if line.startswith("--- ")
            ]
            later = messages[index + 1 :]
            # A reply that broke off and is being resumed does not count: it is said again whole.
            replies = sum(
                1
                for n, m in enumerate(later)
                if m.role == "assistant" and not (n + 1 < len(later) and _text_of(later[n + 1]) == RESUME)
            )
            return texts[-1], existing, replies
    return "", [], 0


def _text_of(message: ChatMessage) -> str:
    return " ".join(str(b.get("text") or b.get("content") or "") for b in message.content)
