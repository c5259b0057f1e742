"""Who is on a WebSocket and for how long: the token of the upgrade request (`Authorization`, or
`?token=` since browsers cannot set headers), and the lease it gives, which `auth` frames with a
fresher token of the same user extend (API.md). Shared by every channel."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import Any

from litestar import WebSocket

from channels.frames import ErrorFrame
from domain.errors import DomainError
from server.auth import Identity, InvalidToken, TokenVerifier
from server.authentication import bearer_token
from server.client_frames import Auth
from server.socket_scope import header, query
from server.web import WebTier


async def authenticate(socket: WebSocket[Any, Any, Any], web: WebTier) -> Identity | None:
    """The socket's identity, or None (and a failure counted against its address)."""
    token = bearer_token(header(socket, b"authorization")) or query(socket).get("token")
    try:
        if not token:
            raise InvalidToken("no token")
        return await web.verifier.verify(token)
    except InvalidToken:
        client = socket.client.host if socket.client else "unknown"
        with contextlib.suppress(DomainError):  # a refused address is refused all the same
            await web.limits.auth_failure(client)
        return None


class TokenLease:
    """Calls `expired` when the socket's token runs out, unless a fresher one came first. A timer,
    not a task: idle sockets are many, and a timer costs next to nothing."""

    def __init__(self, identity: Identity, expired: Callable[[], None]) -> None:
        self.user_id = identity.user_id
        self.expires_at = identity.expires_at
        self._expired = expired
        self._timer: asyncio.TimerHandle | None = None

    def start(self) -> None:
        delay = max(0.0, self.expires_at - time.time())
        self._timer = asyncio.get_running_loop().call_later(delay, self._check)

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()

    def _check(self) -> None:
        if time.time() >= self.expires_at:
            self._expired()
        else:  # renewed meanwhile: look again when the fresher token runs out
            self.start()

    async def renew(self, verifier: TokenVerifier, frame: Auth) -> ErrorFrame | None:
        """Takes a fresher token of the same user; a bad one changes nothing and is answered."""
        try:
            identity = await verifier.verify(frame.token)
        except InvalidToken as error:
            return ErrorFrame(code="unauthorized", message=f"The token was refused: {error}.", ref=frame.ref)
        if identity.user_id != self.user_id:
            message = "The token is another user's; a tab keeps its user."
            return ErrorFrame(code="forbidden", message=message, ref=frame.ref)
        self.expires_at = max(self.expires_at, identity.expires_at)
        return None
