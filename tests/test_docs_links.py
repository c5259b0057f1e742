"""The README and docs/ stand on their own in a clone: every Markdown link is a real external URL
(http or https) or a path to a file of this repository; anchors are not checked."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
_INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.MULTILINE)
_AUTOLINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^>\s]*)>", re.IGNORECASE)
_EXTERNAL = re.compile(r"^https?://[^/\s]+\.[^/\s]+", re.IGNORECASE)


def link_targets(markdown: str) -> list[str]:
    """The targets of inline links and images, reference definitions and autolinks, outside code."""
    text = _CODE_SPAN.sub("", _FENCE.sub("", markdown))
    return [m.group(1) for pattern in (_INLINE, _REFERENCE, _AUTOLINK) for m in pattern.finditer(text)]


def repository_files() -> set[Path]:
    """The files a clone has (tracked, or new and not ignored); without git, those on disk."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return {path for path in ROOT.rglob("*") if path.is_file()}
    return {ROOT / name for name in listed.decode().split("\0") if name}


def problem_with(target: str, document: Path, files: set[Path]) -> str | None:
    """Why `target`, linked from `document`, leaves the repository; None when it does not."""
    if _EXTERNAL.match(target):
        return None
    if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("//"):
        return "not an http(s) URL"
    path = unquote(target.split("#", 1)[0].split("?", 1)[0])
    if not path:
        return None  # an anchor in the same document
    resolved = (ROOT / path.lstrip("/") if path.startswith("/") else document.parent / path).resolve()
    if not resolved.is_relative_to(ROOT):
        return "outside the repository"
    if resolved.is_dir():
        return None if any(f.is_relative_to(resolved) for f in files) else "an empty or unknown folder"
    return None if resolved in files else "no such file in the repository"


def test_the_checks_tell_a_link_that_leaves_the_repository_from_one_that_stays():
    document, files = ROOT / "docs" / "api.md", {ROOT / "docs" / "protocol.md", ROOT / "README.md"}

    verdicts = {
        target: problem_with(target, document, files)
        for target in (
            "https://github.com/",
            "protocol.md#hello",
            "../README.md",
            "#routes",
            "../../shared/API.md",
            "missing.md",
            "file:///etc/passwd",
        )
    }

    assert verdicts == {
        "https://github.com/": None,
        "protocol.md#hello": None,
        "../README.md": None,
        "#routes": None,
        "../../shared/API.md": "outside the repository",
        "missing.md": "no such file in the repository",
        "file:///etc/passwd": "not an http(s) URL",
    }


def test_links_in_code_are_not_links():
    markdown = "See [a](a.md) and `[b](b.md)`.\n\n```\n[c](c.md)\n```\n[d]: d.md\n<https://example.com/e>\n"

    assert link_targets(markdown) == ["a.md", "d.md", "https://example.com/e"]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_link_of_the_documentation_stays_in_the_repository_or_is_a_real_url(document: Path):
    files = repository_files()

    problems = [
        f"{target}: {problem}"
        for target in link_targets(document.read_text(encoding="utf-8"))
        if (problem := problem_with(target, document, files)) is not None
    ]

    assert problems == []
