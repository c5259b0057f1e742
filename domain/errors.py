"""The domain's error tree. Each class's docstring is its default message; data travels as fields."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import ClassVar


class DomainError(Exception):
    """Something went wrong."""

    def __init__(self, message: str | None = None) -> None:
        self.message = message or (type(self).__doc__ or "").strip().splitlines()[0]
        super().__init__(self.message)


class NotFound(DomainError):
    """Not found."""


class Forbidden(DomainError):
    """You may not do this."""

    title: ClassVar[str] = "Forbidden"
    """A short label for this kind of refusal (a problem's `title`); each case names its own."""


class PlanRequired(Forbidden):
    """Your plan does not allow this."""

    title = "Not allowed on your plan"


class AdminOnly(Forbidden):
    """Only administrators may do this."""

    title = "Administrators only"


class RoleRequired(Forbidden):
    """Your role on this project does not allow this."""

    title: ClassVar[str] = "Not allowed for your role on this project"
    """The problem's title: a member learns it is their role, not their plan, that stops them."""


class Conflict(DomainError):
    """The resource changed in the meantime."""


class LeaseLost(Conflict):
    """The run is no longer this worker's: its lease ended and the run was taken again or failed."""


class StaleVersion(Conflict):
    """The draft was changed by someone else."""

    def __init__(self, current_version: int) -> None:
        super().__init__()
        self.current_version = current_version


class InvalidTransition(Conflict):
    """This status change is not allowed."""


class RequestInFlight(Conflict):
    """A request with this Idempotency-Key is still being handled; retry in a moment."""


class KeyReused(DomainError):
    """This Idempotency-Key was used with a different request."""


class FieldError:
    """One field's complaint, named by its wire name (camelCase)."""

    __slots__ = ("field", "message")

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message


class InvalidInput(DomainError):
    """The request is not valid."""

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        super().__init__(message or "; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors


class ModelNotAllowed(InvalidInput):
    """This model is not one your plan may choose."""

    def __init__(self, errors: list[FieldError], allowed: list[str], message: str | None = None) -> None:
        super().__init__(errors, message)
        self.allowed = allowed
        """The models the plan may choose, for the person to pick one of."""


class RateLimited(DomainError):
    """Too many requests; try again later."""

    def __init__(self, retry_after: timedelta) -> None:
        super().__init__()
        self.retry_after = retry_after


class OutOfCredits(RateLimited):
    """You have used all of your credits for now."""

    def __init__(self, retry_after: timedelta, resets_at: datetime) -> None:
        super().__init__(retry_after)
        self.resets_at = resets_at
