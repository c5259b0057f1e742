"""Polar's side of the webhook: payloads shaped like Polar's, signed like Standard Webhooks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

from tests.conftest import PRO_PRODUCT, WEBHOOK_SECRET


def subscription_payload(
    event_type: str,
    subscription_id: str = "sub_1",
    customer_id: str = "cus_1",
    external_id: str | None = "alice",
    product_id: str = PRO_PRODUCT,
    **overrides: Any,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": subscription_id,
        "created_at": "2026-01-01T00:00:00Z",
        "modified_at": None,
        "amount": 2000,
        "currency": "usd",
        "recurring_interval": "month",
        "status": "active",
        "current_period_start": "2026-01-01T00:00:00Z",
        "current_period_end": "2099-01-01T00:00:00Z",
        "cancel_at_period_end": False,
        "canceled_at": None,
        "started_at": "2026-01-01T00:00:00Z",
        "ends_at": None,
        "ended_at": None,
        "customer_id": customer_id,
        "product_id": product_id,
        "discount_id": None,
        "checkout_id": "chk_1",
        "metadata": {},
        "prices": [{"id": "price_1", "amount_type": "fixed"}],
        "customer": {"id": customer_id, "external_id": external_id, "email": "alice@example.com"},
        "product": {"id": product_id, "name": "Pro"},
    }
    data.update(overrides)
    return {"type": event_type, "timestamp": "2026-01-01T00:00:00Z", "data": data}


def customer_payload(customer_id: str, external_id: str) -> dict[str, Any]:
    return {
        "type": "customer.updated",
        "data": {"id": customer_id, "external_id": external_id, "email": "a@b.c"},
    }


def signed(
    payload: dict[str, Any],
    webhook_id: str,
    secret: str = WEBHOOK_SECRET,
    age_seconds: int = 0,
) -> tuple[bytes, dict[str, str]]:
    """Signed `age_seconds` ago (negative: in the future)."""
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()) - age_seconds)
    digest = hmac.new(secret.encode(), f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    headers = {
        "webhook-id": webhook_id,
        "webhook-timestamp": timestamp,
        "webhook-signature": f"v1,{base64.b64encode(digest).decode()}",
        "content-type": "application/json",
    }
    return body, headers
