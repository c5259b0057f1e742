"""OAuth connections to Figma and GitHub (seed: oauth.*), with tokens encrypted at rest.

Tokens are decrypted only by `access_token`, which the services that call the provider use;
nothing here ever returns them to a caller of the API.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from domain.clock import Clock
from domain.entities import JsonObject, OAuthConnection
from domain.enums import OAuthProvider
from domain.errors import FieldError, InvalidInput, NotFound
from domain.ids import ConnectionId, UserId, new_id
from domain.inputs import NewConnection
from domain.ports import EventPublisher, Storage, TokenCipher
from domain.services.base import Service


def token_context(user_id: UserId, provider: OAuthProvider, kind: str) -> str:
    """Binds a ciphertext to its row: a token copied to another user's row does not decrypt."""
    return f"oauth:{user_id}:{provider.value}:{kind}"


class OAuthService(Service):
    def __init__(self, storage: Storage, events: EventPublisher, clock: Clock, cipher: TokenCipher) -> None:
        super().__init__(storage, events, clock)
        self.cipher = cipher

    async def store(self, user_id: UserId, provider: OAuthProvider, new: NewConnection) -> OAuthConnection:
        """Stores the connection, or replaces the user's existing one (seed: oauth.storeConnection)."""
        now = self.clock.now()
        refresh = new.refresh_token
        async with self.committed():
            existing = await self.storage.oauth.get(user_id, provider)
            connection = OAuthConnection(
                id=existing.id if existing else ConnectionId(new_id()),
                user_id=user_id,
                provider=provider,
                access_token_encrypted=self.cipher.encrypt(
                    new.access_token, token_context(user_id, provider, "access")
                ),
                refresh_token_encrypted=None
                if refresh is None
                else self.cipher.encrypt(refresh, token_context(user_id, provider, "refresh")),
                expires_at=_as_datetime(new.expires_at),
                scope=new.scope,
                metadata=new.metadata,
                created_at=existing.created_at if existing else now,
                updated_at=now,
            )
            await self.storage.oauth.save(connection)
        return connection

    async def list_connections(self, user_id: UserId) -> list[OAuthConnection]:
        return await self.storage.oauth.list_for_user(user_id)

    async def update_metadata(
        self, user_id: UserId, provider: OAuthProvider, metadata: JsonObject
    ) -> OAuthConnection:
        """Replaces the connection's metadata (seed: oauth.updateMetadata)."""
        async with self.committed():
            connection = await self._connection(user_id, provider)
            updated = msgspec.structs.replace(connection, metadata=metadata, updated_at=self.clock.now())
            await self.storage.oauth.save(updated)
        return updated

    async def revoke(self, user_id: UserId, provider: OAuthProvider) -> None:
        """Forgets the connection and its tokens (seed: oauth.revokeConnection)."""
        async with self.committed():
            if not await self.storage.oauth.delete(user_id, provider):
                raise NotFound(f"No {provider.value} connection.")

    async def access_token(self, user_id: UserId, provider: OAuthProvider) -> str:
        """The decrypted access token, for the code that calls the provider on the user's behalf."""
        connection = await self._connection(user_id, provider)
        return self.cipher.decrypt(
            connection.access_token_encrypted, token_context(user_id, provider, "access")
        )

    async def _connection(self, user_id: UserId, provider: OAuthProvider) -> OAuthConnection:
        connection = await self.storage.oauth.get(user_id, provider)
        if connection is None:
            raise NotFound(f"No {provider.value} connection.")
        return connection


def _as_datetime(value: datetime | int | None) -> datetime | None:
    """UTC, from epoch milliseconds or an aware timestamp; one that UTC cannot hold is refused."""
    try:
        if isinstance(value, int):
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        return None if value is None else value.astimezone(UTC)
    except (OverflowError, ValueError, OSError):
        raise InvalidInput([FieldError("expiresAt", "is out of range")]) from None
