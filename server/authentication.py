"""The bearer-token middleware of the `/api` routes."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from server.auth import InvalidToken
from server.web import WebTier

BEARER = "bearer "


def bearer_token(authorization: str | None) -> str | None:
    if authorization is None or not authorization.lower().startswith(BEARER):
        return None
    return authorization[len(BEARER) :].strip() or None


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        web: WebTier = connection.app.state.web
        token = bearer_token(connection.headers.get("authorization"))
        try:
            if token is None:
                raise InvalidToken("a bearer token is required (Authorization: Bearer <token>)")
            identity = await web.verifier.verify(token)
        except InvalidToken as error:
            # Each refusal counts against the address; past the limit it gets 429s, not 401s.
            await web.limits.auth_failure(connection.client.host if connection.client else "unknown")
            raise NotAuthorizedException(f"The bearer token was refused: {error}.") from None
        return AuthenticationResult(user=identity.user_id, auth=token)
