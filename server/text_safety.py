"""Text both databases can store: PostgreSQL refuses NUL characters, so the API refuses them
first, for every deployment alike, as a 400 rather than a failed write."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request

from domain.errors import FieldError, InvalidInput

# `\u0000` in JSON text, unless its backslash is itself escaped (`\\u0000` is six harmless chars).
_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def has_nul(json_text: bytes) -> bool:
    return _NUL_ESCAPE.search(json_text) is not None


async def refuse_nul_characters(request: Request[Any, Any, Any]) -> None:
    """A `before_request` hook: the body is read (and kept for the handler) and checked."""
    if request.method in ("POST", "PUT", "PATCH") and has_nul(await request.body()):
        raise InvalidInput([FieldError("body", "must not contain NUL characters (\\u0000)")])
