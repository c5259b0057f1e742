"""One policy for JSON that comes from outside (request bodies, tab frames, webhooks).

msgspec refuses malformed JSON with a DecodeError, but bytes that are not UTF-8 raise
UnicodeDecodeError and deep nesting RecursionError, which nothing expected: a 500 on every route,
a dropped WebSocket. Every entry point decodes through `load_json`, so all three are the same
client error, and text both databases can store is checked in the same place (`has_nul`).
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from domain.errors import FieldError, InvalidInput
from server.text_safety import has_nul

NUL_REFUSED = "must not contain NUL characters (\\u0000)"


class MalformedJson(ValueError):
    """Input that is not JSON we accept; the message says why, in words a client can act on."""


class NulInText(MalformedJson):
    """Valid JSON whose text holds a NUL character; `value` is what it decoded to (a frame's `ref`
    can still be answered)."""

    def __init__(self, value: Any) -> None:
        super().__init__(NUL_REFUSED)
        self.value = value


def load_json(data: bytes | str) -> Any:
    """The decoded value; raises MalformedJson for what is not valid JSON text we can store."""
    try:
        value = msgspec.json.decode(data)
    except UnicodeDecodeError:
        raise MalformedJson("is not valid UTF-8") from None
    except RecursionError:
        raise MalformedJson("is nested too deeply") from None
    except msgspec.DecodeError as error:
        raise MalformedJson(f"is not valid JSON ({error})") from None
    if has_nul(data.encode() if isinstance(data, str) else data):
        raise NulInText(value)
    return value


def body_refused(error: MalformedJson) -> InvalidInput:
    """A 400 problem naming the body, like any other invalid field."""
    return InvalidInput([FieldError("body", str(error))])


class JsonPolicyRequest(Request[Any, Any, Any]):
    """Litestar's request, with its JSON body decoded by `load_json`."""

    _decoded: Any = msgspec.UNSET

    async def json(self) -> Any:
        if self._decoded is msgspec.UNSET:
            try:
                self._decoded = load_json(await self.body() or b"null")
            except MalformedJson as error:
                raise body_refused(error) from None
        return self._decoded
