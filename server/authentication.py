"""The bearer-token middleware of the `/api` routes."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from server.auth import InvalidToken, TokenVerifier

BEARER = "bearer "


def bearer_token(authorization: str | None) -> str | None:
    if authorization is None or not authorization.lower().startswith(BEARER):
        return None
    return authorization[len(BEARER) :].strip() or None


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        token = bearer_token(connection.headers.get("authorization"))
        if token is None:
            raise NotAuthorizedException("A bearer token is required (Authorization: Bearer <token>).")
        verifier: TokenVerifier = connection.app.state.runtime.verifier
        try:
            user_id = await verifier.verify(token)
        except InvalidToken as error:
            raise NotAuthorizedException(f"The bearer token was refused: {error}.") from None
        return AuthenticationResult(user=user_id, auth=token)
