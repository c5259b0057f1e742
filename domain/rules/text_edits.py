"""The smallest edits that turn one text into another. Applied to a shared document, they leave
alone what they do not touch: a person typing elsewhere in the same file keeps their keystrokes
while the agent rewrites a function, or a draft is saved whole."""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import NamedTuple


class TextEdit(NamedTuple):
    """Replace the characters `start`..`end` (code points) of the old text with `text`."""

    start: int
    end: int
    text: str


def minimal_edits(old: str, new: str) -> list[TextEdit]:
    """Edits in ascending order, not overlapping: line blocks that differ, each narrowed to the
    characters that differ. Lines first, since a line diff is fast on whole files and matches
    how code changes; then characters, so that a changed line keeps its unchanged ends."""
    if old == new:
        return []
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    old_starts, new_starts = _starts(old_lines), _starts(new_lines)
    edits: list[TextEdit] = []
    matcher = SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before = old[old_starts[i1] : old_starts[i2]]
        after = new[new_starts[j1] : new_starts[j2]]
        edits.append(_narrowed(old_starts[i1], before, after))
    return edits


def _starts(lines: list[str]) -> list[int]:
    """Where each line starts, and the end of the text last."""
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    return starts


def _narrowed(offset: int, before: str, after: str) -> TextEdit:
    prefix = 0
    limit = min(len(before), len(after))
    while prefix < limit and before[prefix] == after[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and before[-1 - suffix] == after[-1 - suffix]:
        suffix += 1
    return TextEdit(offset + prefix, offset + len(before) - suffix, after[prefix : len(after) - suffix])


def apply_edits(text: str, edits: list[TextEdit]) -> str:
    """The text with the edits made (what a shared document ends with)."""
    for edit in reversed(edits):
        text = text[: edit.start] + edit.text + text[edit.end :]
    return text


def rebased_edits(base: str, new: str, current: str) -> list[TextEdit]:
    """The edits that bring `base` to `new`, moved onto `current` (base with someone else's edits
    made meanwhile): a three-way merge. Changes in different places both hold; where the two
    change the same characters, this change wins there."""
    theirs = minimal_edits(base, current)
    moved = [
        TextEdit(_moved(edit.start, theirs, at_end=False), _moved(edit.end, theirs, at_end=True), edit.text)
        for edit in minimal_edits(base, new)
    ]
    return _without_overlaps(moved)


def _moved(position: int, theirs: list[TextEdit], at_end: bool) -> int:
    """Where a position of the base text is in the current one. Inside a region the others
    changed, a start goes to that region's start and an end to its end, so the region is taken."""
    shift = 0
    for edit in theirs:
        if edit.end < position or (edit.end == position and edit.start < position):
            shift += len(edit.text) - (edit.end - edit.start)
        elif edit.start < position < edit.end:
            return edit.start + shift + (len(edit.text) if at_end else 0)
        else:
            break
    return position + shift


def _without_overlaps(edits: list[TextEdit]) -> list[TextEdit]:
    """Edits widened into one region of the others' change may meet: merge those."""
    merged: list[TextEdit] = []
    for edit in edits:
        if merged and edit.start < merged[-1].end:
            last = merged.pop()
            edit = TextEdit(last.start, max(last.end, edit.end), last.text + edit.text)
        merged.append(edit)
    return merged
