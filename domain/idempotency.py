"""Idempotency keys (API.md, Conventions): the request a key stands for, the first answer it got,
and the record that keeps both, so a retried request is answered again instead of run again."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID

import msgspec

from domain.errors import (
    AdminOnly,
    Conflict,
    DomainError,
    FieldError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    KeyReused,
    LeaseLost,
    ModelNotAllowed,
    NotFound,
    OutOfCredits,
    PlanRequired,
    RateLimited,
    RequestInFlight,
    RoleRequired,
    StaleVersion,
)
from domain.ids import UserId
from domain.views import MessageView, ProjectView


class RequestKey(msgspec.Struct, frozen=True, kw_only=True):
    """A client's Idempotency-Key and the fingerprint of the request it came with.

    The transport makes the fingerprint (its route and body, hashed); the domain only compares it.
    """

    key: str
    fingerprint: str


class Answer(msgspec.Struct, frozen=True, kw_only=True, tag_field="kind"):
    pass


class ProjectCreated(Answer, frozen=True, kw_only=True, tag="project"):
    project: ProjectView


class MessagePosted(Answer, frozen=True, kw_only=True, tag="message"):
    message: MessageView


class Refusal(Answer, frozen=True, kw_only=True, tag="refusal"):
    """A domain error given as the first answer, with what it takes to raise it again unchanged."""

    error: str
    """The error's class name."""
    message: str
    errors: list[tuple[str, str]] | None = None
    """Field and complaint of each field error (InvalidInput)."""
    retry_at: datetime | None = None
    resets_at: datetime | None = None
    current_version: int | None = None
    allowed_models: list[str] | None = None

    @classmethod
    def of(cls, error: DomainError, now: datetime) -> Refusal:
        kind = next(k for k in type(error).__mro__ if _KINDS.get(k.__name__) is k)
        return cls(
            error=kind.__name__,
            message=error.message,
            errors=[(e.field, e.message) for e in error.errors] if isinstance(error, InvalidInput) else None,
            retry_at=now + error.retry_after if isinstance(error, RateLimited) else None,
            resets_at=error.resets_at if isinstance(error, OutOfCredits) else None,
            current_version=error.current_version if isinstance(error, StaleVersion) else None,
            allowed_models=error.allowed if isinstance(error, ModelNotAllowed) else None,
        )

    def error_at(self, now: datetime) -> DomainError:
        """The error again; a wait it asks for is counted from `now`, not from the first answer."""
        kind = _KINDS.get(self.error, DomainError)
        retry_after = max(self.retry_at - now, timedelta(0)) if self.retry_at else timedelta(0)
        if issubclass(kind, OutOfCredits) and self.resets_at is not None:
            return kind(retry_after, self.resets_at)
        if issubclass(kind, RateLimited):
            return kind(retry_after)
        if issubclass(kind, StaleVersion) and self.current_version is not None:
            return kind(self.current_version)
        field_errors = [FieldError(field, message) for field, message in self.errors or []]
        if issubclass(kind, ModelNotAllowed):
            return kind(field_errors, self.allowed_models or [], self.message)
        if issubclass(kind, InvalidInput):
            return kind(field_errors, self.message)
        return kind(self.message)


AnyAnswer = ProjectCreated | MessagePosted | Refusal
"""Every answer a key can keep."""

# By class name, as refusals are stored; an error of a class not listed is kept as its nearest
# listed ancestor, which the transport maps to the same status.
_KINDS: dict[str, type[DomainError]] = {
    kind.__name__: kind
    for kind in (
        DomainError,
        NotFound,
        Forbidden,
        PlanRequired,
        AdminOnly,
        RoleRequired,
        Conflict,
        LeaseLost,
        StaleVersion,
        InvalidTransition,
        RequestInFlight,
        KeyReused,
        InvalidInput,
        ModelNotAllowed,
        RateLimited,
        OutOfCredits,
    )
}


class IdempotencyRecord(msgspec.Struct, frozen=True, kw_only=True):
    """A user's key: the request it stands for, the reservation holding it, and its first answer
    (None while that request is in flight)."""

    user_id: UserId
    key: str
    fingerprint: str
    reservation_id: UUID
    """Changes when another request takes the key over; the holder's writes are fenced by it."""
    reserved_until: datetime
    created_at: datetime
    answer: AnyAnswer | None = None
