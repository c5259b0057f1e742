"""Credit usage and the subscriptions that decide the plan."""

from __future__ import annotations

from db.stores.rows import from_row, to_row, update_values
from db.tables import SubscriptionTable, UsageTable
from domain.entities import Subscription, Usage
from domain.ids import UserId

SUBSCRIPTION_JSON = frozenset({"metadata"})


class PiccoloUsageStore:
    def __init__(self, can_lock_rows: bool) -> None:
        self.can_lock_rows = can_lock_rows

    async def get(self, user_id: UserId) -> Usage | None:
        row = await UsageTable.select().where(UsageTable.user_id == user_id).first()
        return None if row is None else from_row(row, Usage)

    async def lock(self, user_id: UserId, empty: Usage) -> Usage:
        # Insert-if-missing first, so that there is always a row to lock, even for a new user.
        await UsageTable.insert(UsageTable(**to_row(empty))).on_conflict(action="DO NOTHING")
        query = UsageTable.select().where(UsageTable.user_id == user_id)
        if self.can_lock_rows:
            query = query.lock_rows("UPDATE")
        # Without row locks (SQLite) the immediate transaction already holds the write lock.
        row = await query.first()
        if row is None:
            raise LookupError(f"usage row of {user_id} vanished inside its transaction")
        return from_row(row, Usage)

    async def save(self, usage: Usage) -> None:
        values = update_values(usage, keep=frozenset({"user_id"}))
        await UsageTable.update(values).where(UsageTable.user_id == usage.user_id)


class PiccoloSubscriptionStore:
    async def list_for_user(self, user_id: UserId) -> list[Subscription]:
        rows = await SubscriptionTable.select().where(SubscriptionTable.user_id == user_id)
        return [from_row(row, Subscription, SUBSCRIPTION_JSON) for row in rows]
