"""What a request with an Idempotency-Key finds: the first answer, a refusal, or the key to take."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

from domain.errors import KeyReused, RequestInFlight
from domain.idempotency import AnyAnswer, IdempotencyRecord, RequestKey
from domain.ids import UserId

KEY_LIFETIME = timedelta(hours=24)
"""A repeat within this time of the first request gets its answer (API.md); later, the key is new."""
RESERVATION_LEASE = timedelta(seconds=60)
"""How long a request in flight holds its key: a process that died holding it lets go by then."""


def first_answer(record: IdempotencyRecord | None, fingerprint: str, now: datetime) -> AnyAnswer | None:
    """The answer a request gets instead of running, or None when the key is free to reserve:
    never used, forgotten, or held by a request whose lease ended before it committed (its
    process died, so it charged nothing and the work is still to do)."""
    if record is None or is_forgotten(record, now):
        return None
    if record.fingerprint != fingerprint:
        raise KeyReused()
    if record.answer is not None:
        return record.answer
    if now < record.reserved_until:
        raise RequestInFlight()
    return None


def is_forgotten(record: IdempotencyRecord, now: datetime) -> bool:
    return now >= record.created_at + KEY_LIFETIME


def reservation(
    user_id: UserId, request: RequestKey, reservation_id: UUID, now: datetime
) -> IdempotencyRecord:
    """The record of a request that holds the key while it runs."""
    return IdempotencyRecord(
        user_id=user_id,
        key=request.key,
        fingerprint=request.fingerprint,
        reservation_id=reservation_id,
        reserved_until=now + RESERVATION_LEASE,
        created_at=now,
    )
