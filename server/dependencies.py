"""What route handlers receive by name: the caller's user id, the services, and the parts of the
web tier a route needs, each of its own type."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import State
from litestar.di import Provide

from domain.ids import UserId
from domain.rules.plans import PlanCatalog
from forge.core import Core
from forge.settings import Settings
from server.rate_limiting import RequestLimits
from server.web import WebTier
from workers.sandbox_sync import SandboxSync


def provide_user_id(request: Request[Any, Any, Any]) -> UserId:
    """Set by BearerAuthMiddleware; a route never takes a user id from its body."""
    user: UserId = request.user
    return user


def _service(name: str) -> Provide:
    def provide(state: State) -> object:
        web: WebTier = state.web
        return getattr(web.core.services, name)

    provide.__name__ = f"provide_{name}"
    return Provide(provide, sync_to_thread=False)


def provide_core(state: State) -> Core:
    web: WebTier = state.web
    return web.core


def provide_limits(state: State) -> RequestLimits:
    web: WebTier = state.web
    return web.limits


def provide_sandbox_sync(state: State) -> SandboxSync:
    web: WebTier = state.web
    return web.sandbox_sync


def provide_catalog(state: State) -> PlanCatalog:
    web: WebTier = state.web
    return web.core.catalog


def provide_settings(state: State) -> Settings:
    web: WebTier = state.web
    return web.settings


def provide_web(state: State) -> WebTier:
    web: WebTier = state.web
    return web


SERVICE_NAMES = (
    "projects",
    "messages",
    "drafts",
    "usage",
    "subscriptions",
    "imports",
    "oauth",
    "runs",
    "members",
    "invitations",
)

DEPENDENCIES = {
    "user_id": Provide(provide_user_id, sync_to_thread=False),
    **{name: _service(name) for name in SERVICE_NAMES},
    "core": Provide(provide_core, sync_to_thread=False),
    "limits": Provide(provide_limits, sync_to_thread=False),
    "sandbox_sync": Provide(provide_sandbox_sync, sync_to_thread=False),
    "catalog": Provide(provide_catalog, sync_to_thread=False),
    "settings": Provide(provide_settings, sync_to_thread=False),
    "web": Provide(provide_web, sync_to_thread=False),
}
