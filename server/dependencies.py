"""What route handlers receive by name: the caller's user id and the services."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from domain.ids import UserId
from server.runtime import Runtime


def provide_user_id(request: Request[Any, Any, Any]) -> UserId:
    """Set by BearerAuthMiddleware; a route never takes a user id from its body."""
    user: UserId = request.user
    return user


def _service(name: str) -> Provide:
    def provide(state: State) -> object:
        runtime: Runtime = state.runtime
        return getattr(runtime.services, name)

    provide.__name__ = f"provide_{name}"
    return Provide(provide, sync_to_thread=False)


SERVICE_NAMES = ("projects", "messages", "drafts", "usage", "subscriptions", "imports", "oauth", "runs")

DEPENDENCIES = {
    "user_id": Provide(provide_user_id, sync_to_thread=False),
    **{name: _service(name) for name in SERVICE_NAMES},
}
