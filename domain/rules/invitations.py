"""Invite links (API.md, "Sharing"): their terms, their secret, and when one still lets someone in."""

from __future__ import annotations

import hashlib
from datetime import datetime

from domain.entities import Invitation
from domain.errors import FieldError, InvalidInput, NotFound

EXPIRES_IN_HOURS_MIN = 1
EXPIRES_IN_HOURS_MAX = 720
EXPIRES_IN_HOURS_DEFAULT = 168
MAX_USES_MIN = 1
MAX_USES_MAX = 100
MAX_USES_DEFAULT = 1
TOKEN_BYTES = 32
"""256 random bits: a token cannot be guessed, so a fast hash of it is enough to store."""


def check_terms(expires_in_hours: int, max_uses: int) -> None:
    errors = []
    if not EXPIRES_IN_HOURS_MIN <= expires_in_hours <= EXPIRES_IN_HOURS_MAX:
        errors.append(
            FieldError("expiresInHours", f"must be {EXPIRES_IN_HOURS_MIN} to {EXPIRES_IN_HOURS_MAX}")
        )
    if not MAX_USES_MIN <= max_uses <= MAX_USES_MAX:
        errors.append(FieldError("maxUses", f"must be {MAX_USES_MIN} to {MAX_USES_MAX}"))
    if errors:
        raise InvalidInput(errors)


def token_hash(token: str) -> str:
    """What is stored of a token: a leaked table lets nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_live(invitation: Invitation, now: datetime) -> bool:
    """Neither revoked nor expired."""
    return invitation.revoked_at is None and now < invitation.expires_at


def check_usable(invitation: Invitation | None, now: datetime, *, counts_a_use: bool) -> Invitation:
    """The invitation, if it still lets someone in. Unknown, revoked, expired and used up all
    look the same (NotFound), so a link's holder learns nothing about it. An acceptance that
    changes nothing (a member accepting again) counts no use, so it needs none left."""
    if invitation is None or not is_live(invitation, now):
        raise NotFound("Invitation not found.")
    if counts_a_use and invitation.uses >= invitation.max_uses:
        raise NotFound("Invitation not found.")
    return invitation
