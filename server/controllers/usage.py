"""`/api/usage`: the caller's credits."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from domain.ids import UserId
from domain.services.usage import UsageService
from domain.views import UsageView


class UsageController(Controller):
    path = "/usage"
    tags = ["usage"]

    @get("/", operation_id="getUsage")
    async def get_usage(
        self, user_id: NamedDependency[UserId], usage: NamedDependency[UsageService]
    ) -> UsageView:
        """Plan, credits left in the rolling 24-hour window, and when they come back."""
        return await usage.status(user_id)
