"""Text both databases can store: PostgreSQL refuses NUL characters, so input carrying them is
refused first, for every deployment alike, as a client error rather than a failed write."""

from __future__ import annotations

import re

# `\u0000` in JSON text, unless its backslash is itself escaped (`\\u0000` is six harmless chars).
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def has_nul(json_text: bytes) -> bool:
    return _NUL_ESCAPE.search(json_text) is not None
