"""The `Idempotency-Key` header of the two prompt routes (API.md, Conventions): checked, and turned
into the domain's RequestKey with a fingerprint of the request it came with."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any

import msgspec
from litestar import Request
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.openapi.spec import OpenAPIType
from litestar.params import HeaderParameter

from domain.idempotency import RequestKey
from server.json_input import MalformedJson, body_refused, load_json

HEADER = "Idempotency-Key"
VISIBLE_ASCII = r"^[!-~]{1,255}$"
"""1 to 255 characters from 0x21 to 0x7E: no spaces, no control or non-ASCII characters."""
_KEY = re.compile(VISIBLE_ASCII)

IdempotencyKeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name=HEADER,
        description=(
            "Makes a retry safe: a repeat with the same key within 24 hours gets the first answer "
            "(status and body) and changes nothing; the same key with a different body is 422, and "
            "while the first request is still being handled 409."
        ),
        # Documented only: the provider checks it, so a bad key is a 400 naming the header. A
        # header is a string or absent, never null.
        schema_extra={
            "type": OpenAPIType.STRING,
            "oneOf": None,
            "minLength": 1,
            "maxLength": 255,
            "pattern": VISIBLE_ASCII,
        },
    ),
]


async def provide_request_key(
    request: Request[Any, Any, Any], idempotency_key: IdempotencyKeyHeader = None
) -> RequestKey | None:
    """The request's key, or None without the header. Litestar has decoded the body by now, so it
    is valid JSON."""
    if idempotency_key is None:
        return None
    if not _KEY.fullmatch(idempotency_key):
        complaint = "must be 1 to 255 visible ASCII characters"
        raise ValidationException(
            detail=f"{HEADER}: {complaint}", extra=[{"key": HEADER, "message": complaint, "source": "header"}]
        )
    body = await request.body()
    route = request.route_handler.handler_name
    try:
        return RequestKey(key=idempotency_key, fingerprint=fingerprint(route, request.path_params, body))
    except MalformedJson as error:
        raise body_refused(error) from None


def fingerprint(route: str, path_params: dict[str, Any], body: bytes) -> str:
    """The same for the same route and JSON body, whatever its spacing or key order."""
    canonical = msgspec.json.encode([route, path_params, load_json(body or b"null")], order="sorted")
    return hashlib.sha256(canonical).hexdigest()


IDEMPOTENCY = {"request_key": Provide(provide_request_key)}
"""The dependency of a route that honours the header."""
