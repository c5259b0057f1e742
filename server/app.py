"""The Litestar application factory: one app per settings object."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from domain.clock import Clock
from forge.settings import Settings
from server.authentication import BearerAuthMiddleware
from server.channel import project_channel
from server.controllers.drafts import DraftController
from server.controllers.editor import DevTokenController, EditorController
from server.controllers.fragments import FragmentController
from server.controllers.health import HealthController
from server.controllers.imports import ImportController
from server.controllers.invitations import InvitationController
from server.controllers.members import MemberController
from server.controllers.messages import MessageController
from server.controllers.metrics import MetricsController
from server.controllers.oauth import OAuthController
from server.controllers.preview import PreviewController
from server.controllers.projects import ProjectController
from server.controllers.runs import RunController
from server.controllers.usage import UsageController
from server.controllers.webhooks import WebhookController
from server.dependencies import DEPENDENCIES
from server.errors import EXCEPTION_HANDLERS
from server.examples import JsonWithExamples
from server.json_input import JsonPolicyRequest
from server.log_redaction import install_token_redaction
from server.me_channel import me_channel
from server.rate_limiting import limit_writes
from server.request_ids import RequestIds
from server.web import WebTier

API_VERSION = "0.1.0"


def create_app(settings: Settings, clock: Clock | None = None) -> Litestar:
    """The app for these settings; `clock` replaces the system clock (tests move time)."""
    app = build_app(settings.max_body_bytes)
    configure(app, settings, clock)
    return app


def configure(app: Litestar, settings: Settings, clock: Clock | None = None) -> None:
    """Settings for the app's next start. Kept apart from building the app, which registers every
    route (a tenth of a second), so the test suite can build it once and start it many times."""
    app.state.settings = settings
    app.state.clock = clock
    logging.getLogger("forge").setLevel(settings.log_level)
    install_token_redaction()


@asynccontextmanager
async def lifespan(app: Litestar) -> AsyncIterator[None]:
    web = await WebTier.start(app.state.settings, app.state.clock)
    app.state.web = web
    try:
        yield
    finally:
        await web.stop()


def build_app(max_body_bytes: int) -> Litestar:
    """Every route, handler and error mapping; `configure` must set the settings before start."""

    api = Router(
        path="/api",
        route_handlers=[
            ProjectController,
            MessageController,
            FragmentController,
            DraftController,
            UsageController,
            ImportController,
            OAuthController,
            RunController,
            MemberController,
            InvitationController,
            WebhookController,
            DevTokenController,
        ],
        middleware=[DefineMiddleware(BearerAuthMiddleware)],
        guards=[limit_writes],
        security=[{"BearerToken": []}],
    )
    app = Litestar(
        route_handlers=[
            HealthController,
            MetricsController,
            PreviewController,
            EditorController,
            api,
            project_channel,
            me_channel,
        ],
        lifespan=[lifespan],
        dependencies=DEPENDENCIES,
        exception_handlers=EXCEPTION_HANDLERS,
        request_max_body_size=max_body_bytes,
        request_class=JsonPolicyRequest,
        openapi_config=OpenAPIConfig(
            title="ForgeAI server",
            render_plugins=[JsonWithExamples(), ScalarRenderPlugin()],
            version=API_VERSION,
            description=(
                "The real-time backend of an AI app builder. The WebSocket protocol is described "
                "in docs/protocol.md of the repository."
            ),
            components=Components(
                security_schemes={
                    "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT")
                }
            ),
        ),
        debug=False,
        # The process sets up logging (forge/logs.py): Litestar's default would take over the root
        # logger with a queue handler, whose thread formats lines without the request's id.
        logging_config=None,
    )
    # Around the router rather than in `middleware=`, which Litestar applies per route: a request
    # for an unknown route gets an id too.
    app.asgi_handler = RequestIds(app.asgi_handler)
    return app
