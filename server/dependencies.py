"""What route handlers receive by name: the caller's user id and the services."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from domain.ids import UserId
from domain.services.messages import MessageService
from domain.services.projects import ProjectService
from domain.services.usage import UsageService
from server.runtime import Runtime


def _runtime(state: State) -> Runtime:
    runtime: Runtime = state.runtime
    return runtime


def provide_user_id(request: Request[Any, Any, Any]) -> UserId:
    """Set by BearerAuthMiddleware; a route never takes a user id from its body."""
    user: UserId = request.user
    return user


def provide_projects(state: State) -> ProjectService:
    return _runtime(state).services.projects


def provide_messages(state: State) -> MessageService:
    return _runtime(state).services.messages


def provide_usage(state: State) -> UsageService:
    return _runtime(state).services.usage


DEPENDENCIES = {
    "user_id": Provide(provide_user_id, sync_to_thread=False),
    "projects": Provide(provide_projects, sync_to_thread=False),
    "messages": Provide(provide_messages, sync_to_thread=False),
    "usage": Provide(provide_usage, sync_to_thread=False),
}
