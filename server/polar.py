"""Polar webhooks: Standard Webhooks signatures, and Polar's payloads turned into billing events."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import msgspec

from domain.enums import BillingInterval, SubscriptionStatus
from domain.inputs import SubscriptionData
from domain.services.subscriptions import BillingEvent, CustomerLinked, SubscriptionAction, SubscriptionEvent
from server.json_input import MalformedJson, load_json

TOLERANCE_SECONDS = 5 * 60

SUBSCRIPTION_ACTIONS = {
    "subscription.created": SubscriptionAction.SYNC,
    "subscription.updated": SubscriptionAction.SYNC,
    "subscription.active": SubscriptionAction.SYNC,
    "subscription.canceled": SubscriptionAction.MARK_FOR_CANCELLATION,
    "subscription.uncanceled": SubscriptionAction.REACTIVATE,
    "subscription.revoked": SubscriptionAction.REVOKE,
}
CUSTOMER_EVENTS = frozenset({"customer.created", "customer.updated"})
INTERVALS = {"month": BillingInterval.MONTHLY, "year": BillingInterval.YEARLY}


class InvalidSignature(Exception):
    """The delivery is not signed with our secret, or its timestamp is too old."""


class InvalidPayload(Exception):
    """A signed delivery whose body is not a Polar event we understand."""


class SignedDelivery(msgspec.Struct, frozen=True, kw_only=True):
    webhook_id: str
    sent_at: datetime
    """The signed `webhook-timestamp`."""


def verify_signature(secret: str, headers: Mapping[str, str], body: bytes, now: float) -> SignedDelivery:
    """Checks `webhook-id`, `webhook-timestamp` and `webhook-signature`; returns the id and time.

    Polar signs with the secret's own bytes; a Standard Webhooks `whsec_` secret is base64.
    """
    webhook_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not webhook_id or not timestamp or not signatures:
        raise InvalidSignature("webhook-id, webhook-timestamp and webhook-signature are required")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise InvalidSignature("webhook-timestamp is not a number") from None
    if abs(now - sent_at) > TOLERANCE_SECONDS:
        raise InvalidSignature("webhook-timestamp is more than 5 minutes away")
    key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(value, expected):
            return SignedDelivery(webhook_id=webhook_id, sent_at=datetime.fromtimestamp(sent_at, UTC))
    raise InvalidSignature("no signature matches")


class _Customer(msgspec.Struct):
    id: str | None = None
    external_id: str | None = None


class _Price(msgspec.Struct):
    id: str


class _Subscription(msgspec.Struct):
    id: str
    status: SubscriptionStatus
    customer_id: str
    product_id: str
    current_period_start: datetime
    modified_at: datetime | None = None
    """When the subscription last changed; null until it first changes after its creation."""
    current_period_end: datetime | None = None
    cancel_at_period_end: bool = False
    canceled_at: datetime | None = None
    ends_at: datetime | None = None
    trial_start: datetime | None = None
    trial_end: datetime | None = None
    recurring_interval: str = "month"
    price_id: str | None = None
    prices: list[_Price] = []
    metadata: dict[str, Any] = {}
    customer: _Customer | None = None


class _Envelope(msgspec.Struct):
    type: str
    data: msgspec.Raw
    timestamp: datetime | None = None
    """When Polar made the event; unlike the signature's timestamp, a retried delivery keeps it."""


def parse_event(body: bytes, sent_at: datetime) -> tuple[str, BillingEvent | None]:
    """(event type, what to do); None for event types we acknowledge and ignore. `sent_at` is the
    signed webhook timestamp: it dates a subscription's state when the payload does not."""
    try:
        load_json(body)  # the policy of every JSON input first: UTF-8, nesting, NUL
    except MalformedJson as error:
        raise InvalidPayload(f"the body {error}") from None
    try:
        envelope = msgspec.json.decode(body, type=_Envelope)
        if envelope.type in SUBSCRIPTION_ACTIONS:
            polar = msgspec.json.decode(envelope.data, type=_Subscription)
            return envelope.type, SubscriptionEvent(
                action=SUBSCRIPTION_ACTIONS[envelope.type],
                data=_data(polar, envelope.timestamp or sent_at, sent_at),
            )
        if envelope.type in CUSTOMER_EVENTS:
            customer = msgspec.json.decode(envelope.data, type=_Customer)
            if customer.id and customer.external_id:
                return envelope.type, CustomerLinked(customer_id=customer.id, user_id=customer.external_id)
        return envelope.type, None
    except msgspec.ValidationError as error:
        raise InvalidPayload(str(error)) from None
    except msgspec.DecodeError as error:
        raise InvalidPayload(f"not JSON: {error}") from None


def _data(polar: _Subscription, event_at: datetime, sent_at: datetime) -> SubscriptionData:
    user_id = (polar.customer.external_id if polar.customer else None) or _text(polar.metadata.get("userId"))
    price_id = polar.price_id or (polar.prices[0].id if polar.prices else "")
    return SubscriptionData(
        polar_subscription_id=polar.id,
        customer_id=polar.customer_id,
        product_id=polar.product_id,
        price_id=price_id,
        status=polar.status,
        interval=INTERVALS.get(polar.recurring_interval, BillingInterval.MONTHLY),
        current_period_start=polar.current_period_start,
        # A subscription without a period end (ended ones) lasts until it ended, or not at all.
        current_period_end=polar.current_period_end or polar.ends_at or polar.current_period_start,
        cancel_at_period_end=polar.cancel_at_period_end,
        canceled_at=polar.canceled_at,
        trial_start=polar.trial_start,
        trial_end=polar.trial_end,
        metadata=polar.metadata or None,
        user_id=user_id,
        # A subscription not modified since its creation is dated by its event instead.
        polar_modified_at=polar.modified_at or event_at,
        polar_sent_at=sent_at,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
