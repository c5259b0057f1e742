"""Names the product gives on its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def default_project_name(now: datetime) -> str:
    """`Project-<epoch ms>`, as the REST reference (002) names a project created from a prompt."""
    return f"Project-{(now - _EPOCH) // timedelta(milliseconds=1)}"


def is_default_project_name(name: str) -> bool:
    """Whether the project still has the name the product gave it (nobody has renamed it)."""
    suffix = name.removeprefix("Project-")
    return suffix != name and suffix.isdigit()


_FILLER = frozenset(
    [
        "a",
        "an",
        "the",
        "me",
        "my",
        "us",
        "our",
        "please",
        "build",
        "make",
        "create",
        "write",
        "generate",
        "give",
        "want",
        "need",
        "i",
        "we",
        "can",
        "you",
        "could",
        "would",
        "simple",
        "small",
        "little",
        "new",
        "for",
        "with",
        "that",
        "which",
    ]
)
NAME_WORDS = 4


def project_name_from(prompt: str) -> str | None:
    """A short name for a project from the prompt that started it ("a to-do list app" → "To-do
    List App"), or None when the prompt has no word to make one of."""
    words = [w.strip(".,;:!?\"'()[]") for w in prompt.split()]
    kept = [w for w in words if w and w.lower() not in _FILLER][:NAME_WORDS]
    if not kept:
        return None
    return " ".join(w[:1].upper() + w[1:] for w in kept)[:60]


VERSION_TITLE_MAX = 60
"""Characters of a version's title: a history entry's one line, not a paragraph."""


def version_title(summary: str, fallback: str = "Fragment") -> str:
    """A version's title: the summary's first line (models are asked to make it a few words),
    its Markdown marks dropped, cut at a word with an ellipsis when it is long."""
    lines = summary.strip().splitlines()
    first = lines[0].strip(" #*-_`") if lines else ""
    if not first:
        return fallback
    if len(first) <= VERSION_TITLE_MAX:
        return first
    cut = first[: VERSION_TITLE_MAX - 1]
    at_word = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return at_word.rstrip(" ,;:.-") + "…"
