"""Idempotency keys; the first answer is kept as JSON, encoded here from the domain's Struct."""

from __future__ import annotations

from datetime import datetime

import msgspec
from piccolo.custom_types import Combinable

from db.stores.rows import from_row, to_row, update_values
from db.tables import IdempotencyKeyTable
from domain.idempotency import AnyAnswer, IdempotencyRecord
from domain.ids import UserId

JSON_COLUMNS = frozenset({"answer"})
KEEP = frozenset({"user_id", "key"})


class PiccoloIdempotencyStore:
    async def get(self, user_id: UserId, key: str) -> IdempotencyRecord | None:
        row = await IdempotencyKeyTable.select().where(_key(user_id, key)).first()
        return None if row is None else from_row(row, IdempotencyRecord, JSON_COLUMNS)

    async def insert(self, record: IdempotencyRecord) -> bool:
        # PostgreSQL: a concurrent insert of the same key waits here for the other to end.
        inserted = (
            await IdempotencyKeyTable.insert(IdempotencyKeyTable(**to_row(record, JSON_COLUMNS)))
            .on_conflict(target=(IdempotencyKeyTable.user_id, IdempotencyKeyTable.key), action="DO NOTHING")
            .returning(IdempotencyKeyTable.user_id)
        )
        return bool(inserted)

    async def replace(self, record: IdempotencyRecord, previous: IdempotencyRecord) -> bool:
        written = (
            await IdempotencyKeyTable.update(update_values(record, KEEP, JSON_COLUMNS))
            .where(_held(previous))
            .returning(IdempotencyKeyTable.user_id)
        )
        return bool(written)

    async def complete(self, record: IdempotencyRecord, answer: AnyAnswer) -> bool:
        answered = to_row(msgspec.structs.replace(record, answer=answer), JSON_COLUMNS)
        written = (
            await IdempotencyKeyTable.update({IdempotencyKeyTable.answer: answered["answer"]})
            .where(_held(record) & IdempotencyKeyTable.answer.is_null())
            .returning(IdempotencyKeyTable.user_id)
        )
        return bool(written)

    async def release(self, record: IdempotencyRecord) -> None:
        await IdempotencyKeyTable.delete().where(_held(record) & IdempotencyKeyTable.answer.is_null())

    async def remove_created_before(self, moment: datetime) -> int:
        removed = (
            await IdempotencyKeyTable.delete()
            .where(IdempotencyKeyTable.created_at < moment)
            .returning(IdempotencyKeyTable.user_id)
        )
        return len(removed)


def _key(user_id: UserId, key: str) -> Combinable:
    return (IdempotencyKeyTable.user_id == user_id) & (IdempotencyKeyTable.key == key)


def _held(record: IdempotencyRecord) -> Combinable:
    """The record's key, as long as its reservation holds it."""
    return _key(record.user_id, record.key) & (IdempotencyKeyTable.reservation_id == record.reservation_id)
