"""OAuth connections; the token columns hold ciphertext only (see db/token_cipher.py)."""

from __future__ import annotations

from db.stores.rows import from_row, to_row
from db.tables import OAuthConnectionTable
from domain.entities import OAuthConnection
from domain.enums import OAuthProvider
from domain.ids import UserId

JSON_COLUMNS = frozenset({"metadata"})


class PiccoloOAuthStore:
    async def get(self, user_id: UserId, provider: OAuthProvider) -> OAuthConnection | None:
        row = (
            await OAuthConnectionTable.select()
            .where(
                (OAuthConnectionTable.user_id == user_id) & (OAuthConnectionTable.provider == provider.value)
            )
            .first()
        )
        return None if row is None else from_row(row, OAuthConnection, JSON_COLUMNS)

    async def save(self, connection: OAuthConnection) -> None:
        replaced = [
            c
            for c in OAuthConnectionTable._meta.columns
            if c._meta.name not in ("id", "user_id", "provider", "created_at")
        ]
        await OAuthConnectionTable.insert(
            OAuthConnectionTable(**to_row(connection, JSON_COLUMNS))
        ).on_conflict(
            target=(OAuthConnectionTable.user_id, OAuthConnectionTable.provider),
            action="DO UPDATE",
            values=replaced,
        )

    async def list_for_user(self, user_id: UserId) -> list[OAuthConnection]:
        rows = (
            await OAuthConnectionTable.select()
            .where(OAuthConnectionTable.user_id == user_id)
            .order_by(OAuthConnectionTable.provider)
        )
        return [from_row(row, OAuthConnection, JSON_COLUMNS) for row in rows]

    async def delete(self, user_id: UserId, provider: OAuthProvider) -> bool:
        deleted = (
            await OAuthConnectionTable.delete()
            .where(
                (OAuthConnectionTable.user_id == user_id) & (OAuthConnectionTable.provider == provider.value)
            )
            .returning(OAuthConnectionTable.id)
        )
        return bool(deleted)
