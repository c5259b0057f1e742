"""Credits and plans (seed: usage.*): reading them, and spending one inside a caller's transaction."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.clock import Clock
from domain.entities import AgentRun, Usage
from domain.enums import Plan
from domain.errors import AdminOnly
from domain.ids import UserId
from domain.ports import EventPublisher, Storage
from domain.rules.credits import (
    CREDITS_PER_DAY,
    consume_credit,
    credits_left,
    refund_credit,
    reset_usage,
    resets_at,
)
from domain.rules.plans import PlanCatalog, plan_for
from domain.services.base import Service
from domain.views import UsageView, iso_ms_or_none


class UsageService(Service):
    def __init__(
        self,
        storage: Storage,
        events: EventPublisher,
        clock: Clock,
        catalog: PlanCatalog,
        admins: frozenset[str] = frozenset(),
    ) -> None:
        super().__init__(storage, events, clock)
        self.catalog = catalog
        self.admins = admins

    async def plan_of(self, user_id: UserId, now: datetime) -> Plan:
        subscriptions = await self.storage.subscriptions.list_for_user(user_id)
        return plan_for(subscriptions, self.catalog, now)

    async def status(self, user_id: UserId) -> UsageView:
        now = self.clock.now()
        plan = await self.plan_of(user_id, now)
        usage = await self.storage.usage.get(user_id)
        return UsageView(
            plan=plan,
            credits_remaining=credits_left(usage, plan, now),
            credits_per_day=CREDITS_PER_DAY[plan],
            resets_at=iso_ms_or_none(resets_at(usage, now)),
        )

    async def consume_credit(self, user_id: UserId) -> Usage:
        """Spends one credit or raises OutOfCredits (seed: usage.checkAndConsumeCredit[ForUser]).

        Call it inside the transaction that writes what the credit pays for, so that a failure
        leaves neither the credit spent nor the rows written.
        """
        now = self.clock.now()
        plan = await self.plan_of(user_id, now)
        usage = await self.storage.usage.lock(user_id, empty=_empty_usage(user_id, now))
        spent = consume_credit(usage, plan, now)
        await self.storage.usage.save(spent)
        return spent

    async def reset(self, admin_id: UserId, user_id: UserId) -> UsageView:
        """Gives a user every credit back (seed: usage.resetUsage); admins only."""
        if admin_id not in self.admins:
            raise AdminOnly("Only administrators may reset usage.")
        now = self.clock.now()
        async with self.committed():
            usage = await self.storage.usage.lock(user_id, empty=_empty_usage(user_id, now))
            await self.storage.usage.save(reset_usage(usage, now))
        return await self.status(user_id)

    async def refund(self, run: AgentRun) -> AgentRun:
        """Gives back the credit of a run that failed for a reason that is not the user's.

        Call it inside the transaction that fails the run; it refunds a run at most once.
        """
        if not run.credit_consumed:
            return run
        now = self.clock.now()
        usage = await self.storage.usage.lock(run.user_id, empty=_empty_usage(run.user_id, now))
        await self.storage.usage.save(refund_credit(usage, now))
        return msgspec.structs.replace(run, credit_consumed=False)


def _empty_usage(user_id: UserId, now: datetime) -> Usage:
    return Usage(user_id=user_id, credits_used=0, window_ends_at=None, updated_at=now)
