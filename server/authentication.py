"""The bearer-token middleware of the `/api` routes."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from server.auth import InvalidToken
from server.runtime import Runtime

BEARER = "bearer "


def bearer_token(authorization: str | None) -> str | None:
    if authorization is None or not authorization.lower().startswith(BEARER):
        return None
    return authorization[len(BEARER) :].strip() or None


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        runtime: Runtime = connection.app.state.runtime
        token = bearer_token(connection.headers.get("authorization"))
        try:
            if token is None:
                raise InvalidToken("a bearer token is required (Authorization: Bearer <token>)")
            user_id = await runtime.verifier.verify(token)
        except InvalidToken as error:
            # Each refusal counts against the address; past the limit it gets 429s, not 401s.
            client = connection.client.host if connection.client else "unknown"
            await runtime.services.rate_limiter.check(
                f"auth-failures:{client}", runtime.rate_limits.auth_failures
            )
            raise NotAuthorizedException(f"The bearer token was refused: {error}.") from None
        return AuthenticationResult(user=user_id, auth=token)
