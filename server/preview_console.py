"""The console script of local previews (server/static/preview/console.js): added to every HTML
page a local preview serves, first thing in its head, so it sees the app's errors from the start."""

from __future__ import annotations

import re
from pathlib import Path

CONSOLE_SCRIPT_PATH = "/preview/console.js"
CONSOLE_SCRIPT = (Path(__file__).resolve().parent / "static" / "preview" / "console.js").read_bytes()
_TAG = f'<script src="{CONSOLE_SCRIPT_PATH}"></script>'.encode()
_HEAD = re.compile(rb"<head(\s[^>]*)?>", re.IGNORECASE)
_DOCTYPE = re.compile(rb"^\s*<!doctype[^>]*>", re.IGNORECASE)


def with_console(page: bytes) -> bytes:
    """The page with the script tag after `<head>`, else after the doctype, else first."""
    for pattern in (_HEAD, _DOCTYPE):
        match = pattern.search(page)
        if match is not None:
            return page[: match.end()] + _TAG + page[match.end() :]
    return _TAG + page
