"""Plans and what they give (seed: usage.*): credits, read and spent inside a caller's transaction,
and the models a user may choose."""

from __future__ import annotations

from datetime import datetime

import msgspec

from domain.clock import Clock
from domain.entities import AgentRun, CreditSpend
from domain.enums import Plan
from domain.errors import AdminOnly
from domain.ids import SpendId, UserId, new_id
from domain.ports import EventPublisher, Storage, UserSignals
from domain.rules.credits import (
    CREDITS_PER_DAY,
    check_can_spend,
    counted_since,
    credits_left,
    next_credit_back,
)
from domain.rules.models import ModelCatalog, check_model
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
        models: ModelCatalog | None = None,
        signals: UserSignals | None = None,
    ) -> None:
        super().__init__(storage, events, clock, signals=signals)
        self.catalog = catalog
        self.admins = admins
        self.models = models or ModelCatalog()

    async def plan_of(self, user_id: UserId, now: datetime) -> Plan:
        subscriptions = await self.storage.subscriptions.list_for_user(user_id)
        return plan_for(subscriptions, self.catalog, now)

    async def check_model(self, user_id: UserId, model: str | None, field: str) -> None:
        """Raises ModelNotAllowed unless the user's plan may choose `model`; None (nothing chosen:
        the default model) always may."""
        if model is not None:
            check_model(self.models, await self.plan_of(user_id, self.clock.now()), model, field)

    async def status(self, user_id: UserId) -> UsageView:
        now = self.clock.now()
        plan = await self.plan_of(user_id, now)
        spent = await self.storage.credits.counting(user_id, counted_since(now))
        return UsageView(
            plan=plan,
            credits_remaining=credits_left(spent, plan),
            credits_per_day=CREDITS_PER_DAY[plan],
            resets_at=iso_ms_or_none(next_credit_back(spent)),
            allowed_models=self.models.allowed_for(plan),
        )

    async def spend_for(self, run: AgentRun) -> None:
        """Spends one credit of the run's user to pay for the run, or raises OutOfCredits
        (seed: usage.checkAndConsumeCredit[ForUser]).

        Call it inside the transaction that writes the run, after the run, so that a refusal
        leaves neither the credit spent nor the run written. The user's account stays locked until
        that transaction ends: of two prompts racing for the last credit, exactly one gets it.
        """
        now = self.clock.now()
        plan = await self.plan_of(run.user_id, now)
        await self.storage.credits.lock_account(run.user_id, now)
        check_can_spend(await self.storage.credits.counting(run.user_id, counted_since(now)), plan, now)
        spend = CreditSpend(id=SpendId(new_id()), user_id=run.user_id, run_id=run.id, spent_at=now)
        await self.storage.credits.insert(spend)

    async def reset(self, admin_id: UserId, user_id: UserId) -> UsageView:
        """Gives a user every credit back (seed: usage.resetUsage); admins only."""
        if admin_id not in self.admins:
            raise AdminOnly("Only administrators may reset usage.")
        now = self.clock.now()
        async with self.committed() as outbox:
            await self.storage.credits.refund_since(user_id, counted_since(now), now)
            outbox.usage_changed(user_id)
        return await self.status(user_id)

    async def refund(self, run: AgentRun) -> AgentRun:
        """Gives back the very spend that paid for a run that failed on our side: the credit is
        back now, whichever 24 hours it was spent in.

        Call it inside the transaction that fails the run; it refunds a run at most once.
        """
        if not run.credit_consumed:
            return run
        await self.storage.credits.refund_run(run.id, self.clock.now())
        return msgspec.structs.replace(run, credit_consumed=False)
