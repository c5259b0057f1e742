"""`POST /api/webhooks/polar`: signed by Polar, not by a user's token."""

from __future__ import annotations

import time
from typing import Any

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException, ValidationException

from domain.enums import DeliveryOutcome
from domain.services.subscriptions import SubscriptionService
from forge.settings import Settings
from server.openapi import problems
from server.polar import InvalidPayload, InvalidSignature, parse_event, verify_signature
from server.rate_limiting import RequestLimits
from server.schemas import Body


class WebhookReceipt(Body, frozen=True, kw_only=True):
    received: bool = True
    duplicate: bool
    """True when the delivery changed nothing because what it says was known already: this webhook
    id was processed before, or (`stale`) the subscription stored is newer than its event."""
    stale: bool = False
    """True when the event describes an older state of the subscription than the one stored."""


class WebhookController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @post(
        "/polar",
        operation_id="polarWebhook",
        responses=problems(),
        status_code=200,
        opt={"exclude_from_auth": True},
        security=[],
    )
    async def polar_webhook(
        self,
        request: Request[Any, Any, Any],
        subscriptions: NamedDependency[SubscriptionService],
        limits: NamedDependency[RequestLimits],
        settings: NamedDependency[Settings],
    ) -> WebhookReceipt:
        """Subscription created, updated, active, canceled, uncanceled and revoked events from
        Polar, verified with the Standard Webhooks signature, applied once per webhook id and in the
        order of the subscription's `modified_at` (an older event changes nothing)."""
        await limits.webhook(request.client.host if request.client else "unknown")
        secret = settings.polar_webhook_secret
        if secret is None:
            raise NotAuthorizedException("This server has no Polar webhook secret configured.")
        body = await request.body()
        try:
            delivery = verify_signature(secret, request.headers, body, time.time())
            event_type, event = parse_event(body, delivery.sent_at)
        except InvalidSignature as error:
            raise NotAuthorizedException(f"Invalid webhook signature: {error}.") from None
        except InvalidPayload as error:
            raise ValidationException(f"Not a Polar event: {error}.") from None
        outcome = await subscriptions.handle_delivery(delivery.webhook_id, event_type, event)
        stale = outcome is DeliveryOutcome.STALE
        return WebhookReceipt(duplicate=outcome is None or stale, stale=stale)
