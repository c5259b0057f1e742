"""What local previews serve, for tests that compare pages."""

from __future__ import annotations

from server.preview_console import with_console


def as_previewed(page: str) -> str:
    """An HTML page's text as a local preview serves it: with its console script first."""
    return with_console(page.encode()).decode()
