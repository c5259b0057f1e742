"""The credit spend ledger, and each user's account row that their spends lock."""

from __future__ import annotations

from datetime import datetime

from db.stores.rows import to_row
from db.tables import CreditSpendTable, UsageTable
from domain.entities import CreditSpend
from domain.ids import RunId, UserId


class PiccoloCreditLedger:
    async def lock_account(self, user_id: UserId, at: datetime) -> None:
        # One upsert creates the row or updates it, and either way holds its lock until the
        # transaction ends (PostgreSQL); on SQLite the immediate transaction holds the write lock.
        await UsageTable.insert(UsageTable(user_id=user_id, updated_at=at)).on_conflict(
            target=UsageTable.user_id, action="DO UPDATE", values=[UsageTable.updated_at]
        )

    async def counting(self, user_id: UserId, since: datetime) -> list[datetime]:
        rows = (
            await CreditSpendTable.select(CreditSpendTable.spent_at)
            .where(
                (CreditSpendTable.user_id == user_id)
                & (CreditSpendTable.spent_at > since)
                & CreditSpendTable.refunded_at.is_null()
            )
            .order_by(CreditSpendTable.spent_at)
        )
        return [row["spent_at"] for row in rows]

    async def insert(self, spend: CreditSpend) -> None:
        await CreditSpendTable.insert(CreditSpendTable(**to_row(spend)))

    async def refund_run(self, run_id: RunId, at: datetime) -> bool:
        refunded = (
            await CreditSpendTable.update({CreditSpendTable.refunded_at: at})
            .where((CreditSpendTable.run_id == run_id) & CreditSpendTable.refunded_at.is_null())
            .returning(CreditSpendTable.id)
        )
        return bool(refunded)

    async def refund_since(self, user_id: UserId, since: datetime, at: datetime) -> int:
        refunded = (
            await CreditSpendTable.update({CreditSpendTable.refunded_at: at})
            .where(
                (CreditSpendTable.user_id == user_id)
                & (CreditSpendTable.spent_at > since)
                & CreditSpendTable.refunded_at.is_null()
            )
            .returning(CreditSpendTable.id)
        )
        return len(refunded)
