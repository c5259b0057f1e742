"""What the model is told: the framework's conventions, the project's code and the conversation."""

from __future__ import annotations

import posixpath
from collections import Counter

from domain.entities import Attachment, Files, Message
from domain.enums import AttachmentType, Framework, MessageRole, MessageType
from workers.agent.model import ChatMessage, ContentBlock
from workers.agent.summary import CLOSE, OPEN
from workers.sandboxes.base import DEV_SERVER_PORTS

FILES_BUDGET_CHARS = 60_000
"""Current files inlined into the first request; beyond it the model reads them with readFiles."""
MAX_IMAGES = 20
"""Images of one request; each costs up to about 1,600 tokens once the service has scaled it."""
CACHED = {"type": "ephemeral"}
"""The restored files are the same for every call of a run: the prompt cache keeps them
(workers/providers/prompt_cache.py)."""
UNSHOWN_HEADING = "Not shown here (read them with readFiles):"

CONVENTIONS: dict[Framework, str] = {
    Framework.NEXTJS: "Next.js (App Router, TypeScript): pages in app/, 'use client' where state is used.",
    Framework.ANGULAR: "Angular (standalone components, TypeScript): the app lives in src/app/.",
    Framework.REACT: "React with Vite (JSX): entry src/main.jsx, components in src/.",
    Framework.VUE: "Vue 3 with Vite (single-file components): entry src/main.js, components in src/.",
    Framework.SVELTE: "Svelte with Vite: entry src/main.js, components in src/.",
}

FILES_HEADING = "The project's current files (the app you are changing):"
FRAMEWORK_MARKER = "Framework: "
"""The line of the system prompt naming the framework (the offline provider reads it too)."""


def system_prompt(framework: Framework) -> str:
    port = DEV_SERVER_PORTS[framework]
    return "\n".join(
        [
            "You are a senior web developer building the user's app inside a sandbox.",
            f"{FRAMEWORK_MARKER}{framework.value}",
            f"Conventions: {CONVENTIONS[framework]}",
            f"The dev server listens on 0.0.0.0:{port}; the package.json `dev` script must start it there.",
            "Work with the tools: createOrUpdateFiles to write files, editFile for small exact changes,",
            "readFiles to look at files, terminal to run commands such as `npm install`.",
            "Keep the existing app and change what the user asks for; write complete, working files.",
            "Tell the user briefly what you are doing as you go.",
            f"When the app is done, end with {OPEN}a title of at most six words on its own first line "
            f"(it names this version in the history), then a short summary of what you built{CLOSE}.",
        ]
    )


def conversation(
    history: list[Message],
    request: str,
    attachments: list[Attachment],
    files: Files,
    files_chars: int = FILES_BUDGET_CHARS,
) -> list[ChatMessage]:
    """The earlier turns, then the request the run answers with its images (at most MAX_IMAGES)
    and the current files, `files_chars` of them at most inlined.

    Consecutive messages of one role are merged: the Messages API wants the roles to alternate.
    """
    turns: list[ChatMessage] = []
    for message in history:
        if message.type == MessageType.ERROR or not message.content:
            continue
        role = "user" if message.role == MessageRole.USER else "assistant"
        _append(turns, role, [{"type": "text", "text": message.content}])
    images = [a for a in attachments if a.type == AttachmentType.IMAGE][:MAX_IMAGES]
    blocks: list[ContentBlock] = [{"type": "image", "source": {"type": "url", "url": a.url}} for a in images]
    blocks += [{"type": "text", "text": text} for text in _attachment_notes(attachments)]
    if files:
        blocks.append({"type": "text", "text": files_overview(files, files_chars), "cache_control": CACHED})
    blocks.append({"type": "text", "text": request})
    _append(turns, "user", blocks)
    if turns[0].role != "user":
        turns.insert(
            0, ChatMessage(role="user", content=[{"type": "text", "text": "(earlier conversation)"}])
        )
    return turns


def files_overview(files: Files, budget: int = FILES_BUDGET_CHARS) -> str:
    """The contents of as many files as fit `budget` characters, and a listing of the others: one
    line per file, or per folder when that would be too long (a repository of hundreds of files)."""
    lines = [FILES_HEADING]
    unshown: list[str] = []
    for path in sorted(files):
        content = files[path]
        if len(content) <= budget:
            budget -= len(content)
            lines.append(f"--- {path}\n{content}")
        else:
            unshown.append(path)
    if unshown:
        lines += [UNSHOWN_HEADING, *_listing(unshown, files, max(budget, FILES_BUDGET_CHARS // 4))]
    return "\n".join(lines)


def _listing(paths: list[str], files: Files, budget: int) -> list[str]:
    lines = [f"--- {path} ({len(files[path])} characters)" for path in paths]
    if sum(len(line) + 1 for line in lines) <= budget:
        return lines
    folders = Counter(posixpath.dirname(path) or "." for path in paths)
    return [f"--- {folder}/ ({count} files)" for folder, count in sorted(folders.items())]


def _attachment_notes(attachments: list[Attachment]) -> list[str]:
    """Imported designs and repositories, as the import worker summarised them."""
    notes = []
    for attachment in attachments:
        summary = (attachment.source_metadata or {}).get("designSummary")
        if attachment.type != AttachmentType.IMAGE and summary:
            notes.append(f"Attached {attachment.type.value.replace('_', ' ').lower()}:\n{summary}")
    return notes


def _append(turns: list[ChatMessage], role: str, blocks: list[ContentBlock]) -> None:
    if turns and turns[-1].role == role:
        turns[-1] = ChatMessage(role=turns[-1].role, content=[*turns[-1].content, *blocks])
    else:
        turns.append(ChatMessage(role="user" if role == "user" else "assistant", content=blocks))
