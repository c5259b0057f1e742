"""What a user id may be: ids come from tokens signed by an identity provider, but a signature only
says who wrote the claim, not that it fits the columns it lands in."""

from __future__ import annotations

MAX_USER_ID_LENGTH = 255


def is_valid_user_id(text: str) -> bool:
    """1 to 255 characters, none of them a control character (NUL cannot be stored by PostgreSQL)."""
    return 0 < len(text) <= MAX_USER_ID_LENGTH and text.isprintable()
